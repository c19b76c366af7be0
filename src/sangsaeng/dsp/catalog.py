"""The catalog (DSP 2025-1, Catalog Protocol): the request and the DCAT documents a provider answers, typed.

Field names are those of the official schemas (``catalog/*-schema.json``). The catalog service renders its
answer in pieces (``catalog/service.py``, kept per revision and caller), so these types give it the pieces: the
envelope without datasets, a dataset without its offers, and the one distribution every dataset has.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from sangsaeng.dsp.messages import CONTEXT, PULL_FORMAT, message, read
from sangsaeng.errors import InvalidMessage

REQUEST = "CatalogRequestMessage"
# Our profile's extension: false when the provider does not let the dataspace's hub list the dataset in its
# federated catalog (absent: listed). The hub honours it; it hides nothing from anyone else.
LISTED_AT_HUB = "sangsaeng:listedAtHub"


@dataclass(frozen=True)
class CatalogRequest:
    """Ask a provider for its catalog. Our profile supports no filter: one is refused, not ignored."""

    TYPE: ClassVar[str] = REQUEST

    def body(self) -> dict[str, Any]:
        return message(REQUEST, filter=[])

    @classmethod
    def read(cls, body: Any) -> CatalogRequest:
        msg = read(body, REQUEST)
        if msg.get("filter", []) not in ([], None):
            raise InvalidMessage("catalog filters are not supported; send an empty filter", position="filter")
        return cls()


@dataclass(frozen=True)
class DataService:
    id: str
    endpoint_url: str

    def body(self) -> dict[str, Any]:
        return {"@id": self.id, "@type": "DataService", "endpointURL": self.endpoint_url}


@dataclass(frozen=True)
class Distribution:
    """How a dataset is obtained: by ``format`` through the data service ``access_service``."""

    access_service: str
    format: str = PULL_FORMAT

    def body(self) -> dict[str, Any]:
        return {"@type": "Distribution", "format": self.format, "accessService": self.access_service}


@dataclass(frozen=True)
class Catalog:
    """The catalog's envelope: who answers, and through which service; its datasets are added per caller."""

    id: str
    participant_id: str
    service: DataService

    def body(self) -> dict[str, Any]:
        return message("Catalog", **{"@id": self.id}, participantId=self.participant_id, service=[self.service.body()])


@dataclass(frozen=True)
class Dataset:
    """A dataset as a catalog lists it; ``offers`` are ODRL offers (``hasPolicy``), as the caller may see them."""

    id: str
    title: str = ""
    description: str = ""
    conforms_to: str = ""  # the standard entity's schema its data follows (DCAT ``conformsTo``), if any
    listed_at_hub: bool = True

    def head(self) -> dict[str, Any]:
        """The dataset without its offers and distribution (empty title and description are left out)."""
        head: dict[str, Any] = {"@id": self.id, "@type": "Dataset"}
        if self.title:
            head["title"] = self.title
        if self.description:
            head["description"] = self.description
        if self.conforms_to:
            head["conformsTo"] = self.conforms_to
        if not self.listed_at_hub:
            head[LISTED_AT_HUB] = False
        return head

    def body(self, offers: list[dict[str, Any]], distribution: Distribution) -> dict[str, Any]:
        """The dataset on its own (a dataset request's answer), with the DSP context."""
        return {"@context": CONTEXT, **self.head(), "hasPolicy": offers, "distribution": [distribution.body()]}


def offer(offer_id: str, policy: dict[str, Any]) -> dict[str, Any]:
    """An offer as a catalog shows it: the policy, named and typed."""
    return {**policy, "@id": offer_id, "@type": "Offer"}
