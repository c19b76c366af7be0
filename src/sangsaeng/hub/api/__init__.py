"""The hub's HTTP API: discovery, its signed documents, applications, the operator's review and the members' own
routes. They only read requests, call the use cases and write answers."""
