"""RFC 8785 (JCS) canonical JSON, fast for the documents this project writes.

Documents of strings, integers in I-JSON's safe range, booleans, nulls, lists and objects with ASCII keys are
serialised by orjson with sorted keys, which for them is byte for byte what JCS prescribes (a property test
holds the two together); anything else (floats, keys beyond ASCII, huge integers) goes through the ``rfc8785``
reference implementation.
"""

from __future__ import annotations

from typing import Any

import orjson
import rfc8785

SAFE = 2**53 - 1


def _plain(document: Any) -> bool:
    """Whether every value is one orjson writes as JCS does (exact types: a float, or a subclass, is not)."""
    stack = [document]
    while stack:
        value = stack.pop()
        kind = type(value)
        if kind is str or kind is bool or value is None:
            continue
        if kind is int:
            if not -SAFE <= value <= SAFE:
                return False
        elif kind is dict:
            for key in value:
                if type(key) is not str or not key.isascii():
                    return False
            stack.extend(value.values())
        elif kind is list or kind is tuple:
            stack.extend(value)
        else:
            return False
    return True


def canonical(document: Any) -> bytes:
    if _plain(document):
        return orjson.dumps(document, option=orjson.OPT_SORT_KEYS)
    return bytes(rfc8785.dumps(document))
