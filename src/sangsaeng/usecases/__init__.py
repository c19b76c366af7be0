"""What people do with the connector, each once, whichever door they come through (REST API, portal, CLI).

Each use case takes the acting ``Principal`` (``roles.py``) and decides itself whether that principal may act,
opens its own transactions and writes its own audit entries; the doors only parse input, call it and render.
The protocol's own machinery (negotiation/, transfer/, dataplane/) stays where it is: these call it.
"""
