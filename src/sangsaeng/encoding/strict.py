"""Strict JSON for what others send us: a request body, a partner's answer.

Pure (no web framework): the request limits (``web/limits.py``), the protocol routes, the relays and the catalog
client all read JSON through ``read_json``, so a document is refused the same way wherever it comes in.
"""

from __future__ import annotations

from typing import Any

import orjson

from sangsaeng.errors import InvalidMessage, SangsaengError


def read_json(raw: bytes, max_depth: int, error: type[SangsaengError] = InvalidMessage) -> Any:
    """Parse a JSON body, refusing (as ``error``, with the position) what is not strict JSON in UTF-8 — lone
    surrogates, NaN, numbers beyond a double — and documents nested deeper than ``max_depth`` or holding a NUL
    (which PostgreSQL cannot store). The depth is checked iteratively: code downstream recurses."""
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise error(
            f"the body is not valid JSON in UTF-8: {exc.msg}",
            position=f"line {exc.lineno}, column {exc.colno}",
            hint="send one JSON document, UTF-8 encoded, without lone surrogates, NaN or Infinity",
        ) from exc
    problem = _problem(value, max_depth)
    if problem is not None:
        what, where = problem
        raise error(what, position=where, hint="send plain JSON: ids and texts without NUL, shallow nesting")
    return value


def _problem(value: Any, max_depth: int) -> tuple[str, str] | None:
    # (node, depth, path) with path a linked (parent, key) pair: cheap to keep, spelled out only for an answer.
    stack: list[tuple[Any, int, Any]] = [(value, 1, None)]
    while stack:
        node, depth, path = stack.pop()
        if isinstance(node, str):
            if "\x00" in node:
                return "a text in the body holds the NUL character", _spell(path)
            continue
        if not isinstance(node, dict | list):
            continue
        if depth > max_depth:
            return f"the body is nested deeper than {max_depth} levels", _spell(path)
        if isinstance(node, dict):
            for key, item in node.items():
                if "\x00" in key:
                    return "a key in the body holds the NUL character", _spell(path)
                stack.append((item, depth + 1, (path, key)))
        else:
            stack.extend((item, depth + 1, (path, index)) for index, item in enumerate(node))
    return None


def _spell(path: Any) -> str:
    keys: list[Any] = []
    while path is not None:
        path, key = path
        keys.append(key)
    return "$" + "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in reversed(keys))
