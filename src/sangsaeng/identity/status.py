"""Revocation of credentials by a status list (W3C Bitstring Status List style; docs/hub.md "Status list").

An issuer that revokes (the hub) publishes a signed bitstring: bit ``i`` set means the credential whose
``status.idx`` is ``i`` is revoked. Bit 0 is the most significant bit of byte 0 (Bitstring Status List v1.0,
§ 3.2 "Validate Algorithm"). The list is sent gzipped and base64url-encoded; it is unpacked to a bound, so a
hostile list cannot fill memory.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import datetime

from sangsaeng.identity.keys import b64url_decode

# 16 KiB (131,072 bits) is the least a list holds for herd privacy; a thousand times that is far more than any
# dataspace needs and still small enough to hold in memory.
MAX_BITS_BYTES = 16 << 20


class StatusListRefused(ValueError):
    """A status list that cannot be read; the message says why."""


def bit_is_set(bits: bytes, index: int) -> bool:
    """Whether bit ``index`` is 1 (most significant bit of byte 0 is index 0). ``IndexError`` when outside."""
    if index < 0 or index >= len(bits) * 8:
        raise IndexError(f"status index {index} is outside a list of {len(bits) * 8} bits")
    return bool(bits[index >> 3] >> (7 - (index & 7)) & 1)


def decode_bits(encoded: str) -> bytes:
    """The bitstring of a list's ``bits`` claim: base64url of gzip, unpacked to at most ``MAX_BITS_BYTES``."""
    try:
        packed = b64url_decode(encoded)
    except ValueError:
        raise StatusListRefused("its bits are not base64url") from None
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # gzip framing only
    try:
        bits = inflater.decompress(packed, MAX_BITS_BYTES)
    except zlib.error:
        raise StatusListRefused("its bits are not gzip") from None
    if inflater.unconsumed_tail:
        raise StatusListRefused(f"its bits unpack to more than {MAX_BITS_BYTES:,} bytes")
    if not inflater.eof:
        raise StatusListRefused("its bits end before the gzip stream does")
    if not bits:
        raise StatusListRefused("its bitstring is empty")
    return bits


@dataclass(frozen=True)
class StatusList:
    """One issuer's verified list (``bits``) and until when it may be believed; ``bits`` None: no list was
    verified (none fetched yet, or the last one expired), so none of the issuer's credentials counts."""

    issuer: str
    bits: bytes | None
    expires_at: datetime | None
    seq: int = -1

    def counts(self, index: object, now: datetime) -> bool:
        """Whether a credential with status index ``index`` counts now: the list is verified and unexpired,
        the index is an integer inside it, and its bit is 0."""
        if self.bits is None or self.expires_at is None or now > self.expires_at:
            return False
        if not isinstance(index, int) or isinstance(index, bool):
            return False
        try:
            return not bit_is_set(self.bits, index)
        except IndexError:
            return False
