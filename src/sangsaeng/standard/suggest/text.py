"""How names and cells are compared: NFKC (full width → half width), case folded; names also without spaces and
punctuation ("Part No." = "partno", "Q'ty" = "qty", "P/N" = "pn")."""

from __future__ import annotations

import re
import unicodedata

from sangsaeng.standard.sheet_text import clean  # a cell as the reader sees it: NFKC, trimmed, case kept

_PUNCTUATION = re.compile(r"[\s._\-/'’`\"·:#()\[\]{}<>（）【】「」『』,;~*※№]+")


def key(text: str) -> str:
    """A name as compared."""
    return _PUNCTUATION.sub("", unicodedata.normalize("NFKC", text)).casefold()


def fold(text: str) -> str:
    """A cell or a code as compared: inner spaces collapsed, not removed (\"2026. 3. 2.\" keeps its shape)."""
    return " ".join(unicodedata.normalize("NFKC", text).split()).casefold()


__all__ = ["clean", "fold", "key"]
