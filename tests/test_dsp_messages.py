"""The typed DSP messages (dsp/catalog.py, dsp/negotiation.py, dsp/transfer.py): what they write conforms to the
official schemas for any ids, what they write they read back as it was, and the official examples of the messages
we receive read as the examples say."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sangsaeng.dsp import catalog as c
from sangsaeng.dsp import negotiation as n
from sangsaeng.dsp import transfer as t
from sangsaeng.dsp.messages import data_address
from sangsaeng.errors import InvalidMessage
from tests.dsp_schemas import example, problems

# Process ids as peers choose them: DSP leaves them opaque; ours are urn:uuid:…, others' may be anything that is
# one path segment.
pids = st.one_of(
    st.uuids().map(lambda u: f"urn:uuid:{u}"),
    st.text(st.characters(codec="utf-8", exclude_characters="/\\", exclude_categories=("Cs",)), min_size=1).filter(
        lambda s: s not in (".", "..")
    ),
)
reasons = st.lists(st.text(max_size=40), min_size=1, max_size=3)
AGREEMENT = example("negotiation/example/contract-agreement-message.json")["agreement"]
OFFER = example("negotiation/example/contract-request-message_initial.json")["offer"]
SIGNATURE = {"signer": "urn:example:provider", "alg": "EdDSA", "value": "c2lnbmF0dXJl"}


def written(message: Any) -> dict[str, Any]:
    body: dict[str, Any] = message.body()
    assert problems(body) == [], body
    return body


@settings(max_examples=60, deadline=None)
@given(provider=pids, consumer=pids, why=reasons)
def test_negotiation_messages_conform_and_read_back(provider: str, consumer: str, why: list[str]) -> None:
    sent: list[Any] = [
        n.ContractRequest(consumer, OFFER, callback_address="https://consumer.example/dsp", purpose="quality"),
        n.ContractRequest(consumer, OFFER, provider_pid=provider),
        n.ContractAgreementMessage(provider, consumer, AGREEMENT, "https://provider.example/dsp", SIGNATURE),
        n.ContractVerification(provider, consumer, SIGNATURE),
        n.ContractNegotiationEvent(provider, consumer, n.FINALIZE),
        n.ContractNegotiationEvent(provider, consumer, n.ACCEPT),
        n.ContractTermination(provider, consumer, "refused", why),
    ]
    for message in sent:
        assert type(message).read(written(message)) == message
    written(n.ContractNegotiation(provider, consumer, n.AGREED))


@settings(max_examples=60, deadline=None)
@given(provider=pids, consumer=pids, why=reasons)
def test_transfer_messages_conform_and_read_back(provider: str, consumer: str, why: list[str]) -> None:
    address = data_address("https://provider.example/data/x", "TOKEN")
    sent: list[Any] = [
        t.TransferRequest(consumer, "urn:uuid:agreement", callback_address="https://consumer.example/dsp"),
        t.TransferStart(provider, consumer),
        t.TransferStart(provider, consumer, address),
        t.TransferCompletion(provider, consumer),
        t.TransferSuspension(provider, consumer, "suspension", why),
        t.TransferTermination(provider, consumer, "termination", why),
    ]
    for message in sent:
        assert type(message).read(written(message)) == message
    endpoint_and_token = ("https://provider.example/data/x", "TOKEN")
    assert t.TransferStart(provider, consumer, address).endpoint_and_token() == endpoint_and_token
    assert t.TransferStart(provider, consumer).endpoint_and_token() is None
    written(t.TransferProcess(provider, consumer, t.STARTED))


def test_catalog_documents_conform() -> None:
    service = c.DataService("urn:example:provider#dsp", "https://provider.example/dsp")
    envelope = c.Catalog("urn:uuid:8d1a9f5e-0000-4000-8000-000000000001", "urn:example:provider", service)
    dataset = c.Dataset("urn:uuid:3dd1add4-4d2d-569e-d634-8394a8836d23", "품질 검사", "")
    offer = c.offer("urn:uuid:offer", {"permission": [{"action": "use"}]})
    whole = {**envelope.body(), "dataset": [{**dataset.head(), "hasPolicy": [offer], "distribution": []}]}
    whole["dataset"][0]["distribution"] = [c.Distribution(service.id).body()]
    assert problems(whole) == []
    assert problems(dataset.body([offer], c.Distribution(service.id))) == []
    assert c.CatalogRequest.read(written(c.CatalogRequest())) == c.CatalogRequest()
    with pytest.raises(InvalidMessage, match="filters are not supported"):
        c.CatalogRequest.read({**c.CatalogRequest().body(), "filter": [{"title": "x"}]})


@pytest.mark.parametrize(
    ("reader", "path"),
    [
        (n.ContractRequest, "negotiation/example/contract-request-message_initial.json"),
        (n.ContractRequest, "negotiation/example/contract-request-message.json"),
        (n.ContractOffer, "negotiation/example/contract-offer-message_initial.json"),
        (n.ContractOffer, "negotiation/example/contract-offer-message.json"),
        (n.ContractAgreementMessage, "negotiation/example/contract-agreement-message.json"),
        (n.ContractAgreementMessage, "negotiation/example/contract-agreement-message-full.json"),
        (n.ContractVerification, "negotiation/example/contract-agreement-verification-message.json"),
        (n.ContractNegotiationEvent, "negotiation/example/contract-negotiation-event-message.json"),
        (n.ContractTermination, "negotiation/example/contract-negotiation-termination-message.json"),
        (t.TransferRequest, "transfer/example/transfer-request-message.json"),
        (t.TransferStart, "transfer/example/transfer-start-message.json"),
        (t.TransferCompletion, "transfer/example/transfer-completion-message.json"),
        (t.TransferSuspension, "transfer/example/transfer-suspension-message.json"),
        (t.TransferTermination, "transfer/example/transfer-termination-message.json"),
        (c.CatalogRequest, "catalog/example/catalog-request-message.json"),
    ],
)
def test_the_official_examples_read_as_they_say(reader: Any, path: str) -> None:
    document = example(path)
    message = reader.read(document)
    for field, key in (("provider_pid", "providerPid"), ("consumer_pid", "consumerPid")):
        if key in document and hasattr(message, field):
            assert getattr(message, field) == document[key]


@pytest.mark.parametrize(
    ("reader", "body", "position"),
    [
        (n.ContractRequest, {"consumerPid": "a/../b", "offer": OFFER}, "consumerPid"),
        (n.ContractRequest, {"consumerPid": "c"}, "offer"),
        (n.ContractOffer, {"providerPid": "..", "offer": OFFER}, "providerPid"),
        (n.ContractAgreementMessage, {"providerPid": "p", "consumerPid": "c", "agreement": {}}, "agreement"),
        (n.ContractNegotiationEvent, {"providerPid": "p", "consumerPid": "c"}, "eventType"),
        (t.TransferRequest, {"consumerPid": "c", "agreementId": "a"}, "format"),
        (t.TransferCompletion, {"providerPid": "p"}, "consumerPid"),
    ],
)
def test_a_message_without_what_it_needs_is_refused_where_it_lacks_it(reader: Any, body: Any, position: str) -> None:
    with pytest.raises(InvalidMessage) as refused:
        reader.read({"@context": ["https://w3id.org/dspace/2025/1/context.jsonld"], "@type": reader.TYPE, **body})
    assert refused.value.position == position


def test_a_message_of_another_type_is_refused() -> None:
    with pytest.raises(InvalidMessage) as refused:
        t.TransferCompletion.read(t.TransferTermination("p", "c").body())
    assert refused.value.position == "@type"
