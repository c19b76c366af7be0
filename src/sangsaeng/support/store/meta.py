"""The one metadata that support's tables are declared on (each part's module adds its own tables)."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()
