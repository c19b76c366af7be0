"""Dataspace Protocol 2025-1 wire format: the context, message builders and strict readers."""
