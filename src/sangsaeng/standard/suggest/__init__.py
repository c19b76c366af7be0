"""Propose a mapping from what a file shows — its headers, a sample of its cells, its title rows and layout —
with how sure the proposal is of each field and why, in words a person reads (Korean and English).

The proposal is a starting point a person confirms or edits; ``missing`` lists the required fields it could not
place. A company's remembered words (``Vocabulary``) apply to its next files.
"""

from sangsaeng.standard.suggest.proposal import Note, Proposal, Reason
from sangsaeng.standard.suggest.propose import suggest
from sangsaeng.standard.suggest.vocabulary import Vocabulary
from sangsaeng.standard.suggest.words import CODES, SYNONYMS

__all__ = ["CODES", "SYNONYMS", "Note", "Proposal", "Reason", "Vocabulary", "suggest"]
