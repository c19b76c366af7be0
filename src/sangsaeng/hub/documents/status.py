"""The status list (W3C Bitstring Status List style): bit ``i`` — the most significant bit of byte 0 is index 0 —
set means the credential whose ``status.idx`` is ``i`` is revoked. At least 131,072 bits, so that which bit a
verifier looks at says little about whose credential it checks; gzip-compressed, base64url without padding."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterable

from sangsaeng.identity.keys import b64url, b64url_decode

MIN_BITS = 131_072
MAX_BYTES = 16 << 20  # a list larger than this when unpacked is refused rather than read


def encode(revoked: Iterable[int]) -> str:
    indexes = sorted(set(revoked))
    if indexes and indexes[0] < 0:
        raise ValueError("a status index is never negative")
    size = max(MIN_BITS, ((indexes[-1] // 8) + 1) * 8 if indexes else 0)
    bits = bytearray(size // 8)
    for index in indexes:
        bits[index // 8] |= 0x80 >> (index % 8)
    return b64url(gzip.compress(bytes(bits), mtime=0))


def decode(text: str) -> bytes:
    """The bitstring, unpacked to at most ``MAX_BYTES``; ``ValueError`` for anything else."""
    try:
        packed = b64url_decode(text)
        unpacking = zlib.decompressobj(wbits=31)
        bits = unpacking.decompress(packed, MAX_BYTES)
    except (ValueError, zlib.error) as exc:
        raise ValueError(f"the status list is not gzip in base64url: {exc}") from exc
    if unpacking.unconsumed_tail or not unpacking.eof:
        raise ValueError("the status list is cut off or larger than it may be")
    if len(bits) * 8 < MIN_BITS:
        raise ValueError(f"the status list has fewer than {MIN_BITS} bits")
    return bits


def is_set(bits: bytes, index: int) -> bool:
    """Whether bit ``index`` is set; an index beyond the list is ``ValueError`` (the list cannot say)."""
    if not 0 <= index < len(bits) * 8:
        raise ValueError(f"status index {index} is outside a list of {len(bits) * 8} bits")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))
