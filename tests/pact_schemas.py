"""The official PACT OpenAPI documents from ../shared/spec/pact, their ``ProductFootprint`` schema as JSON Schema
2020-12 (OpenAPI 3.1's dialect) with every ``$ref`` resolved locally, and a format checker that asserts the
formats PACT documents use — written here, apart from the code under test."""

from __future__ import annotations

import os
import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC = Path(os.environ.get("SANGSAENG_PACT_SPEC", Path(__file__).resolve().parents[2] / "shared" / "spec" / "pact"))
FILES = {"2.2": "openapi_v2_2.yaml", "2.3": "openapi_v2_3.yaml", "3.0": "openapi_v3_0.yaml"}
if not all((SPEC / name).is_file() for name in FILES.values()):  # refuse to run conformance tests against nothing
    raise RuntimeError(
        f"the PACT OpenAPI documents are not at {SPEC}; put shared/ beside the project or set SANGSAENG_PACT_SPEC"
    )

# PACT's decimal string (3.0, "Basic Types": "12.3456", "-9876.5432102", "1.2345e+6"): an optional minus, digits
# without a leading zero, an optional fraction, an optional exponent. Nothing else: no "+", no ".5", no "1.", no
# spaces, no "NaN".
DECIMAL = re.compile(r"\A-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?\Z")
UUID = re.compile(r"\A[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")
# RFC 3339 section 5.6 date-time
DATE_TIME = re.compile(r"\A(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))\Z")
# RFC 8141: "urn:" NID ":" NSS, NID 2–32 of letters, digits, hyphens (not last), NSS of pchar and "/"
URN = re.compile(
    r"\A[uU][rR][nN]:[A-Za-z0-9][A-Za-z0-9-]{0,30}[A-Za-z0-9]:"
    r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*\Z"
)

checker = FormatChecker(formats=())


@checker.checks("decimal")
def _decimal(instance: object) -> bool:
    return not isinstance(instance, str) or bool(DECIMAL.match(instance))


@checker.checks("uuid")
def _uuid(instance: object) -> bool:
    return not isinstance(instance, str) or bool(UUID.match(instance))


@checker.checks("urn")
def _urn(instance: object) -> bool:
    return not isinstance(instance, str) or bool(URN.match(instance))


@checker.checks("int32")
def _int32(instance: object) -> bool:
    return not isinstance(instance, int) or -(2**31) <= instance < 2**31


@checker.checks("date-time")
def _date_time(instance: object) -> bool:
    if not isinstance(instance, str):
        return True
    found = DATE_TIME.match(instance)
    if found is None:
        return False
    year, month, day, hour, minute, second = (int(found.group(i)) for i in range(1, 7))
    if found.group(9) is not None and (int(found.group(9)) > 23 or int(found.group(10)) > 59):
        return False
    try:
        datetime(year, month, day, hour, minute, min(second, 59))  # a leap second (60) is a moment too
    except ValueError:
        return False
    return second <= 60


@cache
def openapi(version: str) -> dict[str, Any]:
    loaded = yaml.safe_load((SPEC / FILES[version]).read_text("utf-8"))
    assert isinstance(loaded, dict)
    return loaded


@cache
def validator(version: str) -> Draft202012Validator:
    """A validator of ``components.schemas.ProductFootprint`` of ``version``'s document; ``$ref``s resolve inside
    that document, registered under its own file address."""
    uri = (SPEC / FILES[version]).resolve().as_uri()
    registry: Registry[Any] = Registry().with_resource(
        uri, Resource.from_contents(openapi(version), default_specification=DRAFT202012)
    )
    return Draft202012Validator(
        {"$ref": f"{uri}#/components/schemas/ProductFootprint"}, registry=registry, format_checker=checker
    )


def problems(document: Any, version: str) -> list[str]:
    """Every way ``document`` breaks the version's ProductFootprint schema; empty when it conforms."""
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator(version).iter_errors(document)]


def schema(version: str, name: str) -> dict[str, Any]:
    found = openapi(version)["components"]["schemas"][name]
    assert isinstance(found, dict)
    return found
