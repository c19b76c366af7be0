"""Sangsaeng (상생): value-chain data sharing under machine-enforced terms."""

__version__ = "0.1.0"
