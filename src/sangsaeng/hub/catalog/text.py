"""How text becomes search terms, the same for what is indexed and what is asked (pure).

Korean is written without spaces inside compounds (수입검사결과: incoming-inspection results), so a word cannot be
found by whole words: Hangul is indexed as overlapping syllable bigrams (수입 입검 검사 사결 결과) and as single
syllables; a query's Hangul run must match as a *phrase* of its bigrams, so 검사 finds 수입검사결과 and 수입검사 does
not find a text where 수입 and 검사 stand apart. Bigrams are made inside a run of Hangul only, and runs are
separated by a token no query produces (``BREAK``): 입검 does not find "수입 검사", and 검사결 does not find "검사
사결". Latin letters and digits are whole words, lowercased (a query's word also finds words it begins).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Hangul syllables, and words of any other letters or digits (Hangul excluded, underscores are separators).
_RUN = re.compile(r"([\uac00-\ud7a3]+)|([^\W_\uac00-\ud7a3]+)")
BREAK = "ㅣ"  # a Hangul letter (not a syllable): a query never produces it, so no phrase spans two runs
MAX_QUERY = 200  # characters
MAX_TERMS = 12


def _runs(text: str) -> list[tuple[str, bool]]:
    """(run, is Hangul) in order, after NFKC (full-width letters, compatibility forms) and lowercasing."""
    normal = unicodedata.normalize("NFKC", text).lower()
    return [(m.group(0), m.group(1) is not None) for m in _RUN.finditer(normal)]


def bigrams(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)] if len(run) > 1 else [run]


@dataclass(frozen=True)
class Indexed:
    """A text as the index keeps it: bigrams and words in order with breaks between runs; syllables apart."""

    grams: str
    syllables: str


def indexed(*texts: str) -> Indexed:
    grams: list[str] = []
    syllables: set[str] = set()
    for text in texts:
        for run, hangul in _runs(text):
            if grams:
                grams.append(BREAK)
            if hangul:
                grams.extend(bigrams(run))
                syllables.update(run)
            else:
                grams.append(run)
    return Indexed(" ".join(grams), " ".join(sorted(syllables)))


@dataclass(frozen=True)
class Term:
    """One thing a query asks for; all of a query's terms must match (AND)."""

    text: str
    kind: str  # "phrase": Hangul bigrams in a row; "syllable": one Hangul syllable; "word": a word or its start

    def fts(self) -> str:
        """The term in FTS5's query language (terms hold only letters and digits, quoted all the same)."""
        if self.kind == "syllable":
            return f'syllables : "{self.text}"'
        if self.kind == "phrase":
            return f'grams : "{" ".join(bigrams(self.text))}"'
        return f'grams : "{self.text}" *'


def terms(query: str) -> list[Term]:
    """A query's terms; duplicates once. Too long a query is the caller's to refuse (``MAX_QUERY``, ``MAX_TERMS``)."""
    found: list[Term] = []
    for run, hangul in _runs(query):
        term = Term(run, ("phrase" if len(run) > 1 else "syllable") if hangul else "word")
        if term not in found:
            found.append(term)
    return found
