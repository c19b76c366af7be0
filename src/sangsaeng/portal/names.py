"""Names instead of ids: partners by their directory name, datasets by title, agreements as "dataset · partner",
offers by what they allow. A page shows these; the id goes into a ``title`` attribute or a muted detail.

Our own datasets' titles are in the store. A partner's datasets are titled only in its catalog: the titles seen
there (the partner's catalog page, a request) are remembered in ``portal-titles.json`` in the data directory, so
the data received under an agreement is named after a restart too. An id nothing names is shown short
(``hanbit``, ``3f2a9c1b``), never as a whole URN.
"""

from __future__ import annotations

import json
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sangsaeng.connector import Connector
from sangsaeng.errors import SangsaengError
from sangsaeng.policy.model import flat, parse_policy
from sangsaeng.portal.i18n import Words
from sangsaeng.store.records import Agreement, Dataset

TITLES_FILE = "portal-titles.json"
TITLES_KEPT = 5000  # partners' dataset titles remembered, newest kept
TITLE_CHARS = 200  # of each: a partner's title is a name to show, not a document to keep
ID_CHARS = 1000
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
SHORT = 16


def short(identifier: str) -> str:
    """An id as a person can glance at it: its last part, a uuid's first eight digits, a long part cut."""
    last = re.split(r"[:/#]", identifier.rstrip(":/#"))[-1] or identifier
    if UUID.match(last):
        return last[:8]
    return last if len(last) <= SHORT else last[: SHORT - 1] + "…"


class RememberedTitles:
    """Titles of partners' datasets, as each partner's catalog showed them; kept in a small JSON file. Kept per
    partner: a partner naming its dataset with another's id must not retitle the other's data."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._titles: dict[str, str] = {}
        try:
            loaded = json.loads(path.read_text("utf-8"))
            if isinstance(loaded, dict):
                self._titles = {str(k): str(v) for k, v in loaded.items() if isinstance(v, str)}
        except (OSError, ValueError):
            pass  # none yet, or unreadable: titles are a convenience, ids fall back to their short form

    @staticmethod
    def _key(partner: str, dataset_id: str) -> str:
        return f"{partner}\n{dataset_id}"

    def get(self, partner: str, dataset_id: str) -> str | None:
        return self._titles.get(self._key(partner, dataset_id))

    def remember(self, partner: str, titles: dict[str, str]) -> None:
        """Keep these titles of ``partner``'s datasets (written at once: call it in a worker thread)."""
        with self._lock:
            kept = {self._key(partner, k): v[:TITLE_CHARS] for k, v in titles.items() if len(k) <= ID_CHARS}
            changed = {k: v for k, v in kept.items() if self._titles.get(k) != v}
            if not changed:
                return
            for key in changed:
                self._titles.pop(key, None)
            self._titles.update(changed)
            while len(self._titles) > TITLES_KEPT:
                self._titles.pop(next(iter(self._titles)))
            partial = self.path.with_suffix(".partial")
            partial.write_text(json.dumps(self._titles, ensure_ascii=False), "utf-8")
            os.replace(partial, self.path)


@dataclass
class Names:
    """The names one page shows, read once per request."""

    w: Words
    me: str
    participants: dict[str, str] = field(default_factory=dict)
    datasets: dict[str, str] = field(default_factory=dict)
    agreements: dict[str, Agreement] = field(default_factory=dict)
    remembered: RememberedTitles | None = None

    def partner(self, participant_id: str | None) -> str:
        if not participant_id:
            return "—"
        return self.participants.get(participant_id) or short(participant_id)

    def partners(self, ids: Any) -> str:
        return ", ".join(self.partner(str(i)) for i in (ids if isinstance(ids, list | tuple) else [ids]))

    def dataset(self, dataset_id: str | None, provider: str | None = None) -> str:
        """A dataset's title: ours from the store, a partner's (``provider``) as its catalog showed it."""
        if not dataset_id:
            return "—"
        if provider is None or provider == self.me:
            found = self.datasets.get(dataset_id)
        else:
            found = self.remembered.get(provider, dataset_id) if self.remembered else None
        return found or self.w.t("name.dataset", id=short(dataset_id))

    def agreement(self, agreement_id: str | None) -> str:
        """``<dataset title> · <partner name>``: the partner being the other party."""
        if not agreement_id:
            return "—"
        a = self.agreements.get(agreement_id)
        if a is None:
            return self.w.t("name.agreement", id=short(agreement_id))
        other = a.consumer if a.provider == self.me else a.provider
        return f"{self.dataset(a.dataset_id, a.provider)} · {self.partner(other)}"

    def offer(self, offer_id: str, raw: dict[str, Any], purposes: frozenset[str]) -> str:
        """An offer named by what it allows: who, for what, how long (``Oem · 품질 분석 · 90일``)."""
        try:
            policy = parse_policy(raw, where="offer", purposes=purposes)
        except SangsaengError:  # terms this connector cannot read: named by its id, short
            return short(offer_id)
        who, purpose, days = "", "", ""
        for rule in policy.of_kind("permission"):
            for a in flat(rule.constraints):
                values = list(a.right) if isinstance(a.right, tuple) else [a.right]
                if a.left in ("participant", "recipient") and a.operator in ("eq", "isAnyOf", "isPartOf"):
                    who = who or self.partners(values)
                elif a.left == "purpose" and a.operator in ("eq", "isAnyOf", "isPartOf"):
                    purpose = purpose or ", ".join(self.w.purpose(str(v)) for v in values)
                elif a.left == "elapsedTime" and hasattr(a.right, "days"):
                    days = days or self.w.t("name.days", days=a.right.days)
        parts = [who or self.w.t("name.anyone"), purpose or self.w.t("name.any_purpose")]
        return " · ".join(parts + ([days] if days else []))


def load_names(
    connector: Connector,
    w: Words,
    remembered: RememberedTitles | None,
    *,
    datasets: list[Dataset],
    agreements: list[Agreement],
) -> Names:
    """Names for a page: the directory, our datasets' titles and the agreements."""
    participants = {p.id: p.name for p in connector.directory.participants()}
    if connector.settings.name:
        participants[connector.participant_id] = connector.settings.name
    return Names(
        w=w,
        me=connector.participant_id,
        participants=participants,
        datasets={d.id: d.title for d in datasets},
        agreements={a.id: a for a in agreements},
        remembered=remembered,
    )
