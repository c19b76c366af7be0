"""The plan's rules as data: a versioned TOML file in ``rules/`` holds the steps a company may be told to take,
each with when it applies, when it is done already, its effort, its priority, the skills an expert would need, and
its title, why and gain in Korean and English. The file is read strictly: an unknown key, a fact the plan does not
know, a word a fact cannot hold, a placeholder the plan cannot fill, each is refused with where it is."""

from __future__ import annotations

import re
import string
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

from sangsaeng.i18n.refusals import refusal
from sangsaeng.policy.templates import TEMPLATES
from sangsaeng.standard.labels import ENTITY_LABELS
from sangsaeng.support.plan.conditions import Condition, read_condition
from sangsaeng.support.plan.vocabulary import COST_CLASSES, EFFORT_UNITS, SKILLS

RULES_DIR: Final = Path(__file__).parent / "rules"
RULE_ID: Final = re.compile(r"^[a-z][a-z0-9-]{1,62}$")
VERSION: Final = re.compile(r"^[0-9]{4}\.[0-9]{1,3}$")
TEXT_LIMIT: Final = 1000
MAX_CONDITIONS: Final = 12
# What a rule's texts may say about the company, and what the rule must name for it: the entity it is about
# (``subject``) or the offer template it suggests (``template``).
PLACEHOLDERS: Final[dict[str, str | None]] = {
    "name": None,
    "sector": None,
    "region": None,
    "level": None,
    "months_since_assessment": None,
    "datasets_published": None,
    "agreements_as_provider": None,
    "agreements_as_consumer": None,
    "streams": None,
    "askers": "subject",
    "asked_why": "subject",
    "entity": "subject",
    "template": "template",
}
_RULE_KEYS: Final = frozenset(
    {"id", "priority", "subject", "template", "skills", "when", "done_when", "effort", "title", "why", "gain"}
)
_REQUIRED: Final = ("id", "priority", "when", "done_when", "effort", "title", "why", "gain")
_BOOK_KEYS: Final = frozenset({"id", "version", "about", "rule"})


@dataclass(frozen=True)
class Said:
    """A text in Korean and English (a template: placeholders are filled for the company)."""

    ko: str
    en: str

    def text(self, language: str) -> str:
        return self.ko if language == "ko" else self.en


@dataclass(frozen=True)
class Effort:
    amount: float
    unit: str  # minutes | hours | days | weeks
    cost: str  # none | low | medium | high


@dataclass(frozen=True)
class Rule:
    id: str
    priority: int  # 1 comes first
    when: tuple[Condition, ...]  # every one holds: the step fits the company
    done_when: tuple[Condition, ...]  # every one holds: the company does it already, never told to start it
    effort: Effort
    title: Said
    why: Said
    gain: Said
    subject: str | None = None  # the standard entity it is about
    template: str | None = None  # the offer template it suggests
    skills: tuple[str, ...] = ()  # what an expert helping with it would know (the experts' vocabulary)


@dataclass(frozen=True)
class Rulebook:
    id: str
    version: str
    rules: tuple[Rule, ...]
    source: str  # the file's name

    @property
    def name(self) -> str:
        return f"{self.id}@{self.version}"


# ---- reading ----------------------------------------------------------------------------------------------------
def read_rulebook(data: Any, source: str) -> Rulebook:
    """A rule file's content (as TOML reads it), or a refusal naming ``source`` and where in it."""
    book = _table(data, "$", source)
    _known_keys(book, _BOOK_KEYS, "$", source)
    book_id = book.get("id")
    if not isinstance(book_id, str) or not RULE_ID.match(book_id):
        raise refusal("plan", "rules.id-shape", at="id", file=source, given=str(book_id)[:64])
    version = book.get("version")
    if not isinstance(version, str) or not VERSION.match(version):
        raise refusal("plan", "rules.version", at="version", file=source, given=str(version)[:40])
    if "about" in book:
        _text(book["about"], "about", source, TEXT_LIMIT * 4)
    entries = book.get("rule")
    if not isinstance(entries, list) or not entries:
        raise refusal("plan", "rules.none", at="rule", file=source)
    rules: list[Rule] = []
    for i, entry in enumerate(entries):
        rule = _read_rule(entry, f"rule[{i}]", source)
        if any(r.id == rule.id for r in rules):
            raise refusal("plan", "rules.id-taken", at=f"rule[{i}].id", file=source, id=rule.id)
        rules.append(rule)
    return Rulebook(book_id, version, tuple(rules), source)


def load(path: Path) -> Rulebook:
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise refusal("plan", "rules.toml", at="$", file=path.name, reason=str(exc)[:200]) from None
    return read_rulebook(data, path.name)


def rule_files() -> list[Path]:
    return sorted(RULES_DIR.glob("*.toml"))


@cache
def current() -> Rulebook:
    """The newest version of the rules (read once)."""
    books = [load(path) for path in rule_files()]
    return max(books, key=lambda b: tuple(int(p) for p in b.version.split(".")))


