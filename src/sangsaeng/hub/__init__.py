"""The hub: one dataspace's operator. It admits companies (``members/``, pure), keeps their applications and
credentials (``store/``), decides and issues (``service/``), serves its signed documents and its API (``api/``), and
crawls and searches its members' catalogs (``catalog/``). The hub is a participant itself: its root context is a
whole connector, whose key signs what it publishes and whose tamper-evident log records every decision. Wire
formats: ``docs/hub.md``."""
