# The two commands of record: `make generate` and `make test`. Both set up what they need.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DEPS   := $(VENV)/.deps-installed
# npm writes this file on every install; it is newer than package-lock.json once node_modules matches it.
NODE_DEPS := node_modules/.package-lock.json

.PHONY: generate test test-corpus lint typecheck check clean bench

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "partner-codegen needs Python 3.11 or newer (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall when either project's metadata changes.
$(DEPS): pyproject.toml generated/pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]' -e ./generated
	@touch $@

# Node tools for the integration tests (the Prism mock server), pinned by package-lock.json.
$(NODE_DEPS): package-lock.json
	@command -v npm >/dev/null || { echo "make test needs Node.js and npm (for the Prism mock server)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

## Regenerate generated/ from spec/partner-v2.yaml.
generate: $(DEPS)
	$(BIN)/partner-codegen generate

## Lint, type-check and run the test suite (all but the two largest real specs).
test: $(DEPS) $(NODE_DEPS) lint typecheck
	$(BIN)/python -m pytest -m "not corpus"

## The largest real specs (whole Confluent Cloud API, GitHub API): generate, import, type-check.
test-corpus: $(DEPS) $(NODE_DEPS)
	$(BIN)/python -m pytest -m corpus tests/test_corpus.py

lint: $(DEPS)
	$(BIN)/ruff check generator generated tests

typecheck: $(DEPS)
	$(BIN)/mypy --strict generator
	cd generated && ../$(BIN)/mypy --strict confluent_partner_v2

## Benchmarks against the peers (installed into bench/.peers/); prints the tables of BENCHMARKS.md.
bench: $(DEPS)
	$(BIN)/python bench/run.py

## Exit 1 if generated/ is stale.
check: $(DEPS)
	$(BIN)/partner-codegen check

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
