"""The hub's federated catalog: members' DSP catalogs crawled with the hub's own identity, indexed for search in
Korean and English (``crawl.py``, ``index.py``), searched through one service (``service.py``) and its routes."""
