"""House rules that must not erode: a pure core, documented settings, one error shape."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from sangsaeng.settings import Settings

SRC = Path(__file__).resolve().parents[1] / "src" / "sangsaeng"
PURE = [
    "policy/model.py",
    "policy/decide.py",
    "policy/duties.py",
    "policy/rights.py",
    "policy/templates.py",
    "policy/access.py",
    "ratelimit.py",
    "machine.py",
    "negotiation/machine.py",
    "transfer/machine.py",
    "negotiation/signing.py",
    "identity/keys.py",
    "identity/tokens.py",
    "identity/directory.py",
    "identity/credentials.py",
    "transfer/restrict.py",
    "transfer/exports.py",
    "store/records.py",
    "store/ports/__init__.py",
    "store/ports/kinds.py",
    "store/ports/flat.py",
    "store/ports/negotiations.py",
    "store/ports/agreements.py",
    "store/ports/transfers.py",
    "store/ports/datasets.py",
    "store/ports/offers.py",
    "store/ports/audit.py",
    "store/ports/outbox.py",
    "store/ports/users.py",
    "store/ports/replay.py",
    "store/ports/vocabulary.py",
    "errors.py",
    "dsp/messages.py",
    "digest.py",
    "jcs.py",
    "strictjson.py",
    "audit/merkle.py",
    "audit/evidence.py",
    "standard/units.py",
    "standard/entities.py",
    "standard/labels.py",
    "standard/reference.py",
    "standard/layout.py",
    "standard/validation.py",
    "standard/findings.py",
    "standard/repeats.py",
    "standard/versions.py",
    "standard/mapping.py",
    "standard/field_rules.py",
    "standard/cell_batch.py",
    "standard/lists.py",
    "standard/truth.py",
    "standard/value_rules.py",
    "standard/footprint_needs.py",
    "standard/suggest/__init__.py",
    "standard/suggest/cells.py",
    "standard/suggest/headers.py",
    "standard/suggest/matching.py",
    "standard/suggest/proposal.py",
    "standard/suggest/propose.py",
    "standard/suggest/readings.py",
    "standard/suggest/text.py",
    "standard/suggest/titles.py",
    "standard/suggest/vocabulary.py",
    "standard/suggest/wide.py",
    "standard/suggest/words.py",
    "standard/dates.py",
    "standard/date_patterns.py",
    "standard/ingest.py",
    "standard/sources.py",
    "standard/layout.py",
    "standard/reshape.py",
    "standard/cells.py",
    "standard/sheet_text.py",
    "standard/excel.py",
    "standard/workbook.py",
    "standard/pact/__init__.py",
    "standard/pact/versions.py",
    "standard/pact/decimals.py",
    "standard/pact/units.py",
    "standard/pact/vocabulary.py",
    "standard/pact/requirements.py",
    "standard/pact/write.py",
    "standard/pact/read.py",
    "standard/pact/files.py",
    "standard/catenax/__init__.py",
    "standard/catenax/releases.py",
    "standard/catenax/values.py",
    "standard/catenax/requirements.py",
    "standard/catenax/parts.py",
    "standard/catenax/links.py",
    "standard/catenax/bom.py",
    "standard/catenax/usage.py",
    "standard/catenax/export.py",
    "standard/catenax/gather.py",
    "standard/aas/__init__.py",
    "standard/aas/concepts.py",
    "standard/aas/dictionary.py",
    "standard/aas/document.py",
    "standard/aas/export.py",
    "standard/aas/identifiers.py",
    "standard/aas/names.py",
    "standard/aas/package.py",
    "standard/aas/series.py",
    "standard/aas/shell.py",
    "streams/mapping.py",
    "streams/readings.py",
    "streams/jsonrules.py",
    "streams/sparkplug/__init__.py",
    "streams/sparkplug/payload.py",
    "streams/sparkplug/host.py",
    "streams/sequence.py",
]
IMPURE = (
    "fastapi",
    "starlette",
    "sqlalchemy",
    "alembic",
    "psycopg",
    "aiosqlite",
    "httpx",
    "uvicorn",
    "socket",
    "urllib.request",
    "requests",
    "asyncio",
    "anyio",
    "sangsaeng.web",
    "sangsaeng.store.sql",
    "sangsaeng.peer",
)


def imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_pure_core_imports_no_web_database_or_network_library() -> None:
    offenders = {
        module: sorted(n for n in imports_of(SRC / module) if n.split(".")[0] in IMPURE or n.startswith(IMPURE))
        for module in PURE
    }
    assert {m: found for m, found in offenders.items() if found} == {}


def test_the_pure_core_imports_only_the_pure_core_of_the_project() -> None:
    pure_modules = {"sangsaeng." + m.removesuffix(".py").replace("/", ".") for m in PURE}
    for module in PURE:
        ours = {n for n in imports_of(SRC / module) if n.startswith("sangsaeng")}
        packages = {n for n in ours if any(p.startswith(n + ".") for p in pure_modules)}  # empty __init__s
        assert ours - packages <= pure_modules, (module, ours - packages - pure_modules)


def test_every_setting_is_documented() -> None:
    documented = set(
        re.findall(r"^\| `SANGSAENG_([A-Z_]+)`", (SRC.parents[1] / "docs" / "settings.md").read_text(), re.M)
    )
    fields = {name.upper() for name in Settings.model_fields}
    assert fields - documented == set(), "settings missing from docs/settings.md"
    assert documented - fields == set(), "docs/settings.md lists settings that do not exist"
