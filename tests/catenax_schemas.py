"""The official Catena-X aspect schemas and examples from ../shared/spec/catenax, and a validator for each release
(the schemas' own draft, 04, with every format checked; and Draft 2020-12, which reads them the same)."""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator, Draft202012Validator, FormatChecker

from sangsaeng.standard.catenax import Release
from sangsaeng.standard.catenax.releases import NAMESPACES

SPEC = Path(
    os.environ.get("SANGSAENG_CATENAX_SPEC", Path(__file__).resolve().parents[2] / "shared" / "spec" / "catenax")
)
if not SPEC.is_dir():  # refuse to run conformance tests against nothing
    raise RuntimeError(
        f"the Catena-X schemas are not at {SPEC}; put shared/ beside the project or set SANGSAENG_CATENAX_SPEC"
    )


def folder(release: Release) -> Path:
    return SPEC / f"{NAMESPACES[release.aspect]}-{release.version}"


@cache
def schema(release: Release) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((folder(release) / f"{release.aspect}-schema.json").read_text("utf-8"))
    assert loaded["x-samm-aspect-model-urn"] == release.urn, (loaded["x-samm-aspect-model-urn"], release.urn)
    assert loaded["$schema"].startswith("http://json-schema.org/draft-04/schema")
    return loaded


def example(release: Release) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((folder(release) / "example.json").read_text("utf-8"))
    return loaded


def errors(release: Release, document: Any) -> list[str]:
    """Every way ``document`` breaks the schema of ``release``, under draft 04 and under 2020-12 (empty: valid),
    checked as the JSON text it becomes (NaN and infinities are not JSON)."""
    try:
        document = json.loads(json.dumps(document, allow_nan=False))
    except ValueError as exc:
        return [f"not JSON: {exc}"]
    found = []
    for validator in (Draft4Validator, Draft202012Validator):
        checker = validator(schema(release), format_checker=FormatChecker())
        found += [
            f"{validator.__name__}: {'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in checker.iter_errors(document)
        ]
    return found
