"""The search index: a port (``SearchIndex``) and its SQLite FTS5 adapter (``SqliteIndex``).

The index keeps, per member, the entries of its latest readable catalog and the crawl's state, and replaces a
member's entries in one transaction, so a search sees a member's old catalog or its new one, never half of each.
Text is indexed as ``text.py`` says (Hangul bigrams and syllables, Latin words); filters are exact: the dataset's
entity, an offer's template, the member's tier, sector and region (from the hub's directory).

The PostgreSQL adapter of the same port is ``pgindex.PostgresIndex`` (the hub uses it when its state is on
PostgreSQL): the same pre-split text written as tsvector literals with positions (no parser or dictionary between
``text.py`` and the index), a phrase as its bigrams joined by ``<->``, a word as a prefix (``'word':*``), syllables
in a second tsvector, GIN indexes on both.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

import orjson

from sangsaeng.hub.catalog.model import Entry, Filters, Hit, Member, MemberState, Offer
from sangsaeng.hub.catalog.text import Indexed, Term, indexed

MAX_HITS = 100


class SearchIndex(Protocol):
    def replace(self, member: Member, entries: Sequence[Entry], state: MemberState) -> None:
        """The member's entries are these from now on (all others of it gone), and its state this; at once."""
        ...

    def save_state(self, state: MemberState) -> None:
        """The crawl's state of a member, entries unchanged (a failure, or an unchanged catalog)."""
        ...

    def forget(self, member_ids: Iterable[str]) -> None:
        """Members no longer in the directory (or suspended): their entries and state go."""
        ...

    def states(self) -> dict[str, MemberState]: ...

    def members(self) -> dict[str, Member]: ...

    def search(self, terms: Sequence[Term], filters: Filters, limit: int) -> list[Hit]: ...

    def count(self) -> int: ...

    def entries_of(self, member_id: str) -> list[Entry]:
        """What the index lists of one member (by dataset id): what it shares, as the hub sees it."""
        ...


_SCHEMA = """
CREATE TABLE IF NOT EXISTS members (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, endpoint TEXT NOT NULL, attributes TEXT NOT NULL, state TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS entries (
    rowid INTEGER PRIMARY KEY, provider TEXT NOT NULL, dataset_id TEXT NOT NULL, title TEXT NOT NULL,
    description TEXT NOT NULL, entity TEXT, offers TEXT NOT NULL, UNIQUE (provider, dataset_id)
);
CREATE INDEX IF NOT EXISTS entries_entity ON entries (entity);
CREATE TABLE IF NOT EXISTS entry_templates (entry INTEGER NOT NULL, template TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS entry_templates_by_template ON entry_templates (template, entry);
CREATE INDEX IF NOT EXISTS entry_templates_by_entry ON entry_templates (entry);
CREATE TABLE IF NOT EXISTS member_facets (member TEXT NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS member_facets_by_value ON member_facets (kind, value, member);
CREATE INDEX IF NOT EXISTS member_facets_by_member ON member_facets (member);
CREATE VIRTUAL TABLE IF NOT EXISTS texts USING fts5 (grams, syllables, tokenize = 'unicode61');
"""
_FACETS = ("tier", "sector", "region")


