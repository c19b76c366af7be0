"""The search index on PostgreSQL (``PostgresIndex``): the port of ``index.py`` in the hub's own state database.

Used when the hub's state is on PostgreSQL (``database_url``), in its schema (``state_schema``); its tables come
from the hub's Alembic chain (``h0003_search_index``, which does nothing on SQLite). Text is split by ``text.py``
exactly as for SQLite, and its tokens are written as a tsvector *literal* with their positions, so no text search
parser or dictionary stands between ``text.py`` and the index (lexemes are what ``text.py`` made: lowercased
bigrams, syllables and words; a run's break keeps its position, so no phrase spans two runs). A query is a tsquery
literal too: a Hangul run as its bigrams joined by ``<->`` (adjacent, in order), a word as ``'word':*`` (a prefix),
a single syllable against the syllables' tsvector; every term joined by ``&``. GIN indexes on both tsvectors, and
on an entry's templates.

The port is synchronous, as SQLite's adapter is, so a call holds the event loop for its round trips to the
database (a search over ten thousand entries takes a few milliseconds); psycopg 3 through SQLAlchemy Core.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSQUERY, TSVECTOR, insert

from sangsaeng.hub.catalog.index import MAX_HITS
from sangsaeng.hub.catalog.model import Entry, Filters, Hit, Member, MemberState, Offer
from sangsaeng.hub.catalog.text import BREAK, Indexed, Term, bigrams, indexed
from sangsaeng.store.sql.engine import JSON_CODEC, async_url

# PostgreSQL's bounds of a tsvector: a lexeme's bytes, a position, positions per lexeme (its manual, § 8.11.1 and
# § 12.11). A longer word is cut (a query word, at most ``MAX_QUERY`` characters, still finds it as a prefix).
MAX_LEXEME_BYTES, MAX_POSITION, MAX_POSITIONS = 2046, 16383, 256

# Tables of their own metadata: ``migrations/versions/h0003_search_index.py`` creates them, on PostgreSQL only.
metadata = sa.MetaData()
Text = sa.Text

members = sa.Table(
    "hub_catalog_members",
    metadata,
    sa.Column("id", Text, primary_key=True),
    sa.Column("name", Text, nullable=False),
    sa.Column("endpoint", Text, nullable=False),
    sa.Column("tier", ARRAY(Text), nullable=False),
    sa.Column("sector", ARRAY(Text), nullable=False),
    sa.Column("region", ARRAY(Text), nullable=False),
    sa.Column("words", ARRAY(Text), nullable=False),
    sa.Column("state", JSONB, nullable=False),
)

entries = sa.Table(
    "hub_catalog_entries",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("provider", Text, nullable=False),
    sa.Column("dataset_id", Text, nullable=False),
    sa.Column("title", Text, nullable=False),
    sa.Column("description", Text, nullable=False),
    sa.Column("entity", Text, nullable=True),
    sa.Column("offers", JSONB, nullable=False),  # [[offer id, template or null], …]
    sa.Column("templates", ARRAY(Text), nullable=False),
    sa.Column("grams", TSVECTOR, nullable=False),
    sa.Column("syllables", TSVECTOR, nullable=False),
    sa.UniqueConstraint("provider", "dataset_id"),
)

_FACETS = ("tier", "sector", "region")
BYTES = "C"  # a collation that orders as SQLite's BINARY does: by code point


class PostgresIndex:
    """``url``: the hub's state database; ``schema``: its PostgreSQL schema (``state_schema``), else the default."""

    def __init__(self, url: str, schema: str | None = None) -> None:
        self._base = sa.create_engine(async_url(url), pool_size=2, max_overflow=4, pool_pre_ping=True, **JSON_CODEC)
        self.engine = self._base.execution_options(schema_translate_map={None: schema}) if schema else self._base

    def close(self) -> None:
        self._base.dispose()

    def replace(self, member: Member, entries_: Sequence[Entry], state: MemberState) -> None:
        rows = []
        for e in entries_:
            words = indexed(
                e.title, e.description, *e.keywords, *e.entity_words(), member.name, *member.words,
                *member.tier, *member.sector, *member.region,
            )  # fmt: skip
            rows.append(
                {
                    "provider": member.id,
                    "dataset_id": e.dataset_id,
                    "title": e.title,
                    "description": e.description,
                    "entity": e.entity,
                    "offers": [[o.id, o.template] for o in e.offers],
                    "templates": sorted({o.template for o in e.offers if o.template}),
                    "grams": grams_vector(words),
                    "syllables": syllables_vector(words),
                }
            )
        with self.engine.begin() as db:
            db.execute(entries.delete().where(entries.c.provider == member.id))
            self._put_member(db, member, state)
            if rows:
                insert = entries.insert().values(
                    {
                        **{c: sa.bindparam(c) for c in ("provider", "dataset_id", "title", "description", "entity")},
                        "offers": sa.bindparam("offers", type_=JSONB),
                        "templates": sa.bindparam("templates", type_=ARRAY(Text)),
                        "grams": sa.cast(sa.bindparam("grams", type_=Text), TSVECTOR),
                        "syllables": sa.cast(sa.bindparam("syllables", type_=Text), TSVECTOR),
                    }
                )
                db.execute(insert, rows)

    @staticmethod
    def _put_member(db: sa.Connection, member: Member, state: MemberState) -> None:
        values = {
            "name": member.name,
            "endpoint": member.endpoint,
            **{k: list(getattr(member, k)) for k in (*_FACETS, "words")},
            "state": dataclasses.asdict(state),
        }
        db.execute(
            insert(members).values(id=member.id, **values).on_conflict_do_update(index_elements=["id"], set_=values)
        )

    def save_state(self, state: MemberState) -> None:
        with self.engine.begin() as db:
            db.execute(members.update().where(members.c.id == state.member).values(state=dataclasses.asdict(state)))

    def forget(self, member_ids: Iterable[str]) -> None:
        gone = list(member_ids)
        with self.engine.begin() as db:
            db.execute(entries.delete().where(entries.c.provider.in_(gone)))
            db.execute(members.delete().where(members.c.id.in_(gone)))

    def states(self) -> dict[str, MemberState]:
        with self.engine.connect() as db:
            return {i: MemberState(**s) for i, s in db.execute(sa.select(members.c.id, members.c.state))}

    def members(self) -> dict[str, Member]:
        columns = [members.c.id, members.c.name, members.c.endpoint, *(members.c[k] for k in (*_FACETS, "words"))]
        with self.engine.connect() as db:
            return {
                i: Member(i, name, endpoint, tuple(tier), tuple(sector), tuple(region), tuple(words))
                for i, name, endpoint, tier, sector, region, words in db.execute(sa.select(*columns))
            }

    def count(self) -> int:
        with self.engine.connect() as db:
            return int(db.execute(sa.select(sa.func.count()).select_from(entries)).scalar_one())

    def entries_of(self, member_id: str) -> list[Entry]:
        query = (
            sa.select(entries.c.dataset_id, entries.c.title, entries.c.description, entries.c.entity, entries.c.offers)
            .where(entries.c.provider == member_id)
            .order_by(sa.collate(entries.c.dataset_id, BYTES))
        )
        with self.engine.connect() as db:
            return [
                Entry(member_id, dataset_id, title, description, entity=entity,
                      offers=tuple(Offer(i, t) for i, t in offers))
                for dataset_id, title, description, entity, offers in db.execute(query)
            ]  # fmt: skip

    def search(self, terms: Sequence[Term], filters: Filters, limit: int) -> list[Hit]:
        e, m = entries, members
        query = sa.select(
            e.c.provider, m.c.name, m.c.endpoint, e.c.dataset_id, e.c.title, e.c.description, e.c.entity,
            e.c.offers, m.c.tier, m.c.sector, m.c.region,
        ).select_from(e.join(m, m.c.id == e.c.provider))  # fmt: skip
        order: list[Any] = []
        grams, syllables = grams_query(terms), syllables_query(terms)
        if grams:
            asked = sa.cast(sa.literal(grams, Text), TSQUERY)
            query = query.where(e.c.grams.bool_op("@@")(asked))
            order.append(sa.func.ts_rank(e.c.grams, asked).desc())
        if syllables:
            query = query.where(e.c.syllables.bool_op("@@")(sa.cast(sa.literal(syllables, Text), TSQUERY)))
        if filters.entity:
            query = query.where(e.c.entity == filters.entity)
        if filters.template:
            query = query.where(e.c.templates.contains([filters.template]))
        for kind in _FACETS:
            wanted = getattr(filters, kind)
            if wanted:
                query = query.where(m.c[kind].contains([wanted]))
        query = query.order_by(*order, sa.collate(e.c.title, BYTES), e.c.id).limit(min(max(limit, 1), MAX_HITS))
        with self.engine.connect() as db:
            rows = db.execute(query).all()
        return [
            Hit(provider, name, endpoint, dataset_id, title, description, entity,
                tuple(Offer(i, t) for i, t in offers), tuple(tier), tuple(sector), tuple(region))
            for provider, name, endpoint, dataset_id, title, description, entity, offers, tier, sector, region in rows
        ]  # fmt: skip


