"""Sangsaeng (상생): value-chain data sharing under machine-enforced terms."""

import os

__version__ = "0.1.0"

# Arrow allocates from its bundled jemalloc rather than its default mimalloc, which keeps what idle threads freed:
# under 50 concurrent pulls a provider stayed ~40-70 MB above its earlier size after the load, and is back within a
# few MB with jemalloc (which returns dirty pages after a second) while pulling faster than with the C library's
# malloc (bench/concurrent.py, bench/pull.py; docs/architecture.md § Performance). Arrow reads this once, when it
# loads, so it is set here, before any module of the package imports it; an operator's value wins.
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "jemalloc")
