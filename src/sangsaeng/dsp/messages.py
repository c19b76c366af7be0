"""Build and read DSP 2025-1 messages (JSON-LD in compact form, as the specification's examples show).

Readers are strict: a message without the DSP ``@context``, with another ``@type`` or without a required id is
refused with ``InvalidMessage`` naming what is wrong, so the endpoint answers 400 with the protocol's error
object rather than guessing.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from sangsaeng.errors import InvalidMessage

CONTEXT_URL = "https://w3id.org/dspace/2025/1/context.jsonld"
CONTEXT = [CONTEXT_URL]
VERSION = "2025-1"
PULL_FORMAT = "HttpData-PULL"
HTTP_ENDPOINT_TYPE = "https://w3id.org/idsa/v4.1/HTTP"

# Our profile's extension: an Ed25519 signature over the RFC 8785 form of the agreement (PROTOCOL.md).
SIGNATURE_KEY = "sangsaengSignature"


def message(type_: str, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"@context": CONTEXT, "@type": type_}
    body.update({k: v for k, v in fields.items() if v is not None})
    return body


def error_object(
    type_: str, code: str, reasons: list[str], provider_pid: str | None = None, consumer_pid: str | None = None
) -> dict[str, Any]:
    """ContractNegotiationError / TransferError / CatalogError. Ids are echoed only as the caller sent them."""
    body = message(type_, code=code, reason=reasons or ["error"])
    if type_ != "CatalogError":
        body["providerPid"] = provider_pid or ""
        body["consumerPid"] = consumer_pid or ""
    return body


def read(body: Any, expected_type: str, required: tuple[str, ...] = ()) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise InvalidMessage("the message body must be a JSON object")
    context = body.get("@context")
    contexts = context if isinstance(context, list) else [context]
    if CONTEXT_URL not in contexts:
        raise InvalidMessage(f"the message lacks the DSP 2025-1 @context {CONTEXT_URL!r}", position="@context")
    if body.get("@type") != expected_type:
        raise InvalidMessage(f"expected @type {expected_type!r}, got {body.get('@type')!r}", position="@type")
    for key in required:
        value = body.get(key)
        if not isinstance(value, str) or not value:
            raise InvalidMessage(f"{expected_type} needs a non-empty string '{key}'", position=key)
    return body


def pids(body: Any) -> tuple[str | None, str | None]:
    """The provider and consumer process ids a (possibly malformed) message names, for error objects."""
    if not isinstance(body, dict):
        return None, None
    provider, consumer = body.get("providerPid"), body.get("consumerPid")
    return (provider if isinstance(provider, str) else None, consumer if isinstance(consumer, str) else None)


def segment_safe(pid: str) -> bool:
    return pid not in ("", ".", "..") and "/" not in pid and "\\" not in pid


def path_segment(pid: str, position: str = "providerPid") -> str:
    """A peer's process id as one URL path segment of the address we send to. Ids with a slash or backslash, and
    ``.``/``..``, are refused (a server that decodes before resolving dot segments would climb out of the
    callback with them); anything else is percent-encoded, so ``?``, ``#`` and ``%`` stay inside the segment.
    DSP leaves ids opaque; ours are ``urn:uuid:…``."""
    if not segment_safe(pid):
        raise InvalidMessage(f"{position} {pid!r} cannot name a process in a URL path", position=position)
    return quote(pid, safe=":@!$&'()*+,;=")


def data_address(endpoint: str, token: str) -> dict[str, Any]:
    return {
        "@type": "DataAddress",
        "endpointType": HTTP_ENDPOINT_TYPE,
        "endpoint": endpoint,
        "endpointProperties": [
            {"@type": "EndpointProperty", "name": "authorization", "value": token},
            {"@type": "EndpointProperty", "name": "authType", "value": "bearer"},
        ],
    }


def read_data_address(address: Any) -> tuple[str, str]:
    if not isinstance(address, dict) or not isinstance(address.get("endpoint"), str):
        raise InvalidMessage("dataAddress needs an 'endpoint'", position="dataAddress")
    props = {p.get("name"): p.get("value") for p in address.get("endpointProperties", []) if isinstance(p, dict)}
    token = props.get("authorization")
    if not isinstance(token, str):
        raise InvalidMessage("dataAddress needs an 'authorization' endpoint property", position="dataAddress")
    return address["endpoint"], token
