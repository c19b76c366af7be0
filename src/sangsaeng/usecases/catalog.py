"""Our datasets and offers as people read and publish them, and the terms an explanation is asked about."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sangsaeng.catalog.service import CatalogService
from sangsaeng.connector import Connector
from sangsaeng.errors import InvalidInput, NotFound
from sangsaeng.roles import Principal, require
from sangsaeng.store.records import Dataset, Offer


class Catalog:
    def __init__(self, connector: Connector, catalog: CatalogService) -> None:
        self.c, self.catalog = connector, catalog

    async def dataset(self, who: Principal, dataset_id: str) -> Dataset:
        found = await self.find_dataset(who, dataset_id)
        if found is None:
            raise NotFound(f"no dataset {dataset_id}")
        return found

    async def find_dataset(self, who: Principal, dataset_id: str) -> Dataset | None:
        require(who, "read")
        async with self.c.store.begin() as tx:
            return await tx.datasets.get(dataset_id)

    async def datasets(self, who: Principal, offset: int = 0, limit: int = 100) -> list[Dataset]:
        require(who, "read")
        async with self.c.store.begin() as tx:
            return await tx.datasets.page(offset, limit)

    async def list_at_hub(self, who: Principal, dataset_id: str, listed: bool) -> Dataset:
        """Let the dataspace's hub list a dataset in its catalog search, or not (``sangsaeng:listedAtHub`` in our
        catalog); publishing is a steward's decision, and it is logged."""
        require(who, "offer.publish")
        async with self.c.store.begin() as tx:
            if not await tx.datasets.set_listed_at_hub(dataset_id, listed):
                raise NotFound(f"no dataset {dataset_id}", position="datasetId")
            await tx.catalog.bump_revision()
            dataset = await tx.datasets.get(dataset_id)
        assert dataset is not None
        self.c.audit.note(
            "management", action="dataset.hub-listing", user=who.name, via=who.door, dataset=dataset_id, listed=listed
        )
        return dataset

    async def offer(self, who: Principal, offer_id: str) -> Offer:
        require(who, "read")
        async with self.c.store.begin() as tx:
            offer = await tx.offers.get(offer_id)
        if offer is None:
            raise NotFound(f"no offer {offer_id}")
        return offer

    async def offers(self, who: Principal) -> list[Offer]:
        require(who, "read")
        async with self.c.store.begin() as tx:
            return await tx.offers.all()

    async def publish(
        self,
        who: Principal,
        dataset_id: str,
        policy: dict[str, Any] | None,
        offer_id: str | None = None,
        **options: Any,
    ) -> Offer:
        """Publish an offer for one of our datasets (``CatalogService.create_offer`` says how), and log it."""
        require(who, "offer.publish")
        offer = await self.catalog.create_offer(dataset_id, policy, offer_id, **options)
        self.c.audit.note(
            "management",
            action="offer.create",
            user=who.name,
            via=who.door,
            dataset=offer.dataset_id,
            offer=offer.id,
            policy=offer.policy,
            access=offer.access_policy,
        )
        return offer

    async def terms(
        self,
        who: Principal,
        offer_id: str | None,
        agreement_id: str | None,
        policy: dict[str, Any] | None,
        uses: int | None,
    ) -> tuple[dict[str, Any], datetime | None, int]:
        """The policy an explanation is about (an offer's, an agreement's or one given), when it was agreed and
        how often it was used."""
        require(who, "read")
        given = [x for x in (offer_id, agreement_id, policy) if x is not None]
        if len(given) != 1:
            raise InvalidInput("give exactly one of offerId, agreementId or policy")
        async with self.c.store.begin() as tx:
            if offer_id is not None:
                offer = await tx.offers.get(offer_id)
                if offer is None:
                    raise NotFound(f"no offer {offer_id}", position="offerId")
                return offer.policy, None, uses or 0
            if agreement_id is not None:
                agreement = await tx.agreements.get(agreement_id)
                if agreement is None:
                    raise NotFound(f"no agreement {agreement_id}", position="agreementId")
                return agreement.body, agreement.created_at, agreement.uses if uses is None else uses
        return policy or {}, None, uses or 0