def _lexeme(token: str) -> str:
    """A token as a quoted tsvector/tsquery lexeme (``text.py``'s tokens are letters and digits; quoted anyway)."""
    cut = token.encode()[:MAX_LEXEME_BYTES].decode(errors="ignore")
    return "'" + cut.replace("\\", "\\\\").replace("'", "''") + "'"


def grams_vector(words: Indexed) -> str:
    """The bigrams and words in order, each with its positions; a break keeps its place but is no lexeme."""
    positions: dict[str, list[int]] = {}
    for at, token in enumerate(words.grams.split(), start=1):
        if token != BREAK:
            found = positions.setdefault(_lexeme(token), [])
            place = min(at, MAX_POSITION)
            if len(found) < MAX_POSITIONS and (not found or found[-1] != place):
                found.append(place)
    return " ".join(f"{lexeme}:{','.join(map(str, at))}" for lexeme, at in positions.items())


def syllables_vector(words: Indexed) -> str:
    return " ".join(_lexeme(s) for s in words.syllables.split())


def grams_query(terms: Sequence[Term]) -> str:
    """Every phrase (its bigrams adjacent, in order) and word (as a prefix), all of them; empty: none asked."""
    parts = []
    for term in terms:
        if term.kind == "phrase":
            parts.append("(" + " <-> ".join(_lexeme(b) for b in bigrams(term.text)) + ")")
        elif term.kind == "word":
            parts.append(_lexeme(term.text) + ":*")
    return " & ".join(parts)


def syllables_query(terms: Sequence[Term]) -> str:
    return " & ".join(_lexeme(t.text) for t in terms if t.kind == "syllable")
