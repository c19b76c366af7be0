"""What pydantic found wrong in a mapping, in the words of the ``standard`` catalog: a ``Problem`` a validator
raised says itself; the common kinds of error (an unknown key, a missing field, a value of the wrong type) are
said by their pydantic ``type`` with where they are; any other keeps pydantic's English behind a Korean lead."""

from __future__ import annotations

from typing import Any, Final

from pydantic_core import ErrorDetails

from sangsaeng.standard.said import PerLanguage, Problem, term, words

KINDS: Final = {
    "extra_forbidden": "mapping.input.extra-forbidden",
    "missing": "mapping.input.missing",
    "string_type": "mapping.input.string-type",
    "int_type": "mapping.input.int-type",
    "int_parsing": "mapping.input.int-type",
    "int_from_float": "mapping.input.int-type",
    "float_type": "mapping.input.float-type",
    "float_parsing": "mapping.input.float-type",
    "bool_type": "mapping.input.bool-type",
    "bool_parsing": "mapping.input.bool-type",
    "dict_type": "mapping.input.dict-type",
    "model_type": "mapping.input.dict-type",
    "model_attributes_type": "mapping.input.dict-type",
    "list_type": "mapping.input.list-type",
    "literal_error": "mapping.input.literal-error",
    "enum": "mapping.input.literal-error",
    "greater_than": "mapping.input.greater-than",
    "greater_than_equal": "mapping.input.greater-than-equal",
    "less_than_equal": "mapping.input.less-than-equal",
}
OTHER: Final = "mapping.input.other"
TOP: Final = "mapping.input.top"
SHOWN: Final = 60  # characters of a wrong value a sentence shows


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"


def said_of(error: ErrorDetails) -> PerLanguage:
    """The sentence saying ``error``, in the language of the refusal it goes into."""
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, Problem):
        return PerLanguage(cause.said)
    where: Any = ".".join(str(p) for p in error["loc"]) or term(TOP)
    context = error.get("ctx") or {}
    values = {
        "where": where,
        "value": _shown(error.get("input")),
        "expected": context.get("expected", ""),
        "limit": context.get("gt", context.get("ge", context.get("le", ""))),
        "message": error["msg"],
    }
    key = KINDS.get(error["type"], OTHER)
    return PerLanguage(lambda language: words(key, language, **values))
