"""Many canonical records to many Catena-X documents, each with a file name: one SerialPart or Batch per part
instance, one SingleLevelBomAsBuilt per parent, one SingleLevelUsageAsBuilt per child.

Before any document is made, ``part_shortfalls`` / ``link_shortfalls`` say what the release still needs of all the
records together (``still_needed``, per field: how many records lack it or hold it in another form), so that an
export is refused whole, in words a person can act on, rather than stopped at the first record. The documents are
then made lazily, so a caller writes them as they come and keeps none.

File names are safe on every common file system: letters and digits of any script, ``-``, ``_`` and ``.`` kept,
everything else ``_``; no leading dot (hidden), no trailing dot or space, no reserved Windows device name, at most
``NAME_BYTES`` bytes of UTF-8; told apart without regard to case (macOS and Windows do not).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from sangsaeng.standard.catenax.bom import write_bom
from sangsaeng.standard.catenax.parts import write_part
from sangsaeng.standard.catenax.releases import BOM, USAGE, Aspect, Release, release
from sangsaeng.standard.catenax.requirements import Need, still_needed
from sangsaeng.standard.catenax.usage import write_usage
from sangsaeng.standard.catenax.values import DEFAULT_ZONE
from sangsaeng.standard.entities import BomLink, Entity, PartInstance, PartType
from sangsaeng.standard.said import refusal, words

NAME_BYTES = 120
_UNSAFE = re.compile(r"[^\w.-]")
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}
ASPECT_OF_KIND = {"serial": "SerialPart", "batch": "Batch"}


@dataclass(frozen=True)
class Shortfall:
    """What a release still needs of the records (``need``), and how a person gives it."""

    release: Release
    need: Need

    def text(self, korean: bool) -> str:
        return self.need.ko if korean else self.need.en

    def hint(self, korean: bool) -> str:
        key = "catenax.need.missing.how" if self.need.missing else "catenax.need.wrong.how"
        return words(key, "ko" if korean else "en", field=self.need.field)


def _shortfalls(aspect: str, records: Sequence[Entity], version: str | None) -> list[Shortfall]:
    if not records:
        return []
    of = release(aspect, version)
    return [Shortfall(of, need) for need in still_needed(aspect, records, version=version)]


def types_of(instances: Sequence[PartInstance], types: Iterable[PartType]) -> dict[str, PartType]:
    """The part type of every instance, by id: refused when a type is given twice differently, or an instance's
    type is not given at all."""
    found: dict[str, PartType] = {}
    for part_type in types:
        if found.setdefault(part_type.id, part_type) != part_type:
            raise refusal("catenax.type-twice", at="part_type.id", id=part_type.id)
    unknown = sorted({i.part_type for i in instances} - set(found))
    if unknown:
        shown = ", ".join(unknown[:5]) + (f" … ({len(unknown)})" if len(unknown) > 5 else "")
        raise refusal("catenax.types-unknown", at="part_instance.part_type", count=len(unknown), shown=shown)
    return found


def unique_parts(instances: Sequence[PartInstance]) -> None:
    """Refuse a global asset id given twice: one part is one document."""
    rows: dict[str, int] = {}
    for row, instance in enumerate(instances, 1):
        first = rows.setdefault(instance.global_asset_id, row)
        if first != row:
            where = f"record {row}: global_asset_id"
            raise refusal("catenax.part-twice", at=where, id=instance.global_asset_id, first=first, row=row)


def part_shortfalls(
    instances: Sequence[PartInstance], types: Mapping[str, PartType], version: str | None = None
) -> list[Shortfall]:
    """What SerialPart (for serial parts) and Batch (for batches) at ``version`` still need of the parts and of
    the part types they use; empty when every part can be written."""
    found: list[Shortfall] = []
    for kind, aspect in ASPECT_OF_KIND.items():
        parts = [i for i in instances if i.kind == kind]
        used = [types[t] for t in dict.fromkeys(i.part_type for i in parts)]
        found += _shortfalls(aspect, [*parts, *used], version)
    return found


def link_shortfalls(aspect: str, links: Sequence[BomLink], version: str | None = None) -> list[Shortfall]:
    """What ``aspect`` (SingleLevelBomAsBuilt or SingleLevelUsageAsBuilt) at ``version`` still needs of links."""
    return _shortfalls(aspect, links, version)


def _cut(name: str, limit: int) -> str:
    """``name`` shortened to at most ``limit`` bytes of UTF-8, never inside a character."""
    return name.encode()[:limit].decode(errors="ignore")


def safe_name(text: str) -> str:
    """``text`` as a file name any common file system takes (see the module's description)."""
    name = _cut(_UNSAFE.sub("_", unicodedata.normalize("NFC", text)), NAME_BYTES).lstrip(".").rstrip(". ")
    if not name or name.split(".")[0].upper() in _RESERVED:
        name = "_" + name
    return name


class FileNames:
    """Names for documents in one folder, each different from the others without regard to case: the first of
    its candidates not taken yet, else the last with a digest of it, else with a number."""

    def __init__(self, suffix: str = ".json") -> None:
        self.suffix = suffix
        self.taken: set[str] = set()

    def name(self, *candidates: str | None) -> str:
        given = [c for c in candidates if c and c.strip()]
        last = given[-1]
        digested = f"{_cut(safe_name(last), NAME_BYTES - 16)}-{hashlib.sha256(last.encode()).hexdigest()[:12]}"
        options = iter([*(safe_name(c) for c in given), digested])
        number = 2
        while True:
            option = next(options, None)
            if option is None:
                option, number = f"{digested}-{number}", number + 1
            if option.casefold() not in self.taken:
                self.taken.add(option.casefold())
                return option + self.suffix


def part_documents(
    instances: Sequence[PartInstance],
    types: Mapping[str, PartType],
    *,
    manufacturer: str | None = None,
    version: str | None = None,
    zone: str = DEFAULT_ZONE,
) -> Iterator[tuple[str, Aspect]]:
    """(file name, document) of every part: named by its serial or batch number, else its global asset id."""
    names = FileNames()
    for instance in instances:
        aspect = write_part(instance, types[instance.part_type], manufacturer=manufacturer, version=version, zone=zone)
        yield names.name(instance.local_id, instance.global_asset_id), aspect


def _grouped(links: Iterable[BomLink], end: str) -> dict[str, list[BomLink]]:
    groups: dict[str, list[BomLink]] = {}
    for link in links:
        groups.setdefault(getattr(link, end), []).append(link)
    return groups


def bom_documents(links: Sequence[BomLink], *, version: str | None = None) -> Iterator[tuple[str, Aspect]]:
    """(file name, document) of every parent's SingleLevelBomAsBuilt, named by the parent's global asset id."""
    names = FileNames()
    for parent, children in _grouped(links, "parent").items():
        yield names.name(parent), write_bom(parent, children, version=version)


def usage_documents(links: Sequence[BomLink], *, version: str | None = None) -> Iterator[tuple[str, Aspect]]:
    """(file name, document) of every child's SingleLevelUsageAsBuilt, named by the child's global asset id."""
    names = FileNames()
    for child, parents in _grouped(links, "child").items():
        yield names.name(child), write_usage(child, parents, version=version)


ASPECTS = {"bom": BOM, "usage": USAGE}
