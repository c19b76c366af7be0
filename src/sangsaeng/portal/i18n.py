"""The portal's words come from the one i18n system, ``sangsaeng.i18n`` (catalogs shared with findings and the
command line); these names stay importable from here for the portal's modules."""

from __future__ import annotations

from sangsaeng.i18n.catalogs import LANGUAGES, LOCALE_DIR, choose
from sangsaeng.portal.words import MONTHS_EN, SEOUL, Words, day_text, moment_text

__all__ = ["LANGUAGES", "LOCALE_DIR", "MONTHS_EN", "SEOUL", "Words", "choose", "day_text", "moment_text"]
