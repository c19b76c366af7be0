"""Success cases found by words, in Korean or English (pure): what is kept beside a case to search it, and what a
query asks of it. The words are split as the hub's catalog splits them (``sangsaeng.hub.catalog.text``: Hangul
syllable bigrams and syllables, Latin words lowercased), so 검사 finds 수입검사자동화.

The store searches with plain ``LIKE`` over these columns, the same on SQLite and PostgreSQL: each column is kept
with a space before and after, so a Hangul phrase is its bigrams in a row between spaces (`` 수입 입검 검사 ``), a
single syllable is itself between spaces in the syllables column, and a Latin word matches words it begins
(`` mes``). Every term must match. Fine at the scale of a library of cases (thousands): each search reads them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from sangsaeng.hub.catalog.text import MAX_QUERY, MAX_TERMS, indexed, terms
from sangsaeng.hub.members.ksic import name_of
from sangsaeng.i18n.refusals import refusal
from sangsaeng.support.experts.model import CaseFacts

DOMAIN: Final = "experts"


@dataclass(frozen=True)
class Searchable:
    grams: str  # " bigrams and words … " (Hangul runs apart by the catalog's break token)
    syllables: str  # " each Hangul syllable once … "


@dataclass(frozen=True)
class Needle:
    """A piece a column of a matching case must hold."""

    column: Literal["grams", "syllables"]
    text: str


def searchable(facts: CaseFacts, company: str) -> Searchable:
    """What a case is found by: its texts in every language, its results' metrics, technologies, company, and
    its sector's code and names."""
    industry = name_of(facts.sector)
    found = indexed(
        *facts.title.values(), *facts.problem.values(), *facts.done.values(),
        *(text for r in facts.results for text in (*r.metric.values(), r.unit)),
        *facts.technologies, company, facts.sector, industry.ko, industry.en,
    )  # fmt: skip
    return Searchable(f" {found.grams} ", f" {found.syllables} ")


def needles(query: str) -> list[Needle]:
    """What ``query`` asks of a case (none: every case), or a refusal when it asks too much."""
    if len(query) > MAX_QUERY:
        raise refusal(DOMAIN, "search.long", at="q", most=MAX_QUERY)
    asked = terms(query)
    if len(asked) > MAX_TERMS:
        raise refusal(DOMAIN, "search.terms", at="q", most=MAX_TERMS)
    found = []
    for term in asked:
        if term.kind == "syllable":
            found.append(Needle("syllables", f" {term.text} "))
        elif term.kind == "phrase":
            found.append(Needle("grams", f" {indexed(term.text).grams} "))
        else:
            found.append(Needle("grams", f" {term.text}"))
    return found
