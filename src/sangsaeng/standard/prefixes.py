"""A field's ``prefix``: text put before each value a column holds, so that a company's own numbers become the
identifiers a standard asks for — a part number ``BRK-2041`` with ``prefix: "urn:pact:hanbit.example:product-id:"``
is ``urn:pact:hanbit.example:product-id:BRK-2041``, the URN form PACT's ``productIds`` show. No I/O.

- A value that already begins with the prefix's scheme (``urn:`` for a URN prefix, ``https:`` for a URL one)
  is an identifier already and is kept as written; a prefix without a scheme is put before every value that
  does not already begin with it.
- Where the prefix is a URI (it has a scheme), the value is percent-encoded as RFC 3986 and RFC 8141 require of
  a URN's namespace-specific string: every character that is not unreserved, a sub-delimiter, ``:``, ``@`` or
  ``/`` — non-ASCII letters, spaces, ``#``, ``?``, ``%`` — becomes ``%XX`` of its UTF-8 bytes (``브래킷`` →
  ``%EB%B8%8C%EB%9E%98%ED%82%B7``).
- In a list cell each item gets the prefix.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pyarrow as pa
import pyarrow.compute as pc

from sangsaeng.standard.pact.vocabulary import URN
from sangsaeng.standard.said import Problem

SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_SAFE = "-._~!$&'()*+,;=:@/"  # pchar and "/", beside letters and digits: what stays as written
_UNSAFE = r"[^A-Za-z0-9\-._~!$&'()*+,;=:@/]"
_CONTROL = re.compile(r"[\s\x00-\x1f\x7f]")


def scheme_of(prefix: str) -> str | None:
    """The prefix's URI scheme, lower case (``urn``), or None for a plain text prefix."""
    found = SCHEME.match(prefix)
    return found.group(0)[:-1].lower() if found else None


def problem(prefix: str) -> Problem | None:
    """Why ``prefix`` cannot be used, or None: it must be text without spaces, and a URN prefix must make a URN
    of any value (``urn:<namespace>:`` and more)."""
    if not prefix or _CONTROL.search(prefix):
        return Problem("mapping.prefix.spaces")
    if scheme_of(prefix) == "urn" and not URN.fullmatch(prefix + "0"):
        return Problem("mapping.prefix.not-urn", prefix=prefix)
    return None


def prefixed_one(prefix: str, value: str) -> str:
    """One value with the prefix (see the module)."""
    scheme = scheme_of(prefix)
    if scheme is None:
        return value if value.startswith(prefix) else prefix + value
    if value.lower().startswith(scheme + ":"):
        return value
    return prefix + quote(value, safe=_SAFE)


def prefixed(text: pa.Array, prefix: str) -> pa.Array:
    """A column of readable text (nulls stay null) with the prefix: values of plain characters in one pass, only
    those that need percent-encoding one at a time (once per distinct value)."""
    scheme = scheme_of(prefix)
    if scheme is None:
        kept = pc.starts_with(text, prefix)
    else:
        kept = pc.match_substring_regex(text, f"^{re.escape(scheme)}:", ignore_case=True)
    kept = pc.fill_null(kept, True)
    joined = pc.binary_join_element_wise(pa.scalar(prefix), text, "")
    out = pc.if_else(kept, text, joined)
    if scheme is None:
        return out
    unsafe = pc.and_(pc.invert(kept), pc.fill_null(pc.match_substring_regex(text, _UNSAFE), False))
    if not pc.any(unsafe).as_py():
        return out
    encoded = pc.dictionary_encode(text.filter(unsafe))
    written = pa.array([prefixed_one(prefix, v) for v in encoded.dictionary.to_pylist()], pa.string())
    return pc.replace_with_mask(out, unsafe, pc.take(written, encoded.indices))