class SqliteIndex:
    """SQLite's FTS5 in one file (or in memory), used synchronously: a member's replacement of a few hundred
    entries and a search over ten thousand take milliseconds (``bench/crawl.py``)."""

    def __init__(self, path: Path | str = ":memory:") -> None:
        self.db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.executescript(_SCHEMA)

    def close(self) -> None:
        self.db.close()

    def _remove_entries(self, member_id: str) -> None:
        rows = [r for (r,) in self.db.execute("SELECT rowid FROM entries WHERE provider = ?", (member_id,))]
        for chunk in range(0, len(rows), 500):
            marks = ",".join("?" * len(rows[chunk : chunk + 500]))
            part = rows[chunk : chunk + 500]
            self.db.execute(f"DELETE FROM texts WHERE rowid IN ({marks})", part)
            self.db.execute(f"DELETE FROM entry_templates WHERE entry IN ({marks})", part)
        self.db.execute("DELETE FROM entries WHERE provider = ?", (member_id,))

    def _put_member(self, member: Member, state: MemberState) -> None:
        attributes = orjson.dumps({k: getattr(member, k) for k in (*_FACETS, "words")}).decode()
        self.db.execute(
            "INSERT INTO members VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name, "
            "endpoint = excluded.endpoint, attributes = excluded.attributes, state = excluded.state",
            (member.id, member.name, member.endpoint, attributes, _state_json(state)),
        )
        self.db.execute("DELETE FROM member_facets WHERE member = ?", (member.id,))
        self.db.executemany(
            "INSERT INTO member_facets VALUES (?, ?, ?)",
            [(member.id, kind, value) for kind in _FACETS for value in getattr(member, kind)],
        )

    def replace(self, member: Member, entries: Sequence[Entry], state: MemberState) -> None:
        with self._transaction():
            self._remove_entries(member.id)
            self._put_member(member, state)
            for e in entries:
                offers = orjson.dumps([[o.id, o.template] for o in e.offers]).decode()
                cursor = self.db.execute(
                    "INSERT INTO entries (provider, dataset_id, title, description, entity, offers) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (e.provider, e.dataset_id, e.title, e.description, e.entity, offers),
                )
                rowid = cursor.lastrowid
                words = indexed(
                    e.title, e.description, *e.keywords, *e.entity_words(), member.name, *member.words,
                    *member.tier, *member.sector, *member.region,
                )  # fmt: skip
                self.db.execute("INSERT INTO texts (rowid, grams, syllables) VALUES (?, ?, ?)", (rowid, *_pair(words)))
                templates = {o.template for o in e.offers if o.template}
                self.db.executemany("INSERT INTO entry_templates VALUES (?, ?)", [(rowid, t) for t in templates])

    def save_state(self, state: MemberState) -> None:
        self.db.execute("UPDATE members SET state = ? WHERE id = ?", (_state_json(state), state.member))

    def forget(self, member_ids: Iterable[str]) -> None:
        with self._transaction():
            for member_id in member_ids:
                self._remove_entries(member_id)
                self.db.execute("DELETE FROM member_facets WHERE member = ?", (member_id,))
                self.db.execute("DELETE FROM members WHERE id = ?", (member_id,))

    def states(self) -> dict[str, MemberState]:
        return {i: MemberState(**orjson.loads(s)) for i, s in self.db.execute("SELECT id, state FROM members")}

    def members(self) -> dict[str, Member]:
        found = {}
        rows = self.db.execute("SELECT id, name, endpoint, attributes FROM members")
        for member_id, name, endpoint, attributes in rows:
            values = {k: tuple(v) for k, v in orjson.loads(attributes).items()}
            found[member_id] = Member(member_id, name, endpoint, **values)
        return found

    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM entries").fetchone()[0])

    def entries_of(self, member_id: str) -> list[Entry]:
        rows = self.db.execute(
            "SELECT dataset_id, title, description, entity, offers FROM entries WHERE provider = ? ORDER BY dataset_id",
            (member_id,),
        )
        return [
            Entry(member_id, dataset_id, title, description, entity=entity,
                  offers=tuple(Offer(i, t) for i, t in orjson.loads(offers)))
            for dataset_id, title, description, entity, offers in rows
        ]  # fmt: skip

    def search(self, terms: Sequence[Term], filters: Filters, limit: int) -> list[Hit]:
        where: list[str] = []
        values: list[Any] = []
        if terms:
            source = "texts JOIN entries e ON e.rowid = texts.rowid"
            where.append("texts MATCH ?")
            values.append(" AND ".join(t.fts() for t in terms))
            order = "texts.rank, e.title, e.rowid"
        else:
            source, order = "entries e", "e.title, e.rowid"
        if filters.entity:
            where.append("e.entity = ?")
            values.append(filters.entity)
        if filters.template:
            where.append("e.rowid IN (SELECT entry FROM entry_templates WHERE template = ?)")
            values.append(filters.template)
        for kind in _FACETS:
            wanted = getattr(filters, kind)
            if wanted:
                where.append("e.provider IN (SELECT member FROM member_facets WHERE kind = ? AND value = ?)")
                values += [kind, wanted]
        sql = (
            "SELECT e.provider, m.name, m.endpoint, m.attributes, e.dataset_id, e.title, e.description, e.entity, "
            f"e.offers FROM {source} JOIN members m ON m.id = e.provider"
            f"{' WHERE ' + ' AND '.join(where) if where else ''} ORDER BY {order} LIMIT ?"
        )
        rows = self.db.execute(sql, [*values, min(max(limit, 1), MAX_HITS)])
        hits = []
        for provider, name, endpoint, attributes, dataset_id, title, description, entity, offers in rows:
            facets = orjson.loads(attributes)
            hits.append(
                Hit(
                    provider,
                    name,
                    endpoint,
                    dataset_id,
                    title,
                    description,
                    entity,
                    tuple(Offer(i, t) for i, t in orjson.loads(offers)),
                    tuple(facets["tier"]),
                    tuple(facets["sector"]),
                    tuple(facets["region"]),
                )  # fmt: skip
            )
        return hits

    def _transaction(self) -> _Transaction:
        return _Transaction(self.db)


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, *_: object) -> None:
        self.db.execute("COMMIT" if kind is None else "ROLLBACK")


def _pair(words: Indexed) -> tuple[str, str]:
    return words.grams, words.syllables


def _state_json(state: MemberState) -> str:
    return orjson.dumps(dataclasses.asdict(state)).decode()
