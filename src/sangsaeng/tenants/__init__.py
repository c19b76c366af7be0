"""Participant contexts: one whole connector each (settings, key, directory, store, datasets, services, audit log,
outbox), several in one process behind one app. A context's services hold only its own store, so no query can
reach another's records: isolation by construction, not by a filter each query must remember."""
