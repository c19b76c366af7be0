"""Korean and English, one system for every door: gettext catalogs under ``locale/{ko,en}/LC_MESSAGES/``, one per
domain — ``messages`` (the portal), ``findings`` (what a check of a file reports), ``cli`` (the command line),
``standard`` (what reading standard data refuses) — read with Babel (``catalogs``); ``refusals`` makes an error say
one key in both languages; the portal puts moments and codes in words (``portal/words.py``, which needs the
canonical labels). Pure: a lookup by key, no I/O beyond reading the catalogs once."""
