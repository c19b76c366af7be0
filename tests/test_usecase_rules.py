"""Same rules by every door: the use cases decide who may act, the doors only pass who is acting."""

from __future__ import annotations

import ast
from pathlib import Path

import anyio
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sangsaeng.errors import Forbidden, SangsaengError
from sangsaeng.portal.pages import acting
from sangsaeng.roles import API_KEY, CLI_ADMIN, ROLES, RULES, Principal, allowed, require
from sangsaeng.services import Services
from sangsaeng.standard.mapping import load_mapping
from sangsaeng.store.records import User
from tests.helpers import dataspace
from tests.test_portal import csrf_of, session

SRC = Path(__file__).resolve().parents[1] / "src" / "sangsaeng"
CHANGES = ["agreement.terminate", "transfer.start", "transfer.change", "negotiation.decide", "offer.publish"]
# What each role may do, as decided for issue 16: viewers read and change nothing; only admins manage users.
EXPECTED = {
    ("admin", "agreement.terminate"): True,
    ("steward", "agreement.terminate"): True,
    ("viewer", "agreement.terminate"): False,
    ("admin", "transfer.start"): True,
    ("steward", "transfer.start"): True,
    ("viewer", "transfer.start"): False,
    ("viewer", "data.read"): True,
    ("steward", "user.manage"): False,
    ("admin", "user.manage"): True,
    ("admin", "dataset.add"): True,
    ("steward", "dataset.add"): True,
    ("viewer", "dataset.add"): False,
    ("admin", "credential.add"): True,
    ("steward", "credential.add"): False,
    ("viewer", "credential.add"): False,
}


def doors(role: str) -> list[Principal]:
    """The principal each door hands the use cases for a person of ``role`` (the API key and the CLI act as
    administrators)."""
    portal = acting(User("kim", "x", role, None))  # type: ignore[arg-type]
    return [portal] + ([API_KEY, CLI_ADMIN] if role == "admin" else [])


@pytest.mark.parametrize(("role", "action"), sorted(EXPECTED))
def test_every_door_gets_the_same_answer(role: str, action: str) -> None:
    for who in doors(role):
        if EXPECTED[(role, action)]:
            require(who, action)
        else:
            with pytest.raises(Forbidden) as refused:
                require(who, action)
            assert refused.value.code == "forbidden" and refused.value.details["action"] == action


@given(st.sampled_from(ROLES), st.text(max_size=30))
def test_an_action_not_in_the_table_is_refused_to_everyone(role: str, action: str) -> None:
    if action not in RULES:
        with pytest.raises(Forbidden):
            require(Principal("x", role, "api"), action)


def test_viewers_change_nothing() -> None:
    for action, roles in RULES.items():
        if action not in ("read", "data.read", "audit.verify", "audit.evidence"):
            assert "viewer" not in roles, action


def _opens_transactions(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.AsyncWith):
            for item in node.items:
                call = item.context_expr
                if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "begin":
                    found.append(f"{path.name}:{node.lineno}")
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
            ("sangsaeng.store.sql", "sangsaeng.store.ports")
        ):
            if path.name != "app.py":  # the composition root builds the store the services get
                found.append(f"{path.name}:{node.lineno} imports {node.module}")
    return found


def test_no_door_opens_a_transaction_or_imports_a_store_adapter() -> None:
    found = [f for door in ("web", "portal") for p in sorted((SRC / door).glob("*.py")) for f in _opens_transactions(p)]
    assert found == [], f"move these into a use case (usecases/, accounts/): {found}"


@pytest.mark.anyio
async def test_a_viewer_is_refused_by_the_use_case_itself_through_the_portal(tmp_path: Path) -> None:
    """Starting a transfer and ending an agreement: the viewer's refusal is the use case's (403 before the
    agreement is even looked up), not a page's."""
    async with dataspace(tmp_path, ["supplier"]) as space:
        supplier = space.parties["supplier"]
        viewer = await session(supplier, "lee", "viewer")
        token = csrf_of((await viewer.get("/portal/data")).text)
        for path in ("/portal/data/urn:uuid:nope", "/portal/agreements/urn:uuid:nope/terminate"):
            refused = await viewer.post(path, data={"csrf": token})
            assert refused.status_code == 403, path
        steward = await session(supplier, "kim", "steward")
        token = csrf_of((await steward.get("/portal/data")).text)
        missing = await steward.post("/portal/data/urn:uuid:nope", data={"csrf": token})
        assert missing.status_code == 404  # allowed to try: the agreement is what is missing
        api = await supplier.api.post("/api/agreements/urn:uuid:nope/terminate")
        assert api.status_code == 404 and api.json()["error"]["code"] == "not-found"
        await viewer.aclose()
        await steward.aclose()


# ---- data coming in: files, ingests, derived data, credentials ---------------------------------------------
QUALITY = """
entity: quality_result
fields:
  subject: {column: lot}
  characteristic: {column: item}
  value: {column: value}
  passed: {column: verdict}
"""
# Each way in, and the rule that decides it.
INTAKE = {"add": "dataset.add", "ingest": "dataset.add", "derive": "dataset.add", "credential": "credential.add"}


