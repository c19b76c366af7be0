"""The attack matrix of participant contexts: two connectors a and b in one process (and c, a third that trades
with both, so that each holds records the other has no share of). After they traded with each other through the
protocol, every route of the app — found by walking the app's routes, so a route added later is covered too — is
called:

1. with a's own credentials on a's prefix and b's ids: the same answer as for an unknown id (ids masked);
2. with a's credentials on b's prefix: the same answer as with credentials of the same kind that are no one's;
3. and across both, b's whole state (every table, every file, its log) is unchanged; the context that was called
   gains only its own refusals in its log (and the replay guard's token ids, the caller's session's last use).

And the mirror: b attacking a. Once on SQLite files, once on PostgreSQL schemas of one database.
"""

from __future__ import annotations

import json
import random
import re
import string
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import anyio
import pytest
from fastapi.routing import APIRoute
from starlette.routing import Route

from tests.helpers import SAMPLE_CSV, negotiate, offer_policy, publish, start_transfer
from tests.tenants_space import Space, Tenant, changes, csrf_of, hosted, sign_in, snapshot

pytestmark = pytest.mark.anyio

PARAM = re.compile(r"\{([^}:]+)(?::[^}]*)?\}")
# What each path parameter names, by route family and name. A parameter not listed fails the test: say here
# what it names (and collect those ids in ``ids_of``) before the route ships.
KINDS: dict[str, str] = {
    "agreement_id": "agreement",
    "dataset_id": "dataset",
    "offer_id": "offer",
    "negotiation_id": "negotiation",
    "transfer_id": "transfer",
    "pid": "process",
    "token": "staging",
    "partner_id": "participant",  # the directory's: shared by every context, never one context's own
    "language": "language",
    "assessment_id": "assessment",  # the hub keeps a member's assessments: a context has none of its own
    "want_id": "want",  # and a member's wants of its partners (the portal's withdraw asks the hub)
    "case_id": "case",  # the hub keeps the success cases: a context has none of its own
    "/api/streams/{name}": "stream",
    "/api/users/{name}": "user",
}
BODY_KINDS = {"agreementId": "agreement", "datasetId": "dataset", "offerId": "offer"}
QUERY_KINDS = {"agreement": "agreement", "dataset": "dataset"}
REFUSALS = ("protocol.received", "protocol.rate-limited", "data.refused", "portal.refused")


def kind_of(template: str, param: str) -> str:
    prefix = template.split("{" + param)[0] + "{" + param + "}"
    for key in (prefix.removeprefix(prefix.split("/api/")[0]) if "/api/" in prefix else "", param):
        if key in KINDS:
            return KINDS[key]
    raise AssertionError(f"{template}: the attack matrix does not know what {{{param}}} names; add it to KINDS")


def unknown_like(value: str) -> str:
    """An id no one has, shaped as ``value`` is (after its last ':' or '/', each character of the same class)."""
    cut = max(value.rfind(":"), value.rfind("/")) + 1
    rng = random.Random(value)

    def other(ch: str) -> str:
        for chars in (string.hexdigits[:16], string.ascii_lowercase, string.ascii_uppercase):
            if ch in chars:
                return rng.choice(chars)
        return ch

    made = value[:cut] + "".join(other(ch) for ch in value[cut:])
    return made if made != value else value[:cut] + "0" + value[cut + 1 :]


@dataclass(frozen=True)
class Call:
    method: str
    template: str
    slots: dict[str, str]  # where an id goes ("path:pid", "body:agreementId", "query:agreement") -> its kind


def calls_of(space: Space) -> list[Call]:
    """Every route of the app, each method, with the places that name an id."""
    schema = space.app.openapi()
    found: list[Call] = []

    def walk(routes: list[Any]) -> None:
        for route in routes:
            if hasattr(route, "original_router"):
                walk(route.original_router.routes)
                continue
            if not isinstance(route, APIRoute | Route):
                continue
            for method in sorted((route.methods or {"GET"}) - {"HEAD"}):
                slots = {f"path:{p}": kind_of(route.path, p) for p in PARAM.findall(route.path)}
                operation = schema["paths"].get(route.path, {}).get(method.lower(), {})
                for field in _json_fields(schema, operation):
                    if field in BODY_KINDS:
                        slots[f"body:{field}"] = BODY_KINDS[field]
                for parameter in operation.get("parameters", []):
                    if parameter["in"] == "query" and parameter["name"] in QUERY_KINDS:
                        slots[f"query:{parameter['name']}"] = QUERY_KINDS[parameter["name"]]
                found.append(Call(method, route.path, slots))

    walk(space.app.routes)
    return found


