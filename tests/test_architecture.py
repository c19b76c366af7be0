"""House rules that must not erode: a pure core, documented settings, one error shape."""

from __future__ import annotations

import ast
import configparser
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sangsaeng.settings import Settings

SRC = Path(__file__).resolve().parents[1] / "src" / "sangsaeng"
PURE = [
    "policy/model.py",
    "policy/decide.py",
    "policy/duties.py",
    "policy/rights.py",
    "policy/templates.py",
    "policy/access.py",
    "dsp/ratelimit.py",
    "machine.py",
    "dsp/machine.py",
    "negotiation/machine.py",
    "transfer/machine.py",
    "negotiation/signing.py",
    "identity/keys.py",
    "identity/tokens.py",
    "identity/directory.py",
    "identity/credentials.py",
    "identity/status.py",
    "identity/hub.py",
    "dataplane/restrict.py",
    "standard/exports.py",
    "store/records.py",
    "store/ports/__init__.py",
    "store/ports/kinds.py",
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
    "store/ports/received.py",
    "errors.py",
    "roles.py",
    "dsp/messages.py",
    "dsp/catalog.py",
    "dsp/negotiation.py",
    "dsp/transfer.py",
    "digest.py",
    "encoding/canonical.py",
    "encoding/strict.py",
    "encoding/moments.py",
    "activity.py",
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
    "standard/input_errors.py",
    "standard/field_rules.py",
    "standard/cell_batch.py",
    "standard/lists.py",
    "standard/truth.py",
    "standard/value_rules.py",
    "standard/footprint_needs.py",
    "standard/footprint_entry.py",
    "standard/prefixes.py",
    "standard/company.py",
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
    "standard/suggest/footprints.py",
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
    "i18n/__init__.py",
    "i18n/catalogs.py",
    "i18n/refusals.py",
    "standard/said.py",
    "portal/words.py",
    "datasets/port.py",
    "datasets/local.py",
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
    "sangsaeng.dsp.peer",
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


def test_no_module_is_over_600_lines() -> None:
    """Small rooms: a module that outgrows 600 lines becomes a package with names that say what they hold."""
    lines = {str(p.relative_to(SRC)): len(p.read_text("utf-8").splitlines()) for p in SRC.rglob("*.py")}
    assert {module: n for module, n in lines.items() if n > 600} == {}


# ---- layers, by package (import-linter; the contracts are in .importlinter) -----------------------------------
CONTRACTS = SRC.parents[1] / ".importlinter"
TIERS = "Edges above services above ports above the pure core"
PURE_LIBRARIES = "The pure core imports no web framework, database, network or event-loop library"
CYCLES = "No import cycles, between packages or between the modules of one package"
SHIMS = "Names kept only for callers outside the package (the protocol tests) are not imported inside it"


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """import-linter's contracts over the ``sangsaeng`` package found under ``root`` (ours, or a changed copy)."""
    command = [str(Path(sys.executable).with_name("lint-imports")), "--config", str(CONTRACTS), "--no-cache"]
    env = {**os.environ, "PYTHONPATH": str(root), "NO_COLOR": "1"}
    return subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=300, check=False)


def test_edges_services_ports_and_the_pure_core_are_layered_without_cycles() -> None:
    done = lint_imports(SRC.parent)
    assert done.returncode == 0, done.stdout + done.stderr
    contracts = CONTRACTS.read_text().count("[importlinter:contract:")
    assert f"{contracts} kept, 0 broken" in done.stdout


def test_every_package_has_its_tier() -> None:
    """A new package (or module at the root) is placed in a tier, or the layering says nothing about it; dsp/,
    which spans tiers by design, is placed module by module."""
    config = configparser.ConfigParser()
    config.read(CONTRACTS)
    layers = config["importlinter:contract:tiers"]["layers"].split("\n")
    placed = {name.strip() for line in layers for name in line.split(":")}
    spanning = {"dsp"}
    found = {
        f"sangsaeng.{p.stem}" if p.suffix == ".py" else f"sangsaeng.{p.name}"
        for p in SRC.iterdir()
        if (p.suffix == ".py" and p.stem != "__init__") or ((p / "__init__.py").exists() and p.name not in spanning)
    }
    found |= {f"sangsaeng.dsp.{p.stem}" for p in (SRC / "dsp").glob("*.py") if p.stem != "__init__"}
    assert found - placed == set(), "place these in a tier of .importlinter"
    assert placed - {""} - found == set(), ".importlinter names what does not exist"


@pytest.mark.parametrize(
    ("module", "planted", "broken"),
    [
        ("policy/model.py", "import sangsaeng.web.app", TIERS),  # the pure core reaching up to an edge
        ("store/records.py", "from sangsaeng.negotiation import service", TIERS),  # a port reaching a service
        ("dsp/negotiation.py", "from sangsaeng.dsp import outbox", TIERS),  # dsp's messages reaching its machinery
        ("services.py", "import sangsaeng.cli.main", TIERS),  # an edge the others rest on reaching the CLI
        ("standard/versions.py", "import sqlalchemy", PURE_LIBRARIES),
        ("dsp/machine.py", "import asyncio", PURE_LIBRARIES),
        ("catalog/files.py", "import sangsaeng.dataplane.serve", CYCLES),  # the data plane reads catalog files
        ("portal/pages.py", "from sangsaeng.portal import site", CYCLES),  # the site assembles the pages
        ("audit/log.py", "from sangsaeng.connector import Connector", CYCLES),  # the connector holds the log
        ("dataplane/pull.py", "from sangsaeng.transfer import machine", SHIMS),
    ],
)
def test_a_planted_bad_import_is_caught(tmp_path: Path, module: str, planted: str, broken: str) -> None:
    """The contracts can fail: each import that breaks a rule, planted in a copy of the package, is named."""
    copy = tmp_path / "sangsaeng"
    shutil.copytree(SRC, copy, ignore=shutil.ignore_patterns("__pycache__", "templates", "static", "locale"))
    target = copy / module
    target.write_text(f"{target.read_text()}\n{planted}  # planted\n")
    done = lint_imports(tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    report = " ".join(done.stdout.split())  # the report wraps long names
    assert f"{broken} BROKEN" in report, report
