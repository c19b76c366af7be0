"""The Catena-X aspect releases written and read, the names each gives its fields, and how a document says which
release it is.

A SAMM aspect's payload does not carry its model: the semantic id (``urn:samm:io.catenax.serial_part:4.0.0#
SerialPart``) travels beside it — in the digital twin registry, in the submodel descriptor; in a file, in the
envelope the Tractus-X Item Relationship Service gives its results, ``{"aspectType": <semantic id>, "payload":
<document>}``. A writer here returns an ``Aspect`` (the release and the document) and ``Aspect.envelope()`` is what
goes into a file; a reader takes an envelope, or a bare document with the semantic id given apart, or a bare
document alone, whose release is then told from its shape.

Releases (eclipse-tractusx/sldt-semantic-models, the schemas in ``shared/spec/catenax``): SerialPart 3.0.1 and
4.0.0, Batch 3.0.1 and 4.0.0, SingleLevelBomAsBuilt 3.0.0 and 4.0.0, SingleLevelUsageAsBuilt 3.0.0 and 4.0.0.
4.0.0 renamed ``catenaXId`` to ``globalAssetId`` in all four, and in the parts ``date`` to ``productionDate`` (a
date, no longer a time), ``catenaXsiteId`` to ``siteId``, ``classificationStandard`` / ``classificationID`` to
``standard`` / ``id``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sangsaeng.standard.said import PerLanguage, refusal, words

NAMESPACES = {
    "SerialPart": "io.catenax.serial_part",
    "Batch": "io.catenax.batch",
    "SingleLevelBomAsBuilt": "io.catenax.single_level_bom_as_built",
    "SingleLevelUsageAsBuilt": "io.catenax.single_level_usage_as_built",
}
PARTS = ("SerialPart", "Batch")
BOM, USAGE = "SingleLevelBomAsBuilt", "SingleLevelUsageAsBuilt"

# samm (and bamm, its name before 2023) aspect URNs of Catena-X models
_URN = re.compile(r"^urn:(?:samm|bamm):(io\.catenax\.[a-z_]+):(\d+)\.(\d+)\.(\d+)#(\w+)$")


@dataclass(frozen=True)
class Release:
    aspect: str
    version: str

    @property
    def urn(self) -> str:
        """The semantic id of the aspect model."""
        return f"urn:samm:{NAMESPACES[self.aspect]}:{self.version}#{self.aspect}"

    @property
    def major(self) -> int:
        return int(self.version.split(".")[0])

    @property
    def id_key(self) -> str:
        """Where the document holds the global asset id of its part (and of each related part)."""
        return "globalAssetId" if self.major >= 4 else "catenaXId"

    def __str__(self) -> str:
        return f"{self.aspect} {self.version}"


# Per aspect, the current release first.
RELEASES: dict[str, tuple[Release, ...]] = {
    "SerialPart": (Release("SerialPart", "4.0.0"), Release("SerialPart", "3.0.1")),
    "Batch": (Release("Batch", "4.0.0"), Release("Batch", "3.0.1")),
    BOM: (Release(BOM, "4.0.0"), Release(BOM, "3.0.0")),
    USAGE: (Release(USAGE, "4.0.0"), Release(USAGE, "3.0.0")),
}


@dataclass(frozen=True)
class PartNames:
    """What a release of SerialPart and Batch calls the fields that were renamed in 4.0.0."""

    date: str  # in manufacturingInformation
    date_only: bool  # xsd:date (4.0.0) rather than a date with an optional time (3.x)
    site: str  # in manufacturingInformation.sites[]
    standard: str  # in partTypeInformation.partClassification[]
    code: str


PART_NAMES = {
    3: PartNames("date", False, "catenaXsiteId", "classificationStandard", "classificationID"),
    4: PartNames("productionDate", True, "siteId", "standard", "id"),
}
SITE_FUNCTIONS = ("production", "warehouse", "spare part warehouse")


def release(aspect: str, version: str | None = None) -> Release:
    """The release of ``aspect`` to write: ``version`` (3.x or 4.0.0), else the current one."""
    if aspect not in RELEASES:
        raise refusal("catenax.unknown-aspect", aspect=aspect, aspects=", ".join(RELEASES))
    for known in RELEASES[aspect]:
        if version is None or known.version == version or (known.major == 3 and version == "3"):
            return known
    versions = ", ".join(r.version for r in RELEASES[aspect])
    raise refusal("catenax.release-not-written", at="version", aspect=aspect, version=version, versions=versions)


def identify(semantic_id: str, aspects: tuple[str, ...]) -> Release | None:
    """The release a semantic id names, when it is one of ``aspects``; None for an older release of one of them
    (read by its shape: the older spellings are known); refused when it names another aspect or a newer major."""
    found = _URN.match(semantic_id.strip())
    aspect = found.group(5) if found else None
    if found is None or aspect not in aspects or NAMESPACES[aspect] != found.group(1):
        raise refusal(
            "catenax.not-semantic-id",
            at="aspectType",
            semantic_id=semantic_id,
            aspects=_either(aspects),
            example=RELEASES[aspects[0]][0].urn,
        )
    version = ".".join(found.group(2, 3, 4))
    for known in RELEASES[aspect]:
        if known.version == version:
            return known
    if int(found.group(2)) > RELEASES[aspect][0].major:
        raise refusal(
            "catenax.newer-release", at="aspectType", aspect=aspect, version=version, urn=RELEASES[aspect][0].urn
        )
    return None


@dataclass(frozen=True)
class Aspect:
    """A document and the release it follows."""

    release: Release
    document: dict[str, Any]

    @property
    def semantic_id(self) -> str:
        return self.release.urn

    def envelope(self) -> dict[str, Any]:
        """What a file holds: the semantic id beside the document, as the Item Relationship Service writes them."""
        return {"aspectType": self.semantic_id, "payload": self.document}


def unwrap(given: Any, semantic_id: str | None, aspects: tuple[str, ...]) -> tuple[dict[str, Any], Release | None]:
    """The document in ``given`` (an envelope or a bare document) and the release its semantic id names, if any."""
    if isinstance(given, dict) and "payload" in given and "aspectType" in given:
        if semantic_id is not None and semantic_id != given["aspectType"]:
            raise refusal(
                "catenax.envelope-disagrees", at="aspectType", envelope=given["aspectType"], semantic_id=semantic_id
            )
        semantic_id, given = str(given["aspectType"]), given["payload"]
    if not isinstance(given, dict):
        raise refusal("catenax.not-an-object-document", at="$", aspects=_either(aspects))
    return given, None if semantic_id is None else identify(semantic_id, aspects)


def _either(aspects: tuple[str, ...]) -> PerLanguage:
    """The aspects joined with "or" in the reader's language."""
    return PerLanguage(lambda language: words("word.or", language).join(aspects))
