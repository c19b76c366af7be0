"""An upload waiting to be published: a folder of its own under the data directory, named by a random token.

It holds the file as uploaded, its name, the mapping being confirmed (``mapping.yaml``, a mapping document), what
the suggestion said of it (``proposal.json``: sheets, titles, sureness per field, the proposed unpivot) and the
last check of the mapping (``checked/``, kept while the mapping is unchanged). A stage goes on every outcome:
published, refused, or abandoned (stages older than ``portal_staging_hours`` are swept whenever a new one is made).
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

STAGE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class NoStage(Exception):
    """No such stage (a wrong, forged or swept token)."""


@dataclass(frozen=True)
class Stage:
    token: str
    folder: Path

    @property
    def source(self) -> Path:
        return next(self.folder.glob("source.*"))

    @property
    def name(self) -> str:
        return (self.folder / "name.txt").read_text("utf-8")

    # the mapping document being confirmed ------------------------------------------------------
    @property
    def document_text(self) -> str:
        return (self.folder / "mapping.yaml").read_text("utf-8")

    def document(self) -> dict[str, Any]:
        found = yaml.safe_load(self.document_text)
        return found if isinstance(found, dict) else {}

    def save_document(self, document: dict[str, Any]) -> bool:
        """Keep ``document``; whether it differs from the one kept before."""
        text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
        path = self.folder / "mapping.yaml"
        before = path.read_text("utf-8") if path.exists() else None
        path.write_text(text, "utf-8")
        return text != before

    @property
    def version(self) -> str:
        """A digest of the mapping document: the last check belongs to the mapping it was made with."""
        return hashlib.sha256(self.document_text.encode()).hexdigest()[:16]

    # what the suggestion said -------------------------------------------------------------------
    def proposal(self) -> dict[str, Any]:
        path = self.folder / "proposal.json"
        found = json.loads(path.read_text("utf-8")) if path.exists() else {}
        return found if isinstance(found, dict) else {}

    def save_proposal(self, proposal: dict[str, Any]) -> None:
        (self.folder / "proposal.json").write_text(json.dumps(proposal, ensure_ascii=False, default=str), "utf-8")

    # the last check -----------------------------------------------------------------------------
    @property
    def checked(self) -> Path:
        """The folder of the check of the current mapping (made by ``portal.checking``)."""
        return self.folder / "checked" / self.version

    def drop(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def stages_of(data_dir: Path) -> Path:
    return data_dir / "portal-staging"


def find(data_dir: Path, token: str) -> Stage:
    if not STAGE.match(token):
        raise NoStage(token)
    folder = stages_of(data_dir) / token
    if not folder.is_dir() or not (folder / "mapping.yaml").exists():
        raise NoStage(token)
    return Stage(token, folder)


def new(data_dir: Path, keep_hours: float) -> Stage:
    """A fresh stage; the ones abandoned long enough ago are removed first."""
    root = stages_of(data_dir)
    oldest = time.time() - keep_hours * 3600
    if root.is_dir():
        for old in root.iterdir():
            try:
                if old.stat().st_mtime < oldest:
                    shutil.rmtree(old, ignore_errors=True)
            except FileNotFoundError:
                continue
    token = secrets.token_urlsafe(18)
    folder = root / token
    folder.mkdir(parents=True)
    return Stage(token, folder)
