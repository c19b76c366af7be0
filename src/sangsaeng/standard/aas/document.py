"""An environment as the standard JSON, verified by aas-core both ways: nothing invalid is written, and nothing
is read that does not verify."""

from __future__ import annotations

from typing import Any

import aas_core3.jsonization as jsonization
import aas_core3.types as aas
import aas_core3.verification as verification

from sangsaeng.standard.said import refusal


def _refuse_faults(environment: aas.Environment) -> None:
    problems = [f"{e.path}: {e.cause}" for e in verification.verify(environment)]
    if problems:
        raise refusal("aas.unverified", extra={"problems": problems}, problem=problems[0])


def to_document(environment: aas.Environment) -> dict[str, Any]:
    """The environment's JSON; refused if aas-core finds fault."""
    _refuse_faults(environment)
    jsonable = jsonization.to_jsonable(environment)
    assert isinstance(jsonable, dict)
    return dict(jsonable)


def from_document(document: Any) -> aas.Environment:
    """The environment a JSON document holds; refused if it is not one or does not verify."""
    try:
        environment = jsonization.environment_from_jsonable(document)
    except jsonization.DeserializationException as exc:
        raise refusal("aas.not-environment", at=str(exc.path), problem=exc.cause) from exc
    _refuse_faults(environment)
    return environment
