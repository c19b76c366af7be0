"""Date patterns: strptime-style patterns compiled to RE2 expressions that read whole Arrow columns, and the
pattern of an example as a file writes it (see ``dates``, which reads with them); no I/O."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sangsaeng.standard.said import Problem

# What each directive reads (RE2), named after its letter.
_DIGITS = {"Y": r"\d{4}", "y": r"\d{2}", "m": r"\d{1,2}", "d": r"\d{1,2}", "H": r"\d{1,2}", "I": r"\d{1,2}"}
_DIGITS |= {"M": r"\d{1,2}", "S": r"\d{1,2}", "f": r"\d{1,6}"}
_WIDTH = {"Y": 4, "y": 2, "m": 2, "d": 2, "H": 2, "I": 2, "M": 2, "S": 2, "f": 6}
_KO_DAYS = "월화수목금토일"
EN_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_EN_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WORDS = {
    "p": r"오전|오후|[ap]\.?m\.?",
    "a": rf"[{_KO_DAYS}](?:요일)?|(?:{'|'.join(_EN_DAYS)})[a-z]*\.?",
    "b": rf"(?:{'|'.join(EN_MONTHS)})[a-z]*\.?",
    "z": r"z|[-+]\d{2}:?\d{2}",
}
_SEPARATORS = "-./"
_LITERAL_OPEN = r"\s*\(\s*"
DIRECTIVES = frozenset(_DIGITS) | frozenset(_WORDS) | {"A", "B"}

PERIOD_NONE, PERIOD_DAY, PERIOD_MONTH, PERIOD_YEAR = 0, 1, 2, 3

# Styles a person can pick from instead of typing a pattern (the portal offers them).
EXAMPLES = (
    "2026-03-02", "2026.03.02", "2026. 3. 2.", "2026/3/2", "26-3-2", "2026년 3월 2일", "2026년 3월 2일 (월)",
    "20260302", "2026-03", "2026.03", "3월분", "3월", "2026-03-02 14:30", "2026.03.02 오후 3:00",
)  # fmt: skip


@dataclass(frozen=True)
class DateRule:
    """A compiled pattern: the RE2 expression that reads it and which parts it has."""

    pattern: str
    regex: str
    parts: frozenset[str]  # directive letters, %A and %B folded into a and b

    @property
    def has_year(self) -> bool:
        return bool(self.parts & {"Y", "y"})

    @property
    def has_date(self) -> bool:
        return bool(self.parts & {"Y", "y", "m", "b", "d"})

    @property
    def period(self) -> int:
        """What a cell of this pattern names when it has no time of day."""
        if "d" in self.parts:
            return PERIOD_DAY
        return PERIOD_MONTH if self.parts & {"m", "b"} else PERIOD_YEAR

    @property
    def iso_ordered(self) -> bool:
        """Text in ISO form, if this pattern reads it at all, it reads as ISO does (year, month, day, hour …)."""
        order = [_ISO_RANK[p] for p in re.findall(r"%([A-Za-z])", self.pattern) if p in _ISO_RANK]
        return order == sorted(order)

    @property
    def iso(self) -> bool:
        """Read exactly as Arrow reads ISO 8601 text (the fast path may be taken)."""
        return bool(_ISO_PATTERN.match(self.pattern))


_ISO_RANK = {"Y": 0, "y": 0, "m": 1, "b": 1, "B": 1, "d": 2, "H": 3, "I": 3, "M": 4, "S": 5, "f": 6}
_ISO_PATTERN = re.compile(r"^%Y-%m-%d(?:[ T]%H(?::%M(?::%S(?:\.%f)?)?)?)?$")


@cache
def compile_pattern(pattern: str) -> DateRule:
    """The rule of a strptime-style pattern; ``ValueError`` (saying what to write) if it is not one."""
    pieces: list[str] = []
    parts: list[str] = []
    index, numeric_before = 0, False
    while index < len(pattern):
        char = pattern[index]
        if char == "%":
            if index + 1 >= len(pattern):
                raise Problem("mapping.date.lone-percent", pattern=pattern)
            letter = {"A": "a", "B": "b"}.get(pattern[index + 1], pattern[index + 1])
            index += 2
            if letter == "%":
                pieces.append("%")
                numeric_before = False
                continue
            if letter not in DIRECTIVES:
                raise Problem("mapping.date.unknown-directive", pattern=pattern, directive=pattern[index - 1])
            if letter in parts:
                raise Problem("mapping.date.twice", pattern=pattern, directive=letter)
            parts.append(letter)
            numeric_next = index + 1 < len(pattern) and pattern[index] == "%" and pattern[index + 1] in _DIGITS
            if letter in _DIGITS:
                fixed = (numeric_before or numeric_next) and letter != "f"  # 20260302: no separators, fixed widths
                body = rf"\d{{{_WIDTH[letter]}}}" if fixed else _DIGITS[letter]
                numeric_before = True
            else:
                body, numeric_before = _WORDS[letter], False
            pieces.append(rf"\s*(?P<{letter}>{body})\s*")
            if letter == "a":  # a weekday is optional, with its brackets: (월)
                opened = len(pieces) > 1 and pieces[-2] == _LITERAL_OPEN
                closes = pattern[index : index + 1] == ")"
                body = pieces.pop()
                if opened and closes:
                    pieces.pop()
                    index += 1
                pieces.append(rf"(?:\s*\(?{body}\)?\s*)?")
            continue
        numeric_before = False
        if char.isspace():
            pieces.append(r"\s*")
        elif char in _SEPARATORS:
            pieces.append(r"\s*[-./]\s*")
        else:
            pieces.append(r"\s*" + re.escape(char) + r"\s*")
        index += 1
    if not parts:
        raise Problem("mapping.date.nothing", pattern=pattern)
    if pattern.endswith(tuple(_SEPARATORS)) and not pattern.endswith("%%"):
        pieces.pop()  # "2026. 3. 2." and "2026. 3. 2" alike: the end allows one dot below
    if "I" in parts and "p" not in parts:
        raise Problem("mapping.date.hour-without-half", pattern=pattern)
    if "I" in parts and "H" in parts:
        raise Problem("mapping.date.both", pattern=pattern, one="H", other="I")
    if "y" in parts and "Y" in parts:
        raise Problem("mapping.date.both", pattern=pattern, one="Y", other="y")
    weekday = rf"(?:\s*\(?\s*(?:{_WORDS['a']})\s*\)?)?" if "d" in parts and "a" not in parts else ""
    regex = "(?i)^" + "".join(pieces) + weekday + r"\s*\.?$"  # a weekday after the day is always allowed
    while r"\s*\s*" in regex:
        regex = regex.replace(r"\s*\s*", r"\s*")
    return DateRule(pattern, regex, frozenset(parts))


# ---- a pattern from an example ------------------------------------------------------------------------------
_TOKENS = re.compile(
    r"(?P<num>\d+)|(?P<ampm>오전|오후|[AaPp]\.?[Mm]\.?(?![A-Za-z]))|(?P<latin>[A-Za-z]+\.?)|(?P<space>\s+)|(?P<other>.)"
)
_UNIT_WORDS = {"년": "Y", "월": "m", "일": "d", "시": "H", "분": "M", "초": "S"}


@dataclass
class _Token:
    kind: str  # num, ampm, latin, space, other
    text: str


def guess_pattern(example: str) -> tuple[str, str]:
    """(the example in NFKC, the pattern it seems to follow); ``ValueError`` saying what to write instead when
    its order cannot be told (03/02/2026: March or February?). ``dates.pattern_of`` checks the guess."""
    text = unicodedata.normalize("NFKC", example).strip()
    if not text:
        raise Problem("mapping.date.empty-example")
    tokens = [_Token(str(m.lastgroup), m.group()) for m in _TOKENS.finditer(text)]
    if any(t.kind == "latin" and _latin(t.text) == "%b" for t in tokens):
        return text, _with_month_name(tokens)
    out: list[str] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        after = _next_word(tokens, index)
        if token.kind == "num" and after is not None and after[1] in _UNIT_WORDS:
            letter = _UNIT_WORDS[after[1]]
            if letter == "Y" and len(token.text) == 2:
                letter = "y"
            out += [f"%{letter}", *[t.text for t in tokens[index + 1 : after[0]]], after[1]]
            index = after[0] + 1
            continue
        if token.kind == "num":
            used, pieces = _numbers(tokens, index, text)
            out += pieces
            index += used
            continue
        if token.kind == "ampm":
            out.append("%p")
        elif token.kind == "latin":
            out.append(_latin(token.text))
        elif token.kind == "space":
            out.append(" ")
        elif token.text in _KO_DAYS and not _after_number(tokens, index):
            ending = "".join(t.text for t in tokens[index + 1 : index + 3])
            index += 2 if ending == "요일" else 0
            out.append("%a")
        else:
            out.append("%%" if token.text == "%" else token.text)
        index += 1
    pattern = "".join(out)
    return text, pattern.replace("%H", "%I") if "%p" in pattern else pattern


def _with_month_name(tokens: list[_Token]) -> str:
    """02-Mar-2026, 2 March 26, Mar 2, 2026: the name is the month, four digits the year, the first other number
    the day and a second one a two-digit year."""
    out, others = [], 0
    for token in tokens:
        if token.kind == "num":
            if len(token.text) == 4:
                out.append("%Y")
            else:
                out.append("%d" if others == 0 else "%y")
                others += 1
        elif token.kind == "latin":
            out.append(_latin(token.text))
        elif token.kind == "ampm":
            out.append("%p")
        else:
            out.append(" " if token.kind == "space" else "%%" if token.text == "%" else token.text)
    return "".join(out)


def _next_word(tokens: list[_Token], index: int) -> tuple[int, str] | None:
    """The index and text of the first token after ``index`` that is not a space."""
    for later in range(index + 1, len(tokens)):
        if tokens[later].kind != "space":
            return later, tokens[later].text
    return None


def _after_number(tokens: list[_Token], index: int) -> bool:
    before = [t for t in tokens[:index] if t.kind != "space"]
    return bool(before) and before[-1].kind == "num"


def _latin(word: str) -> str:
    folded = word.lower().rstrip(".")
    if folded[:3] in EN_MONTHS and len(folded) >= 3:
        return "%b"
    if folded[:3] in _EN_DAYS and len(folded) >= 3:
        return "%a"
    return word


def _numbers(tokens: list[_Token], index: int, text: str) -> tuple[int, list[str]]:
    """Digits not followed by a Korean unit word: a time (14:30), a date (2026.3.2) or one run (20260302).
    Returns how many tokens were used and the pattern pieces."""
    numbers, glue, used = [tokens[index].text], [], 1
    separator: str | None = None
    while index + used + 1 < len(tokens):
        sep, spaces = tokens[index + used], ""
        step = 1
        if sep.kind != "other" or sep.text not in _SEPARATORS + ":" or separator not in (None, sep.text):
            break
        if tokens[index + used + step].kind == "space":
            spaces, step = tokens[index + used + step].text and " ", step + 1
        if index + used + step >= len(tokens) or tokens[index + used + step].kind != "num":
            break
        separator = sep.text
        glue.append(sep.text + spaces)
        numbers.append(tokens[index + used + step].text)
        used += step + 1
    if separator == ":":
        letters = ["H", "M", "S"][: len(numbers)]
        if len(numbers) > 3:
            raise Problem("mapping.date.unclear-time", text=text)
        return used, _joined(letters, glue)
    if len(numbers) == 1:
        return used, _one_run(numbers[0], text)
    return used, _joined(_date_order(numbers, text), glue)


def _joined(letters: list[str], glue: list[str]) -> list[str]:
    pieces = [f"%{letters[0]}"]
    for between, letter in zip(glue, letters[1:], strict=True):
        pieces += [between, f"%{letter}"]
    return pieces


def _one_run(digits: str, text: str) -> list[str]:
    runs = {8: "%Y%m%d", 12: "%Y%m%d%H%M", 14: "%Y%m%d%H%M%S", 4: "%Y"}
    if len(digits) == 6:  # 260302 (yymmdd) or 202603 (yyyymm)
        return ["%y%m%d" if _valid_date(2000 + int(digits[:2]), int(digits[2:4]), int(digits[4:])) else "%Y%m"]
    if len(digits) in runs:
        return [runs[len(digits)]]
    raise Problem("mapping.date.unclear-run", text=text)


def _date_order(numbers: list[str], text: str) -> list[str]:
    """Which of two or three numbers is the year, the month and the day."""
    widths = [len(n) for n in numbers]
    values = [int(n) for n in numbers]
    if len(numbers) > 3:
        raise Problem("mapping.date.too-many-numbers", text=text)
    if len(numbers) == 2:
        if widths[0] == 4:
            return ["Y", "m"]
        if widths[1] == 4:
            return ["m", "Y"]
        return ["m", "d"]  # 03/02: a day of a year the mapping gives
    if widths[0] == 4:
        return ["Y", "m", "d"]
    if widths[2] == 4:
        if values[0] > 12 >= values[1]:
            return ["d", "m", "Y"]
        if values[1] > 12 >= values[0]:
            return ["m", "d", "Y"]
        raise Problem("mapping.date.month-or-day", text=text)
    return ["y", "m", "d"]  # Korean order: 26-3-2


def _valid_date(year: int, month: int, day: int) -> bool:
    try:
        datetime(year, month, day)
    except ValueError:
        return False
    return True
