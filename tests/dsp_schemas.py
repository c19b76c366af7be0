"""The official DSP 2025-1 schemas from ../shared/spec, resolved locally (never over the network)."""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft201909Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT201909

SPEC = Path(
    os.environ.get("SANGSAENG_DSP_SPEC", Path(__file__).resolve().parents[2] / "shared" / "spec" / "dsp-2025-1")
)
if not (SPEC / "negotiation").is_dir():  # refuse to run conformance tests against nothing
    raise RuntimeError(
        f"the DSP 2025-1 schemas are not at {SPEC}; put shared/ beside the project or set SANGSAENG_DSP_SPEC"
    )
BASE = "https://w3id.org/dspace/2025/1/"

SCHEMA_OF_TYPE = {
    "CatalogRequestMessage": "catalog/catalog-request-message-schema.json",
    "DatasetRequestMessage": "catalog/dataset-request-message-schema.json",
    "Catalog": "catalog/catalog-schema.json",
    "Dataset": "catalog/dataset-schema.json",
    "CatalogError": "catalog/catalog-error-schema.json",
    "ContractRequestMessage": "negotiation/contract-request-message-schema.json",
    "ContractOfferMessage": "negotiation/contract-offer-message-schema.json",
    "ContractAgreementMessage": "negotiation/contract-agreement-message-schema.json",
    "ContractAgreementVerificationMessage": "negotiation/contract-agreement-verification-message-schema.json",
    "ContractNegotiationEventMessage": "negotiation/contract-negotiation-event-message-schema.json",
    "ContractNegotiationTerminationMessage": "negotiation/contract-negotiation-termination-message-schema.json",
    "ContractNegotiation": "negotiation/contract-negotiation-schema.json",
    "ContractNegotiationError": "negotiation/contract-negotiation-error-schema.json",
    "TransferRequestMessage": "transfer/transfer-request-message-schema.json",
    "TransferStartMessage": "transfer/transfer-start-message-schema.json",
    "TransferCompletionMessage": "transfer/transfer-completion-message-schema.json",
    "TransferSuspensionMessage": "transfer/transfer-suspension-message-schema.json",
    "TransferTerminationMessage": "transfer/transfer-termination-message-schema.json",
    "TransferProcess": "transfer/transfer-process-schema.json",
    "TransferError": "transfer/transfer-error-schema.json",
}


@cache
def registry() -> Registry:  # type: ignore[type-arg]
    resources = []
    for path in SPEC.rglob("*-schema.json"):
        schema = json.loads(path.read_text())
        resources.append((schema["$id"], Resource.from_contents(schema, default_specification=DRAFT201909)))
    return Registry().with_resources(resources)


@cache
def validator(relative: str) -> Draft201909Validator:
    schema = json.loads((SPEC / relative).read_text())
    return Draft201909Validator(schema, registry=registry())


def problems(document: Any, relative: str | None = None) -> list[str]:
    """Schema violations of a message (by its @type unless a schema is named); empty when it conforms."""
    if relative is None:
        kind = document.get("@type") if isinstance(document, dict) else None
        if kind not in SCHEMA_OF_TYPE:
            return [f"no schema for @type {kind!r}"]
        relative = SCHEMA_OF_TYPE[kind]
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator(relative).iter_errors(document)]


def example(relative: str) -> Any:
    return json.loads((SPEC / relative).read_text())
