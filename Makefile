# The two commands of record: `make generate` and `make test`. Both set up what they need.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DEPS   := $(VENV)/.deps-installed

.PHONY: generate test lint typecheck check clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "partner-codegen needs Python 3.11 or newer (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall when either project's metadata changes.
$(DEPS): pyproject.toml generated/pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]' -e ./generated
	@touch $@

## Regenerate generated/ from spec/partner-v2.yaml.
generate: $(DEPS)
	$(BIN)/partner-codegen generate

## Lint, type-check and run the whole test suite.
test: $(DEPS) lint typecheck
	$(BIN)/python -m pytest

lint: $(DEPS)
	$(BIN)/ruff check generator generated tests

typecheck: $(DEPS)
	$(BIN)/mypy --strict generator
	cd generated && ../$(BIN)/mypy --strict confluent_partner_v2

## Exit 1 if generated/ is stale.
check: $(DEPS)
	$(BIN)/partner-codegen check

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
