"""One place that turns errors into HTTP answers.

Management API and data plane: ``{"error": {"code", "message", "position"?, "hint"?, "details"?}}``.
Protocol API (``/dsp``): the protocol's own error objects (``ContractNegotiationError``, ``TransferError``,
``CatalogError`` with ``code`` and ``reason``), as DSP 2025-1 requires.
"""

from __future__ import annotations

import math
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from sangsaeng.dsp.messages import error_object
from sangsaeng.errors import InvalidInput, RetryLater, SangsaengError
from sangsaeng.tenants.context import route_path

log = structlog.get_logger(__name__)

PROTOCOL_PREFIX = "/dsp"


def _protocol_type(path: str) -> str | None:
    if not path.startswith(PROTOCOL_PREFIX + "/"):
        return None
    rest = path[len(PROTOCOL_PREFIX) :]
    if rest.startswith("/negotiations"):
        return "ContractNegotiationError"
    if rest.startswith("/transfers"):
        return "TransferError"
    return "CatalogError"


def error_response(
    request: Request, status: int, error: dict[str, Any], body: Any = None, extra: dict[str, str] | None = None
) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
    headers.update(extra or {})
    kind = _protocol_type(route_path(request.scope))
    if kind is None:
        content: Any = {"error": error}
    else:
        reasons = [error["message"]]
        if error.get("position"):
            reasons.append(f"at {error['position']}")
        reasons.extend(error.get("details", {}).get("reasons", []))
        provider_pid, consumer_pid = request.state.pids if hasattr(request.state, "pids") else (None, None)
        content = error_object(kind, error["code"], reasons, provider_pid, consumer_pid)
    try:
        return JSONResponse(content, status_code=status, headers=headers)
    except (UnicodeEncodeError, ValueError):
        # An answer that quotes what was sent (an id, a message) must not fail on text UTF-8 cannot encode.
        return JSONResponse(_encodable(content), status_code=status, headers=headers)


def _encodable(value: Any) -> Any:
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, dict):
        return {_encodable(k): _encodable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_encodable(v) for v in value]
    if value is None or isinstance(value, bool | int) or (isinstance(value, float) and math.isfinite(value)):
        return value
    return str(value)


def install(app: FastAPI) -> None:
    @app.exception_handler(SangsaengError)
    async def _typed(request: Request, exc: SangsaengError) -> JSONResponse:
        if exc.status >= 500 and not isinstance(exc, RetryLater):  # load, not a fault
            log.error("request.failed", path=request.url.path, code=exc.code, message=exc.message)
        return error_response(request, exc.status, exc.to_dict(), extra=exc.headers())

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        error = InvalidInput(
            f"{first.get('msg', 'invalid request')}", position=where or None, details={"errors": _plain(exc.errors())}
        )
        return error_response(request, 400, error.to_dict())

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
        return error_response(request, exc.status_code, {"code": code, "message": str(exc.detail)})

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("request.crashed", path=request.url.path)
        return error_response(request, 500, {"code": "internal-error", "message": "internal error; see the log"})


def _plain(errors: Any) -> list[dict[str, Any]]:
    return [{"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg"))} for e in errors]
