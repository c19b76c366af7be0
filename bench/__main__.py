"""``make bench``: every benchmark, each figure beside a baseline measured in the same run, with peak memory."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from bench import (
    audit,
    catalog,
    concurrent,
    corpus,
    crawl,
    disclosure,
    hosting,
    ingest,
    negotiations,
    policy,
    pull,
    streams,
)

BENCHES = {
    "negotiations": negotiations.run,
    "pull": pull.run,
    "concurrent": concurrent.run,
    "catalog": catalog.run,
    "crawl": crawl.run,
    "hosting": hosting.run,
    "ingest": ingest.run,
    "corpus": corpus.run,
    "policy": policy.run,
    "audit": audit.run,
    "streams": streams.run,
    "streams-births": streams.births,
    "disclosure": disclosure.run,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("names", nargs="*", help=f"benchmarks to run: {', '.join(BENCHES)} (default: all)")
    parser.add_argument("--tenants", type=int, default=500, help="connectors the hub hosts (hosting)")
    parser.add_argument("--members", type=int, default=10_000, help="members contributing (disclosure)")
    parser.add_argument("--gib", type=float, default=1.0, help="size of the pulled dataset in GiB")
    args = parser.parse_args()
    unknown = set(args.names) - set(BENCHES)
    if unknown:
        parser.error(f"unknown benchmark {', '.join(sorted(unknown))}; choose from {', '.join(BENCHES)}")
    for name in args.names or list(BENCHES):
        with tempfile.TemporaryDirectory(prefix=f"sangsaeng-bench-{name}-") as folder:
            sized = name in ("pull", "ingest")
            if name == "hosting":
                figure = hosting.run(Path(folder), args.tenants)
            elif name == "disclosure":
                figure = disclosure.run(Path(folder), args.members)
            else:
                figure = BENCHES[name](Path(folder), args.gib) if sized else BENCHES[name](Path(folder))  # type: ignore[operator]
            print(figure.show(), flush=True)


main()
