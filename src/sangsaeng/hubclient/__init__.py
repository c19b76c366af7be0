"""A connector's side of the hub it trusts, over the network: discovering it at join, fetching its signed
directory and status list every ``hub_refresh`` seconds (the documents are verified by ``identity/hub.py``)."""
