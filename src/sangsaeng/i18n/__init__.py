"""Korean and English, one system for every door: gettext catalogs under ``locale/{ko,en}/LC_MESSAGES/``, one per
domain — ``messages`` (the portal), ``findings`` (what a check of a file reports), ``cli`` (the command line) —
read with Babel (``catalogs``), and moments and codes put in words (``words``). Pure: a lookup by key, no I/O beyond
reading the catalogs once."""
