"""Support's use cases, one module per part: they take values and a caller and return values; the API, the portal
and the command line share them."""