def _read_rule(value: Any, at: str, source: str) -> Rule:
    entry = _table(value, at, source)
    _known_keys(entry, _RULE_KEYS, at, source)
    for key in _REQUIRED:
        if key not in entry:
            raise refusal("plan", "rules.key-missing", at=f"{at}.{key}", file=source, key=key)
    rule_id = entry["id"]
    if not isinstance(rule_id, str) or not RULE_ID.match(rule_id):
        raise refusal("plan", "rules.id-shape", at=f"{at}.id", file=source, given=str(rule_id)[:64])
    priority = entry["priority"]
    if not isinstance(priority, int) or isinstance(priority, bool) or not 1 <= priority <= 100:
        raise refusal("plan", "rules.priority", at=f"{at}.priority", file=source, given=str(priority)[:20])
    subject = _named(entry.get("subject"), frozenset(ENTITY_LABELS), f"{at}.subject", source)
    template = _named(entry.get("template"), frozenset(TEMPLATES), f"{at}.template", source)
    skills = entry.get("skills", [])
    if not isinstance(skills, list):
        raise refusal("plan", "rules.type", at=f"{at}.skills", file=source, expected="[…]")
    for j, skill in enumerate(skills):
        _named(skill, frozenset(SKILLS), f"{at}.skills[{j}]", source)
    texts = {key: _said(entry[key], f"{at}.{key}", source, subject, template) for key in ("title", "why", "gain")}
    return Rule(
        id=rule_id,
        priority=priority,
        when=_conditions(entry["when"], f"{at}.when", source),
        done_when=_conditions(entry["done_when"], f"{at}.done_when", source),
        effort=_effort(entry["effort"], f"{at}.effort", source),
        subject=subject,
        template=template,
        skills=tuple(dict.fromkeys(skills)),
        title=texts["title"],
        why=texts["why"],
        gain=texts["gain"],
    )


def _table(value: Any, at: str, source: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise refusal("plan", "rules.type", at=at, file=source, expected="{…}")
    return value


def _known_keys(entry: dict[str, Any], known: frozenset[str], at: str, source: str) -> None:
    for key in entry:
        if key not in known:
            where = f"{at}.{key}" if at != "$" else key
            raise refusal("plan", "rules.key-unknown", at=where, file=source, key=key, known=", ".join(sorted(known)))


def _named(value: Any, known: frozenset[str], at: str, source: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or value not in known:
        raise refusal("plan", "rules.name", at=at, file=source, given=str(value)[:64], known=", ".join(sorted(known)))
    return value


def _text(value: Any, at: str, source: str, limit: int = TEXT_LIMIT) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise refusal("plan", "rules.text", at=at, file=source, limit=limit)
    return " ".join(value.split())


def _said(value: Any, at: str, source: str, subject: str | None, template: str | None) -> Said:
    entry = _table(value, at, source)
    _known_keys(entry, frozenset({"ko", "en"}), at, source)
    said = {}
    for language in ("ko", "en"):
        if language not in entry:
            raise refusal("plan", "rules.key-missing", at=f"{at}.{language}", file=source, key=language)
        said[language] = _text(entry[language], f"{at}.{language}", source)
    names = {language: _placeholders(text, f"{at}.{language}", source) for language, text in said.items()}
    if names["ko"] != names["en"]:
        differ = ", ".join(sorted(names["ko"] ^ names["en"]))
        raise refusal("plan", "rules.placeholder-differs", at=at, file=source, names=differ)
    for name in names["ko"]:
        needs = PLACEHOLDERS[name]
        if (needs == "subject" and subject is None) or (needs == "template" and template is None):
            raise refusal("plan", "rules.placeholder-needs", at=at, file=source, name=name, needs=needs)
    return Said(said["ko"], said["en"])


def _placeholders(text: str, at: str, source: str) -> frozenset[str]:
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise refusal("plan", "rules.placeholder-shape", at=at, file=source, reason=str(exc)) from None
    names = set()
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conversion:
            known = ", ".join(PLACEHOLDERS)
            raise refusal("plan", "rules.placeholder-unknown", at=at, file=source, name=name, known=known)
        names.add(name)
    return frozenset(names)


def _conditions(value: Any, at: str, source: str) -> tuple[Condition, ...]:
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_CONDITIONS:
        raise refusal("plan", "rules.conditions", at=at, file=source, most=MAX_CONDITIONS)
    return tuple(read_condition(line, f"{at}[{i}]") for i, line in enumerate(value))


def _effort(value: Any, at: str, source: str) -> Effort:
    entry = _table(value, at, source)
    _known_keys(entry, frozenset({"amount", "unit", "cost"}), at, source)
    amount = entry.get("amount")
    if not isinstance(amount, int | float) or isinstance(amount, bool) or not 0 < amount <= 1000:
        raise refusal("plan", "rules.effort-amount", at=f"{at}.amount", file=source, given=str(amount)[:20])
    unit = _named(entry.get("unit"), frozenset(EFFORT_UNITS), f"{at}.unit", source)
    cost = _named(entry.get("cost"), frozenset(COST_CLASSES), f"{at}.cost", source)
    if unit is None or cost is None:
        missing = "unit" if unit is None else "cost"
        raise refusal("plan", "rules.key-missing", at=f"{at}.{missing}", file=source, key=missing)
    return Effort(float(amount), unit, cost)
