"""What the hub's catalog knows: its members, the datasets their catalogs list, and what a search finds (pure).

A member's DSP catalog (DSP 2025-1 § Catalog Protocol, DCAT with ODRL offers in ``hasPolicy``) is read strictly
where trust matters and leniently where it does not: a catalog that is not one (not an object, another
participant's, no dataset list, more datasets than the hub keeps) is refused whole, and the hub keeps what it had;
a single dataset entry it cannot read is skipped and counted. Texts are cut to a bound, so that one member cannot
fill the index.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sangsaeng.dsp.catalog import LISTED_AT_HUB
from sangsaeng.policy.templates import TEMPLATES
from sangsaeng.standard.entities import ENTITIES, SCHEMA_BASE
from sangsaeng.standard.labels import ENTITY_LABELS

TITLE, DESCRIPTION, KEYWORD, KEYWORDS, OFFERS = 300, 2000, 60, 30, 50  # bounds of what one entry keeps
TEMPLATE_KEY = "sangsaeng:template"  # an offer may name the template it was made from


class NotACatalog(ValueError):
    """A member's answer the hub does not index (the index keeps what it had for that member)."""


@dataclass(frozen=True)
class Member:
    """A member as the hub's directory knows it: its attributes are for display and search only (hub-wire.md)."""

    id: str
    name: str
    endpoint: str  # its DSP protocol endpoint
    tier: tuple[str, ...] = ()
    sector: tuple[str, ...] = ()  # KSIC codes
    region: tuple[str, ...] = ()
    words: tuple[str, ...] = ()  # more to search by: the names of its sector and region, in Korean and English


@dataclass(frozen=True)
class Offer:
    id: str
    template: str | None


@dataclass(frozen=True)
class Entry:
    """One listed dataset of one member, as the index keeps it."""

    provider: str
    dataset_id: str
    title: str
    description: str = ""
    keywords: tuple[str, ...] = ()
    entity: str | None = None
    offers: tuple[Offer, ...] = ()

    def entity_words(self) -> tuple[str, ...]:
        label = ENTITY_LABELS.get(self.entity or "")
        return (self.entity.replace("_", " "), label.ko, label.en) if self.entity and label else ()


@dataclass
class Read:
    entries: list[Entry] = field(default_factory=list)
    skipped: int = 0  # entries that could not be read
    unlisted: int = 0  # entries whose provider does not let the hub list them


def read_catalog(member: Member, catalog: Any, max_datasets: int) -> Read:
    """The listed datasets of a member's catalog; ``NotACatalog`` when the answer is not its catalog at all."""
    if not isinstance(catalog, Mapping):
        raise NotACatalog("the answer is not a JSON object")
    said = catalog.get("participantId")
    if said is not None and said != member.id:
        raise NotACatalog(f"the catalog is {str(said)[:200]!r}'s, not the member's")
    datasets = catalog.get("dataset", [])
    if not isinstance(datasets, list):
        raise NotACatalog("its 'dataset' is not a list")
    if len(datasets) > max_datasets:
        raise NotACatalog(f"it lists {len(datasets):,} datasets, more than the hub keeps ({max_datasets:,})")
    read = Read()
    seen: set[str] = set()
    for item in datasets:
        if isinstance(item, Mapping) and item.get(LISTED_AT_HUB) is False:
            read.unlisted += 1
            continue
        entry = _entry(member, item)
        if entry is None or entry.dataset_id in seen:
            read.skipped += 1
            continue
        seen.add(entry.dataset_id)
        read.entries.append(entry)
    return read


def _entry(member: Member, item: Any) -> Entry | None:
    if not isinstance(item, Mapping):
        return None
    dataset_id, offers = item.get("@id"), item.get("hasPolicy")
    if not isinstance(dataset_id, str) or not dataset_id or len(dataset_id) > 255 or not isinstance(offers, list):
        return None
    listed = tuple(
        Offer(o["@id"], template_of(o)) for o in offers[:OFFERS] if isinstance(o, Mapping) and _is_id(o.get("@id"))
    )
    if not listed:
        return None  # nothing to ask for
    keywords = tuple(k[:KEYWORD] for k in _texts(item.get("keyword"))[:KEYWORDS])
    return Entry(
        provider=member.id,
        dataset_id=dataset_id,
        title=" ".join(_texts(item.get("title")))[:TITLE] or dataset_id[:TITLE],
        description=" ".join(_texts(item.get("description")))[:DESCRIPTION],
        keywords=keywords,
        entity=entity_of(item.get("conformsTo")),
        offers=listed,
    )


