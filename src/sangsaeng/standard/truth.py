"""The words a yes/no cell is written with, for every yes/no field and for the fields whose own words say it
(포함/미포함 for whether packaging is included); no I/O.

A mapping's ``values`` for the field, when it has them, are read instead (``mapping.Applier``). Words are compared
as written, then NFKC-normalised and trimmed, then in lower case (``cells.Codes``).
"""

from __future__ import annotations

TRUE_WORDS = ("true", "yes", "y", "1", "pass", "passed", "ok", "합격", "적합", "양호", "o", "○", "◯", "예", "네")
FALSE_WORDS = (
    "false",
    "no",
    "n",
    "0",
    "fail",
    "failed",
    "ng",
    "불합격",
    "부적합",
    "불량",
    "x",
    "×",
    "✕",
    "✗",
    "아니오",
    "아니요",
)
# Words that mean yes or no only for one field: 포함 is "included", not "passed".
FIELD_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "packaging_emissions_included": (("포함", "included", "include"), ("미포함", "불포함", "excluded", "exclude")),
}
TRUTH_EXPECTED = "합격/불합격, pass/fail, 예/아니오, Y/N, O/X, true/false"


def truth_words(field: str) -> dict[str, bool]:
    """Every word a yes/no cell of ``field`` may be written with, and what it means (upper case too)."""
    yes, no = FIELD_WORDS.get(field, ((), ()))
    words = {w: True for w in (*TRUE_WORDS, *yes)} | {w: False for w in (*FALSE_WORDS, *no)}
    return words | {w.upper(): t for w, t in words.items()}


def truth_expected(field: str) -> str:
    """What a yes/no cell of ``field`` may say, for a finding."""
    yes, no = FIELD_WORDS.get(field, ((), ()))
    own = ", ".join(f"{y}/{n}" for y, n in zip(yes, no, strict=False))
    return f"{own}, {TRUTH_EXPECTED}" if own else TRUTH_EXPECTED
