# Two commands set up everything on a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
UV_VERSION := 0.13.9
# uv from PATH, else a copy installed into .tools/ from PyPI (nothing outside the project is touched).
UV := $(or $(shell command -v uv 2>/dev/null),$(CURDIR)/.tools/bin/uv)
RUN := $(UV) run --frozen

.PHONY: env demo examples test test-stores lint types unit bench clean browser

env: .venv/.synced

$(CURDIR)/.tools/bin/uv:
	python3 -m pip install --quiet --disable-pip-version-check --target $(CURDIR)/.tools "uv==$(UV_VERSION)"

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --compile-bytecode --quiet
	touch $@

demo: env  ## a hub and three companies on loopback: join → publish → search → negotiate → pull → support, then keep serving
	$(RUN) sangsaeng demo

examples: env  ## rewrite examples/, the small files the README's tour names, with the demo's generators
	$(RUN) python -c "from pathlib import Path; from sangsaeng.demo.run import write_examples; write_examples(Path('examples'))"

lint: env
	$(RUN) ruff check src tests bench
	$(RUN) ruff format --check src tests bench
	$(RUN) lint-imports --no-logo

types: env
	$(RUN) mypy

# The portal's browser tests drive Debian's Chromium (never a downloaded browser); Korean needs CJK fonts.
browser:
	@test -x /usr/bin/chromium && fc-list 2>/dev/null | grep -qi "noto sans cjk" || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk)

unit: env browser
	$(RUN) pytest -n 2 --dist loadgroup -q

test: lint types unit  ## the whole suite: lint, types, tests

# The same suite with every connector's datasets in S3 (a throwaway SeaweedFS) and its state in PostgreSQL.
test-stores: env browser  ## the whole suite again on the S3 dataset store and PostgreSQL
	$(RUN) pytest -n 2 --dist loadgroup -q --datasets s3 --state postgres

bench: env  ## benchmarks: figures beside a same-run baseline, with peak memory
	$(RUN) python -m bench

clean:
	rm -rf .venv .tools demo-data .pytest_cache .mypy_cache .ruff_cache .artifacts