def _is_id(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 255


def _texts(value: Any) -> list[str]:
    """A DCAT text: a string, a JSON-LD value object ``{"@value": …}``, or a list of them (languages)."""
    values = value if isinstance(value, list) else [value]
    found = []
    for v in values[:KEYWORDS]:
        if isinstance(v, Mapping):
            v = v.get("@value")
        if isinstance(v, str) and v.strip():
            found.append(v.strip())
    return found


def entity_of(conforms_to: Any) -> str | None:
    """The standard entity a dataset conforms to (``urn:sangsaeng:standard:<entity>:v<n>``), if one we know."""
    for value in conforms_to if isinstance(conforms_to, list) else [conforms_to]:
        if isinstance(value, Mapping):
            value = value.get("@id")
        if isinstance(value, str) and value.startswith(f"{SCHEMA_BASE}:"):
            name = value.removeprefix(f"{SCHEMA_BASE}:").split(":")[0]
            if name in ENTITIES:
                return name
    return None


# ---- which template an offer was made from --------------------------------------------------------------------
# Values that make a template what it is; the others (who, how long, how many) are its parameters.
_FIXED = frozenset({"purpose", "aggregateOnly", "redistribution", "tier"})
_SAMPLE = {"customer": "urn:x", "days": "30", "membership": "m", "k": "5", "suppliers": ["urn:x"]}


def _shape(policy: Mapping[str, Any]) -> Any:
    def rules(value: Any) -> tuple[Any, ...]:
        found = []
        for rule in value if isinstance(value, list) else []:
            if not isinstance(rule, Mapping):
                return ("?",)
            constraints = tuple(
                sorted(
                    (
                        str(c.get("leftOperand")),
                        str(c.get("operator")),
                        repr(c.get("rightOperand")) if c.get("leftOperand") in _FIXED else "*",
                    )
                    for c in rule.get("constraint", [])
                    if isinstance(c, Mapping)
                )
            )
            found.append((str(rule.get("action")), constraints, rules(rule.get("duty", []))))
        return tuple(sorted(found))

    return tuple(rules(policy.get(k, [])) for k in ("permission", "prohibition", "obligation"))


_SHAPES = {_shape(t.policy({p.name: _SAMPLE[p.name] for p in t.parameters})): name for name, t in TEMPLATES.items()}


def template_of(offer: Mapping[str, Any]) -> str | None:
    """The template an offer names, or the one whose shape it has (``policy/templates.py``); None for others."""
    named = offer.get(TEMPLATE_KEY)
    if isinstance(named, str) and named in TEMPLATES:
        return named
    return _SHAPES.get(_shape(offer))


@dataclass(frozen=True)
class Hit:
    """A dataset found: enough for a member's portal to ask the provider for an offer in one click (its
    ``POST /portal/partners/{provider}/request`` with the offer's id)."""

    provider: str
    provider_name: str
    endpoint: str
    dataset_id: str
    title: str
    description: str
    entity: str | None
    offers: tuple[Offer, ...]
    tier: tuple[str, ...]
    sector: tuple[str, ...]
    region: tuple[str, ...]


@dataclass(frozen=True)
class Filters:
    entity: str | None = None
    sector: str | None = None
    region: str | None = None
    tier: str | None = None
    template: str | None = None


@dataclass
class MemberState:
    """What the crawl knows of a member: when its catalog was last read, the last failure, when to try again, and
    what tells an unchanged catalog (its entity tag, the digest of its content)."""

    member: str
    last_seen: float | None = None  # seconds since the epoch (UTC)
    last_error: str | None = None
    last_error_at: float | None = None
    failures: int = 0  # in a row, since the last success
    next_try: float = 0.0
    tag: str | None = None
    digest: str | None = None
    fingerprint: str | None = None  # of the member's directory entry its entries were indexed with
    datasets: int = 0
    skipped: int = 0
    unlisted: int = 0
