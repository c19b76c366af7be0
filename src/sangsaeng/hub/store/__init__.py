"""The hub's state: applications (members are approved ones), the credentials issued, and the counters behind
its documents' ``seq`` and the status list's indexes — in the hub's connector's own database (its own Alembic
chain, version table ``hub_alembic_version``), written on the transaction's connection so that a decision and
its log entry commit together."""
