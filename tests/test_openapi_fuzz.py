"""Schemathesis over the connector's own OpenAPI document, in-process: cases generated from every operation's
schema (valid and not), sent with the API key; no answer is a server error, and each documented answer
conforms to its schema. Bounded so that it stays a few seconds of the suite."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
import anyio.from_thread
import anyio.to_thread
import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from tests.helpers import SAMPLE_CSV, dataspace, negotiate, offer_policy, publish, start_transfer

pytestmark = pytest.mark.anyio
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture
async def connector(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, Any], list[str]]]:
    """A provider with a dataset, an offer, an agreement and a started transfer, so that ids can be real."""
    async with dataspace(tmp_path, ["supplier", "oem"]) as space:
        supplier, oem = space.parties["supplier"], space.parties["oem"]
        dataset_id, offer_id = await publish(supplier, SAMPLE_CSV, offer_policy(oem.id))
        negotiation = await negotiate(oem, supplier, dataset_id, offer_id)
        await start_transfer(oem, negotiation["agreementId"])
        transport = httpx.ASGITransport(app=supplier.app, raise_app_exceptions=False)
        async with httpx.AsyncClient(
            transport=transport, base_url=supplier.settings.public_url, headers={"X-API-Key": supplier.init.api_key}
        ) as client:
            document = (await client.get("/openapi.json")).json()
            yield client, document, [dataset_id, offer_id, negotiation["agreementId"]]


async def call(client: httpx.AsyncClient, kwargs: dict[str, Any]) -> httpx.Response:
    """A request that schemathesis serialised for ``requests``, sent with httpx."""
    body: dict[str, Any] = {}
    headers = {**client.headers, **(kwargs.get("headers") or {})}
    if "json" in kwargs:
        body["content"] = json.dumps(kwargs["json"]).encode()
    elif isinstance(kwargs.get("data"), bytes | str):
        body["content"] = kwargs["data"]
    elif kwargs.get("data") is not None or kwargs.get("files"):
        # Multipart parts as ``requests`` encodes them (schemathesis prepared them for it).
        prepared = requests.PreparedRequest()
        prepared.prepare_headers(None)
        prepared.prepare_body(kwargs.get("data"), kwargs.get("files"))
        body["content"] = prepared.body
        headers["Content-Type"] = prepared.headers["Content-Type"]
    request = client.build_request(
        kwargs["method"],
        kwargs["url"],
        headers=headers,
        params=kwargs.get("params"),
        cookies=kwargs.get("cookies"),
        **body,
    )
    await request.aread()  # the checks look at what was sent, multipart bodies included
    return await client.send(request)


async def test_no_operation_of_the_openapi_document_answers_with_a_server_error_or_off_schema(
    connector: tuple[httpx.AsyncClient, dict[str, Any], list[str]],
) -> None:
    client, document, ids = connector
    schema = schemathesis.openapi.from_dict(document)
    base = str(client.base_url).rstrip("/")
    cases = st.one_of(
        schema.as_strategy(GenerationMode.POSITIVE),
        schema.as_strategy(GenerationMode.NEGATIVE),
    )

    @settings(
        max_examples=800,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(cases, st.sampled_from([None, *ids]))
    def check(case: Any, known: str | None) -> None:
        if known is not None and case.path_parameters:  # a real record now and then, so answers are not all 404
            case.path_parameters = dict.fromkeys(case.path_parameters, known)
        kwargs = case.as_transport_kwargs(base_url=base)
        response = anyio.from_thread.run(call, client, kwargs)
        case.validate_response(response, checks=CHECKS)

    await anyio.to_thread.run_sync(check)
