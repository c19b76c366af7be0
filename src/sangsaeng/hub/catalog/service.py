"""The federated catalog as the hub's edges use it: search, and the crawl's state of each member."""

from __future__ import annotations

from dataclasses import dataclass

from sangsaeng.hub.catalog.crawl import Crawler
from sangsaeng.hub.catalog.index import MAX_HITS, SearchIndex
from sangsaeng.hub.catalog.model import Filters, Hit, Member, MemberState
from sangsaeng.hub.catalog.text import MAX_QUERY, MAX_TERMS, terms
from sangsaeng.i18n.refusals import refusal
from sangsaeng.policy.templates import TEMPLATES
from sangsaeng.roles import Principal, require
from sangsaeng.standard.entities import ENTITIES


@dataclass(frozen=True)
class MemberStatus:
    member: Member
    state: MemberState


class HubCatalog:
    def __init__(self, index: SearchIndex, crawler: Crawler | None = None) -> None:
        self.index, self.crawler = index, crawler

    def search(self, who: Principal, query: str, filters: Filters, limit: int = 20) -> list[Hit]:
        """Listed datasets whose texts hold every term of ``query`` (none: all), within the filters, best first."""
        require(who, "read")
        if len(query) > MAX_QUERY:
            raise refusal("messages", "hub.catalog.query-long", at="q", most=MAX_QUERY)
        asked = terms(query)
        if len(asked) > MAX_TERMS:
            raise refusal("messages", "hub.catalog.query-terms", at="q", most=MAX_TERMS)
        if filters.entity is not None and filters.entity not in ENTITIES:
            raise refusal("messages", "hub.catalog.entity", at="entity", known=", ".join(ENTITIES))
        if filters.template is not None and filters.template not in TEMPLATES:
            raise refusal("messages", "hub.catalog.template", at="template", known=", ".join(TEMPLATES))
        if not 1 <= limit <= MAX_HITS:
            raise refusal("messages", "hub.catalog.limit", at="limit", most=MAX_HITS)
        return self.index.search(asked, filters, limit)

    def status(self, who: Principal) -> list[MemberStatus]:
        """Each member the crawl knows, with when its catalog was last read and the last failure."""
        require(who, "read")
        members, states = self.index.members(), self.index.states()
        return [MemberStatus(members[i], states[i]) for i in sorted(members) if i in states]
