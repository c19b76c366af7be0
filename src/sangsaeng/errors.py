"""Typed errors with stable codes: the one vocabulary every edge (HTTP, CLI) maps from.

Each error carries a stable ``code`` (never reworded: clients and tests rely on it), a message a person
reads, an optional ``position`` (where in the input: a JSON path, a row and field, a header) and an optional
``hint`` (how to fix it). HTTP status mapping lives here too so that it is decided in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar


@dataclass
class SangsaengError(Exception):
    message: str
    position: str | None = None
    hint: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    code: ClassVar[str] = "error"
    status: ClassVar[int] = 500

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def headers(self) -> dict[str, str]:
        """HTTP headers the answer carries besides the body."""
        return {}

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.position is not None:
            body["position"] = self.position
        if self.hint is not None:
            body["hint"] = self.hint
        if self.details:
            body["details"] = self.details
        return body


class InvalidInput(SangsaengError):
    code = "invalid-input"
    status = 400


class InvalidPolicy(SangsaengError):
    code = "invalid-policy"
    status = 422


class DataRejected(SangsaengError):
    """A file that was read whole but holds more problems than allowed; ``details`` carries the report."""

    code = "data-rejected"
    status = 422


class InvalidMessage(SangsaengError):
    """A protocol message that does not follow DSP 2025-1."""

    code = "invalid-message"
    status = 400


class InvalidTransition(SangsaengError):
    code = "invalid-transition"
    status = 400


class Unauthenticated(SangsaengError):
    code = "unauthenticated"
    status = 401


class Forbidden(SangsaengError):
    code = "forbidden"
    status = 403


class NotFound(SangsaengError):
    code = "not-found"
    status = 404


class Conflict(SangsaengError):
    code = "conflict"
    status = 409


class RetryLater(SangsaengError):
    """Refused for now, not for good: ``details["retryAfter"]`` says in how many seconds to come back."""

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.details.get("retryAfter", 1))}


class TooManyRequests(RetryLater):
    """Too many messages of one kind from one caller."""

    code = "too-many-requests"
    status = 429


class NotAcceptable(SangsaengError):
    code = "not-acceptable"
    status = 406


class ContentTooLarge(SangsaengError):
    """A request body over the route's limit (``web/limits.py``)."""

    code = "too-large"
    status = 413


class Busy(RetryLater):
    """Every slot for this kind of work is taken."""

    code = "busy"
    status = 503


class PeerError(SangsaengError):
    """The other connector could not be reached or answered with an error."""

    code = "peer-error"
    status = 502


class ConfigurationError(SangsaengError):
    code = "configuration-error"
    status = 500


class UnknownUnit(InvalidInput):
    code = "unknown-unit"


class UnitMismatch(InvalidInput):
    """A unit of another dimension than the field needs (kgCO2e where kg is expected, say)."""

    code = "unit-mismatch"
