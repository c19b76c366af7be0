"""Data received from partners and kept (issue 16 § 2): a consumer's pull lands in its own dataset store as a copy
bound to its agreement; pages, charts and downloads read that copy, and only an explicit refresh asks the provider
again. ``service.py`` is the use case, ``landing.py`` writes a pulled stream as Parquet, ``reading.py`` reads it."""
