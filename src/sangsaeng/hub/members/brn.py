"""The business registration number (사업자등록번호): ten digits, the last a check digit over the first nine.

The check (National Tax Service): weights 1,3,7,1,3,7,1,3,5 over the first nine digits, plus the tens digit of
the ninth digit times five, check = (10 − sum mod 10) mod 10. Written ``123-45-67890``, with spaces or dots for the
dashes, or as ten plain digits."""

from __future__ import annotations

import re
import unicodedata

from sangsaeng.i18n.refusals import refusal

WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)
SHAPE = re.compile(r"^\d{3}([-. ]?)\d{2}\1\d{5}$", re.ASCII)  # one separator, the same twice (or none)


def check_digit(first_nine: str) -> int:
    digits = [int(d) for d in first_nine]
    total = sum(d * w for d, w in zip(digits, WEIGHTS, strict=True)) + digits[8] * 5 // 10
    return (10 - total % 10) % 10


def read_brn(text: object, at: str = "company.brn") -> str:
    """The number as ten digits, or an ``InvalidInput`` saying what is wrong with it, in Korean and English."""
    if isinstance(text, str):
        text = unicodedata.normalize("NFKC", text)  # full-width digits, as a Korean keyboard may type them
    if not isinstance(text, str) or not SHAPE.match(text.strip()):
        raise refusal("hub", "brn.shape", at=at, given=str(text)[:40])
    digits = re.sub(r"[-. ]", "", text.strip())
    if check_digit(digits[:9]) != int(digits[9]):
        raise refusal("hub", "brn.check", at=at, given=text.strip())
    return digits


def written(digits: str) -> str:
    """``1234567890`` as it is written: ``123-45-67890``."""
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"
