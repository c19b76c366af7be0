"""The rules' condition language, read strictly and evaluated without ``eval``.

A condition is one line: ``<fact> <operator> <value>``, or several such joined by ``or`` (it holds when one of
them holds); a rule's list of conditions holds when every one does. The facts are ``facts.FACTS``; which
operators a fact takes depends on its kind:

- a number (``streams``, ``level``, ``siri.shop-floor-connectivity``): ``==  !=  <  <=  >  >=`` and a number
  within the fact's range;
- a word (``size``, ``region``): ``==  !=`` and a word, ``in  not in`` and a list ``[a, b]``;
- a set of words (``tier``, ``entities_published``, ``requested_of_it`` …): ``has  lacks`` and a word,
  ``has any  has none`` and a list;
- the KSIC sectors: ``under  not under`` and a code or a list of codes (``under [C29, C30]`` holds for C3012);
- yes/no (``assessed``): ``==`` and ``true`` or ``false``.

Every word is checked against what the fact may hold (the standard's entities, the templates, the 17 regions …),
so a misspelt rule is refused when the rules load, saying where, never silently false."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from sangsaeng.errors import InvalidInput
from sangsaeng.hub.members.ksic import read_ksic
from sangsaeng.i18n.refusals import refusal
from sangsaeng.support.plan.facts import FACTS, Fact, Kind, Situation, Value

OPERATORS: Final[dict[Kind, tuple[str, ...]]] = {
    "number": ("==", "!=", "<", "<=", ">", ">="),
    "text": ("==", "!=", "in", "not in"),
    "set": ("has", "lacks", "has any", "has none"),
    "sector": ("under", "not under"),
    "flag": ("==",),
}
TAKES_LIST: Final = frozenset({"in", "not in", "has any", "has none", "under", "not under"})
_NUMBERS: Final[dict[str, Callable[[float, float], bool]]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_CLAUSE = re.compile(
    r"^(?P<fact>[a-z_]+(?:\.[a-z0-9_-]+)?) (?P<op>==|!=|<=|>=|<|>|not in|in|has any|has none|has|lacks|not under|under)"
    r" (?P<value>.+)$"
)
_WORD = re.compile(r"^[A-Za-z0-9가-힣_.:-]+$")
_NUMBER = re.compile(r"^-?[0-9]+(?:\.[0-9]+)?$")
MAX_ALTERNATIVES = 8


@dataclass(frozen=True)
class Test:
    """One comparison: a fact, an operator and what it is compared with (words, a number or a flag)."""

    text: str  # as written
    fact: Fact
    op: str
    words: tuple[str, ...] = ()
    number: float = 0.0
    flag: bool = False

    def value_of(self, situation: Situation) -> Value | None:
        return self.fact.read(situation)

    def holds(self, value: Value | None) -> bool:
        if value is None:
            return False  # unknown: no comparison holds
        kind = self.fact.kind
        if kind == "number":
            assert isinstance(value, int | float) and not isinstance(value, bool)
            return _NUMBERS[self.op](float(value), self.number)
        if kind == "flag":
            return value is self.flag
        if kind == "text":
            assert isinstance(value, str)
            inside = value in self.words
            return inside if self.op in ("==", "in") else not inside
        held = frozenset(value) if isinstance(value, tuple | frozenset) else frozenset()
        if kind == "sector":
            under = any(code.startswith(prefix) for code in held for prefix in self.words)
            return under if self.op == "under" else not under
        if self.op == "has":
            return self.words[0] in held
        if self.op == "lacks":
            return self.words[0] not in held
        met = bool(held & frozenset(self.words))
        return met if self.op == "has any" else not met


@dataclass(frozen=True)
class Condition:
    """A line of a rule: alternatives joined by ``or``, as written (spaces made single)."""

    text: str
    alternatives: tuple[Test, ...]


@dataclass(frozen=True)
class Seen:
    """One alternative as evaluated: the fact's value for this company (None: unknown) and whether it held."""

    test: Test
    value: Value | None
    held: bool


@dataclass(frozen=True)
class Check:
    """One condition as evaluated for a company, with what each of its alternatives saw."""

    condition: Condition
    held: bool
    seen: tuple[Seen, ...]


def check(condition: Condition, situation: Situation) -> Check:
    seen = []
    for test in condition.alternatives:
        value = test.value_of(situation)
        seen.append(Seen(test, value, test.holds(value)))
    return Check(condition, any(s.held for s in seen), tuple(seen))


# ---- reading ----------------------------------------------------------------------------------------------------
def read_condition(text: object, at: str) -> Condition:
    """A condition line, or a refusal saying where (``at``) and what is wrong with it."""
    if not isinstance(text, str) or not text.strip() or len(text) > 500:
        raise refusal("plan", "rules.condition-shape", at=at, given=str(text)[:80])
    written = " ".join(text.split())
    parts = written.split(" or ")
    if len(parts) > MAX_ALTERNATIVES:
        raise refusal("plan", "rules.condition-long", at=at, most=MAX_ALTERNATIVES)
    return Condition(written, tuple(_read_test(part, at) for part in parts))


def _read_test(text: str, at: str) -> Test:
    match = _CLAUSE.match(text)
    if match is None:
        raise refusal("plan", "rules.condition-shape", at=at, given=text[:80])
    name, op, given = match["fact"], match["op"], match["value"].strip()
    fact = FACTS.get(name)
    if fact is None:
        raise refusal("plan", "rules.fact-unknown", at=at, fact=name, known=", ".join(sorted(FACTS)))
    if op not in OPERATORS[fact.kind]:
        raise refusal("plan", "rules.operator", at=at, op=op, fact=name, known="  ".join(OPERATORS[fact.kind]))
    if fact.kind == "number":
        return Test(text, fact, op, number=_read_number(fact, given, at))
    if fact.kind == "flag":
        if given not in ("true", "false"):
            raise refusal("plan", "rules.flag", at=at, fact=name, given=given[:40])
        return Test(text, fact, op, flag=given == "true")
    words = _read_words(given, op in TAKES_LIST, at)
    return Test(text, fact, op, words=tuple(_read_word(fact, w, at) for w in words))


def _read_number(fact: Fact, given: str, at: str) -> float:
    value = float(given) if _NUMBER.match(given) else None
    if value is None or value < fact.low or (fact.high is not None and value > fact.high):
        high = "" if fact.high is None else f"{fact.high:g}"
        raise refusal("plan", "rules.number", at=at, fact=fact.name, given=given[:40], low=f"{fact.low:g}", high=high)
    return value


def _read_words(given: str, listed: bool, at: str) -> list[str]:
    if given.startswith("[") and given.endswith("]") and listed:
        words = [w.strip() for w in given[1:-1].split(",")]
    else:
        words = [given]
    if not words or not all(_WORD.match(w) for w in words):
        raise refusal("plan", "rules.value-shape", at=at, given=given[:80])
    return words


def _read_word(fact: Fact, word: str, at: str) -> str:
    if fact.kind == "sector":
        try:
            return read_ksic(word, at)
        except InvalidInput:
            raise refusal("plan", "rules.sector", at=at, given=word[:40]) from None
    known = fact.words
    if (known is not None and word not in known) or (fact.shape is not None and not fact.shape.match(word)):
        shown = ", ".join(sorted(known)) if known is not None else fact.shape.pattern if fact.shape else ""
        raise refusal("plan", "rules.value", at=at, fact=fact.name, given=word[:40], known=shown)
    return word
