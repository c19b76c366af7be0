"""A plan in a person's language: a rule's texts with the company's facts filled in, its effort in words, and
each condition of the trace explained (the fact's name, its value for this company in names, not codes, and
whether the condition held)."""

from __future__ import annotations

from sangsaeng.hub.members.ksic import name_of
from sangsaeng.hub.members.regions import REGIONS
from sangsaeng.i18n import catalogs
from sangsaeng.support.experts.vocabulary import SKILLS
from sangsaeng.support.plan.conditions import Check, Seen
from sangsaeng.support.plan.facts import FACTS, Fact, Situation, Value, fact_label
from sangsaeng.support.plan.rules import Effort, Rule, Said


def _word(key: str, language: str, **values: object) -> str:
    return catalogs.text("plan", key, language, **values)


def _number(value: float | None, language: str) -> str:
    return _word("word.unknown", language) if value is None else f"{value:g}"


def placeholders(situation: Situation, rule: Rule, language: str) -> dict[str, str]:
    """What a rule's texts may say of the company (``rules.PLACEHOLDERS``), in ``language``."""
    p = situation.profile
    m, a = p.maturity, p.activity
    asks = [ask for ask in situation.asks if ask.entity == rule.subject]
    askers = list(dict.fromkeys(ask.asker for ask in asks))
    age = FACTS["months_since_assessment"].read(situation)  # the one reading of the assessment's age
    template = _template_title(rule.template, language)
    return {
        "name": p.name,
        "sector": getattr(name_of(p.sectors[0]), language) if p.sectors else _word("word.unknown", language),
        "region": getattr(REGIONS[p.region], language) if p.region in REGIONS else p.region,
        "level": _number(None if m is None else m.level, language),
        "months_since_assessment": _number(age if isinstance(age, int | float) else None, language),
        "datasets_published": f"{a.datasets_published}",
        "agreements_as_provider": f"{a.agreements_as_provider}",
        "agreements_as_consumer": f"{a.agreements_as_consumer}",
        "streams": f"{a.streams}",
        "askers": ", ".join(askers) if askers else _word("word.partners", language),
        "asked_why": " / ".join(dict.fromkeys(ask.why for ask in asks)) or "-",
        "entity": _entity(rule.subject, language),
        "template": template,
    }


def _entity(entity: str | None, language: str) -> str:
    return "" if entity is None else FACTS["entities_published"].name_of(entity, language)


def _template_title(template: str | None, language: str) -> str:
    return "" if template is None else FACTS["templates_offered"].name_of(template, language)


def filled(said: Said, situation: Situation, rule: Rule, language: str) -> str:
    return said.text(language).format(**placeholders(situation, rule, language))


def effort_words(effort: Effort, language: str) -> str:
    amount = f"{effort.amount:g}"
    unit = f"effort.{effort.unit}" + (".one" if effort.amount == 1 else "")
    return _word(
        "effort", language, time=_word(unit, language, amount=amount), cost=_word(f"cost.{effort.cost}", language)
    )


def shown(fact: Fact, value: Value | None, language: str) -> str:
    """A fact's value for people: numbers as numbers, codes by their names, an empty set as 'none'."""
    if value is None:
        return _word("word.unknown", language)
    if isinstance(value, bool):
        return _word("word.yes" if value else "word.no", language)
    if isinstance(value, int | float):
        return f"{value:g}"
    if isinstance(value, str):
        return fact.name_of(value, language)
    names = [fact.name_of(v, language) for v in (sorted(value) if isinstance(value, frozenset) else value)]
    return ", ".join(names) if names else _word("word.none", language)


def seen_words(seen: Seen, language: str) -> str:
    fact = seen.test.fact
    key = "check.unknown" if seen.value is None else "check.held" if seen.held else "check.failed"
    return _word(
        key,
        language,
        fact=fact_label(fact.name, language),
        value=shown(fact, seen.value, language),
        condition=seen.test.text,
    )


def explained(found: Check, language: str) -> list[str]:
    """Each alternative of a condition as evaluated, in words."""
    return [seen_words(seen, language) for seen in found.seen]


def skill_name(skill: str, language: str) -> str:
    """A skill by its name in the experts' directory."""
    named = SKILLS.get(skill)
    return skill if named is None else str(getattr(named, language))
