"""Support's tables: their own Alembic chain (version table ``support_alembic_version``) in the hub connector's
database and schema. Each part of support (assessments, experts and programs, benchmarks) has its own branch of
the chain, rooted at ``s0001``, so that they are migrated together (``upgrade heads``) without ordering each
other."""
