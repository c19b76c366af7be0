"""``make bench``: every benchmark, each figure beside a baseline measured in the same run, with peak memory."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from bench import catalog, negotiations, pull

BENCHES = {"negotiations": negotiations.run, "pull": pull.run, "catalog": catalog.run}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("names", nargs="*", choices=[*BENCHES, []], help="benchmarks to run (default: all)")
    args = parser.parse_args()
    for name in args.names or list(BENCHES):
        with tempfile.TemporaryDirectory(prefix=f"sangsaeng-bench-{name}-") as folder:
            figure = BENCHES[name](Path(folder))
            print(figure.show(), flush=True)


main()
