"""Same rules by every door: the use cases decide who may act, the doors only pass who is acting."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sangsaeng.errors import Forbidden
from sangsaeng.portal.pages import acting
from sangsaeng.roles import API_KEY, CLI_ADMIN, ROLES, RULES, Principal, require
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