async def _take(svc: Services, who: Principal, step: str, folder: Path) -> None:
    source = folder / f"{who.door}-{who.role}-{step}.csv"
    source.write_text("lot,item,value,verdict\nL1,bore,54.01,ok\nL2,bore,54.02,ok\n", "utf-8")
    if step == "add":
        await svc.intake.add_version(who, source, "csv", dataset_id=None, title=f"{who.role} via {who.door}")
    elif step == "ingest":
        await svc.intake.ingest(who, source, load_mapping(QUALITY), dataset_id=None, title="q", accept_partial=True)
    elif step == "derive":
        await svc.intake.derive(who, source, "csv", title="d", agreements=["urn:uuid:none"], operation="derive")
    else:
        svc.intake.add_credential(who, "not.a.credential")


@pytest.mark.anyio
async def test_adding_data_and_credentials_is_decided_by_the_use_case_the_same_for_every_door(tmp_path: Path) -> None:
    """Every door's principal for every role, through every way data or credentials come in: refused with the
    same code exactly when the table says so, and a refusal changes nothing (no dataset appears)."""
    async with dataspace(tmp_path, ["supplier"]) as space:
        svc: Services = space.parties["supplier"].app.state.services
        for role in ROLES:
            for who in doors(role):
                for step, action in INTAKE.items():
                    before = len(await svc.offers.datasets(API_KEY))
                    try:
                        await _take(svc, who, step, tmp_path)
                        code = "done"
                    except Forbidden as exc:
                        assert (exc.details["action"], exc.details["role"]) == (action, role)
                        assert action in exc.details["message_ko"]  # the refusal in Korean too
                        code = exc.code
                    except SangsaengError as exc:  # allowed to try: the agreement or the credential is wrong
                        code = "done" if step in ("derive", "credential") else exc.code
                    after = len(await svc.offers.datasets(API_KEY))
                    expected = "done" if allowed(role, action) else "forbidden"
                    assert (code, who.door, role, step) == (expected, who.door, role, step)
                    assert after == before + (step in ("add", "ingest") and expected == "done")


@pytest.mark.anyio
async def test_a_viewers_upload_is_refused_by_the_use_case_at_every_door(tmp_path: Path) -> None:
    """The portal: a viewer's upload gets the portal's 403 page before a file is kept; a steward's goes on to the
    review. The API (and the CLI, which calls it) acts with the administrator's key: its upload is taken."""
    async with dataspace(tmp_path, ["supplier"]) as space:
        supplier = space.parties["supplier"]
        upload = {"file": ("q.csv", b"lot,item,value,verdict\nL1,bore,54.01,ok\n", "text/csv")}
        viewer = await session(supplier, "lee", "viewer")
        steward = await session(supplier, "kim", "steward")
        refused_page = await viewer.get("/portal/add")
        assert refused_page.status_code == 403
        steward_token = csrf_of((await steward.get("/portal/add")).text)
        refused = await viewer.post(
            "/portal/add", data={"csrf": steward_token, "entity": "quality_result"}, files=upload
        )
        assert refused.status_code == 403 and refused.headers["content-type"].startswith("text/html")
        assert refused.text == refused_page.text  # the one 403 page, not a form's error
        staging = supplier.settings.data_dir / "portal-staging"
        assert not staging.exists() or not any(staging.iterdir())
        taken = await steward.post(
            "/portal/add", data={"csrf": steward_token, "entity": "quality_result"}, files=upload
        )
        assert taken.status_code == 303 and taken.headers["location"].startswith("/portal/add/")
        api = await supplier.api.post(
            "/api/datasets", params={"title": "q", "filename": "q.csv"}, content=upload["file"][1]
        )
        assert api.status_code == 201, api.text
        await logged(supplier.app.state.services, '"action":"dataset.version"', '"via":"api"', '"user":"api"')
        await viewer.aclose()
        await steward.aclose()


async def logged(svc: Services, *parts: str) -> None:
    """Wait (with a deadline) for a management entry of the audit log holding every one of ``parts``."""
    with anyio.fail_after(10):
        while True:
            found = await svc.audit.entries(API_KEY, 0, 1000)
            if any(e.kind == "management" and all(p in e.entry for p in parts) for e in found):
                return
            await anyio.sleep(0.02)


WAYS_IN = {"add_version", "ingest_version", "derive", "register_stream", "check_file", "declare", "remembered", "add"}


def test_no_door_calls_what_adds_data_or_credentials_around_the_intake_use_case() -> None:
    """The catalog service's ways in, the company's words and the wallet are the intake use case's to call."""
    found = []
    for door in ("web", "portal"):
        for path in sorted((SRC / door).glob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in WAYS_IN:
                    owner = ast.unparse(node.func.value)
                    if owner.endswith(("catalog", "vocabulary", "wallet")):
                        found.append(f"{path.name}:{node.lineno} {owner}.{node.func.attr}")
    assert found == [], f"call these through svc.intake: {found}"
