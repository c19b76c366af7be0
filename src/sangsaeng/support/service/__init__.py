"""Support's use cases: each takes values and a caller and returns values; the API, the portal and the CLI share
them."""
