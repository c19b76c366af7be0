"""Bring a state database to the newest schema with Alembic (run at start-up and by ``sangsaeng init``)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from sangsaeng.store.sql import sync_url

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", sync_url(url).replace("%", "%%"))
    return config


def upgrade(url: str) -> None:
    command.upgrade(alembic_config(url), "head")
