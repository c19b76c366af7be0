"""Standard industrial data: canonical entities, units, mappings and validation (DATA-MODEL.md)."""
