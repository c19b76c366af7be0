"""Support's routes on the hub (``/hub/support/…``), answering in the hub's root context only."""