def _resolved(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _json_fields(schema: dict[str, Any], operation: dict[str, Any]) -> dict[str, dict[str, Any]]:
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" not in content:
        return {}
    body = _resolved(schema, content["application/json"]["schema"])
    return {k: _resolved(schema, v) for k, v in body.get("properties", {}).items()}


def _minimal(node: dict[str, Any]) -> Any:
    kind = node.get("type") or next((o.get("type") for o in node.get("anyOf", []) if o.get("type") != "null"), None)
    return {"string": "x", "integer": 1, "number": 1, "boolean": False, "array": [], "object": {}}.get(kind)


@dataclass
class Credentials:
    """What lets a caller in at one context, of each kind; ``dsp`` mints a fresh token per request (replays are
    refused)."""

    api_key: str
    session: str  # the portal's session cookie
    csrf: str
    dsp: Callable[[], str]
    data: str  # a data-plane token


async def ids_of(tenant: Tenant, staging: str) -> dict[str, list[str]]:
    async def listed(path: str) -> list[str]:
        answer = await tenant.api.get(path, params={"limit": 1000})
        assert answer.status_code == 200, answer.text
        return [item["id"] for item in answer.json()]

    negotiations, transfers = await listed("/api/negotiations"), await listed("/api/transfers")
    c = tenant.context.connector
    async with c.store.begin() as tx:
        users = [u.name for u in await tx.users.all()]
    return {
        "agreement": await listed("/api/agreements"),
        "dataset": await listed("/api/datasets"),
        "offer": await listed("/api/offers"),
        "negotiation": negotiations,
        "transfer": transfers,
        "process": negotiations + transfers,
        "staging": [staging],
        "user": users,
        "stream": [],
        "participant": [],
        "language": [],
        "assessment": [],
        "want": [],
        "case": [],
    }


OWN_DEFAULTS = {"participant": "urn:sangsaeng:participant:c", "language": "ko"}


@dataclass
class Side:
    tenant: Tenant
    ids: dict[str, list[str]]
    credentials: Credentials


async def trade(space: Space) -> dict[str, Side]:
    """a and b trade with each other both ways and each with c; each has users, a staged upload, log entries."""
    a, b, c = (space.tenants[n] for n in ("a", "b", "c"))
    pairs = [(b, a), (a, b), (c, a), (c, b)]
    for provider, consumer in pairs:
        dataset_id, offer_id = await publish(provider, SAMPLE_CSV, offer_policy(consumer.id))  # type: ignore[arg-type]
        final = await negotiate(consumer, provider, dataset_id, offer_id)  # type: ignore[arg-type]
        assert final["state"] == "FINALIZED", final
        transfer = await start_transfer(consumer, final["agreementId"])  # type: ignore[arg-type]
        pulled = await consumer.api.get(f"/api/transfers/{transfer['id']}/data", headers={"Accept": "text/csv"})
        assert pulled.status_code == 200, pulled.text
    sides: dict[str, Side] = {}
    for tenant in (a, b):
        browser = await sign_in(space, tenant, f"admin-{tenant.name}")
        home = await browser.get("/portal/")
        await publish(tenant, SAMPLE_CSV, offer_policy("urn:sangsaeng:participant:nobody"))  # type: ignore[arg-type]
        staged = await browser.post(
            "/portal/add",
            data={"csrf": csrf_of(home.text), "entity": "quality_result"},
            files={"file": ("x.csv", SAMPLE_CSV.encode())},
        )
        token = staged.headers.get("location", "").rsplit("/", 1)[-1]
        assert staged.status_code == 303 and token, staged.text
        minted = [
            body["dataAddress"]
            for _, path, body in space.router.sent
            if path.endswith("/start") and body["dataAddress"]["endpoint"].startswith(tenant.url + "/data/")
        ]
        data_token = _token_of(minted[0])
        me = tenant.context.connector
        credentials = Credentials(
            tenant.init.api_key,
            browser.cookies.get("sangsaeng_session") or "",
            csrf_of(home.text),
            lambda me=me: me.peer.bearer(me.participant_id),  # type: ignore[misc]
            data_token,
        )
        sides[tenant.name] = Side(tenant, await ids_of(tenant, token), credentials)
        await browser.aclose()
    return sides


def _token_of(address: dict[str, Any]) -> str:
    for item in address.get("endpointProperties", []):
        if str(item.get("name", "")).lower().endswith("authorization"):
            return str(item["value"]).removeprefix("Bearer ")
    raise AssertionError(f"no token in {address}")


def stranger(side: Side) -> Credentials:
    """Credentials of each kind that let no one in anywhere here: a key and a session of no context, a protocol
    token addressed to a participant no context is, a data-plane token no context minted."""
    me = side.tenant.context.connector
    return Credentials(
        "k" * len(side.credentials.api_key),
        "s" * len(side.credentials.session),
        "c" * len(side.credentials.csrf),
        lambda: me.peer.bearer("urn:sangsaeng:participant:nobody"),
        side.credentials.data[:-8] + "AAAAAAAA",
    )


async def send(
    space: Space, at: str, call: Call, values: dict[str, str], cred: Credentials | None
) -> tuple[int, str, str]:
    path = call.template
    for slot, value in values.items():
        if slot.startswith("path:"):
            path = re.sub(r"\{" + slot[5:] + r"(?::[^}]*)?\}", quote(value, safe=""), path)
    query = {slot[6:]: v for slot, v in values.items() if slot.startswith("query:")}
    headers: dict[str, str] = {}
    content: bytes | None = None
    family = call.template.split("/")[1]
    if cred is not None and family == "api":
        headers["X-API-Key"] = cred.api_key
    if cred is not None and family == "dsp":
        headers["Authorization"] = f"Bearer {cred.dsp()}"
    if cred is not None and family == "data":
        headers["Authorization"] = f"Bearer {cred.data}"
    if cred is not None and family == "hub":  # the hub's routes take either: its operator's key, a member's token
        headers["X-API-Key"] = cred.api_key
        headers["Authorization"] = f"Bearer {cred.dsp()}"
    if cred is not None and family == "portal":
        headers["Cookie"] = f"sangsaeng_session={cred.session}"
    if call.method in ("POST", "PUT"):
        if family == "portal":
            form = {"csrf": cred.csrf if cred else ""}
            content = "&".join(f"{k}={quote(v)}" for k, v in form.items()).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        else:
            schema = space.app.openapi()
            fields = _json_fields(schema, schema["paths"].get(call.template, {}).get(call.method.lower(), {}))
            body: dict[str, Any] = {k: _minimal(v) for k, v in fields.items() if _minimal(v) is not None}
            body.update({slot[5:]: v for slot, v in values.items() if slot.startswith("body:")})
            pid = next((v for slot, v in values.items() if slot == "path:pid"), "urn:uuid:x")
            if family == "dsp":
                body.update({"@context": ["https://w3id.org/dspace/2025/1/context.jsonld"], "@type": "x"})
                body.update({"providerPid": pid, "consumerPid": pid})
            content = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
    assert space.anyone is not None
    base = f"/c/{at}" if at else ""  # "": the root context (a hub's own routes)
    response = await space.anyone.request(call.method, base + path, params=query, content=content, headers=headers)
    return response.status_code, response.headers.get("location", ""), response.text


def masked(answer: tuple[int, str, str], *ids: str) -> tuple[int, str, str]:
    status, location, text = answer
    for value in ids:
        for form in {value, quote(value, safe=""), quote(value), json.dumps(value)[1:-1]}:
            text, location = text.replace(form, "<id>"), location.replace(form, "<id>")
    text = re.sub(r'name="csrf" value="[^"]+"', 'name="csrf" value="<csrf>"', text)
    return status, location, text


async def settled(tenants: list[Tenant]) -> dict[str, Any]:
    """Snapshots once the logs' writers have written what they were given (two looks alike, within a deadline)."""
    last: dict[str, Any] | None = None
    with anyio.move_on_after(10):
        while True:
            now = {t.name: await anyio.to_thread.run_sync(snapshot, t) for t in tenants}
            if now == last:
                return now
            last = now
            await anyio.sleep(0.1)
    raise AssertionError("the contexts' state did not settle in 10 s")


def only_refusals(name: str, diff: dict[str, tuple[list[str], list[str]]], session: str) -> None:
    """The called context's state may gain its refusals in its log (and what the log and the replay guard keep
    with them, and its caller's session's last use); nothing else may change."""
    for table, (gone, new) in diff.items():
        if table == "audit_entries":
            assert not gone, (name, table, gone)
            for row in new:
                entry = json.loads(json.loads(row)["entry"])
                assert entry["kind"] in REFUSALS, (name, entry)
                assert entry["kind"] != "protocol.received" or 400 <= entry["status"] < 500, (name, entry)
        elif table in ("audit_heads", "seen_tokens"):
            assert not gone, (name, table, gone)
        elif table == "portal_sessions":
            assert len(gone) == len(new) <= 1, (name, table, diff[table])
        else:
            raise AssertionError(f"{name}: {table} changed: {diff[table]}")


async def attack(space: Space, sides: dict[str, Side], attacker: str, victim: str) -> int:
    me, them = sides[attacker], sides[victim]
    bystanders = [space.tenants[n] for n in space.tenants if n != attacker]
    calls = calls_of(space)
    assert len(calls) > 100
    owned = ("agreement", "dataset", "offer", "negotiation", "transfer", "process", "staging", "user")
    for kind in owned:  # each kind of record has some the attacker has no share of: (1) cannot pass empty
        assert [v for v in them.ids[kind] if v not in me.ids[kind]], kind
    before = await settled([me.tenant, *bystanders])
    compared = 0
    covered: set[tuple[str, str]] = set()
    # (1) my credentials, my prefix, their ids: as an unknown id.
    for call in calls:
        own = {slot: (me.ids[kind] or [OWN_DEFAULTS.get(kind, "x")])[0] for slot, kind in call.slots.items()}
        for slot, kind in call.slots.items():
            theirs = [v for v in them.ids[kind] if v not in me.ids[kind]][:3]
            for value in theirs:
                foreign = await send(space, attacker, call, {**own, slot: value}, me.credentials)
                fresh = unknown_like(value)
                unknown = await send(space, attacker, call, {**own, slot: fresh}, me.credentials)
                assert foreign[0] < 500, (call, value, foreign)
                assert masked(foreign, value) == masked(unknown, fresh), (call, slot, value, foreign[:2], unknown[:2])
                compared += 1
                covered.add((call.method, call.template))
    missed = [c for c in calls if any(k in owned for k in c.slots.values()) and (c.method, c.template) not in covered]
    assert not missed, missed
    # (2) my credentials at their prefix: as credentials of no one.
    nobody = stranger(me)
    for call in calls:
        own = {slot: (me.ids[kind] or [OWN_DEFAULTS.get(kind, "x")])[0] for slot, kind in call.slots.items()}
        mine = await send(space, victim, call, own, me.credentials)
        theirs = await send(space, victim, call, own, nobody)
        assert mine[0] < 500, (call, mine)
        assert masked(mine) == masked(theirs), (call, mine[:2], theirs[:2])
        compared += 1
    after = await settled([me.tenant, *bystanders])
    for tenant in [me.tenant, *bystanders]:
        diff = changes(before[tenant.name], after[tenant.name])
        if tenant.name in (attacker, victim):
            only_refusals(tenant.name, diff, me.credentials.session)
        else:
            assert diff == {}, (tenant.name, diff)
    return compared


async def matrix(tmp_path: Path, database_url: str = "") -> None:
    async with hosted(tmp_path, ["a", "b", "c"], database_url) as space:
        sides = await trade(space)
        for attacker, victim in (("a", "b"), ("b", "a")):
            assert await attack(space, sides, attacker, victim) > 150


async def test_attack_matrix_on_sqlite(tmp_path: Path) -> None:
    await matrix(tmp_path)


async def test_attack_matrix_on_postgresql_schemas(tmp_path: Path, postgres_url: str) -> None:
    await matrix(tmp_path, postgres_url)
