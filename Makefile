# bdsmarket — `make help` lists the targets. Two commands set everything up:
#   make demo   (virtual environment, install, demo program in SQLite, serve it)
#   make test   (virtual environment if missing, the whole suite on SQLite)

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
PYTEST_ARGS ?=
# The suite runs in JOBS processes (pytest-xdist); the tests that read the demo program
# share one worker, which loads it once. JOBS=1 runs it in this process.
JOBS ?= 2
XDIST = $(if $(filter-out 0 1,$(JOBS)),-n $(JOBS) --dist loadgroup,-p no:xdist)

.DEFAULT_GOAL := help
.PHONY: help venv translations messages demo serve test test-postgres e2e lint format bench ci clean

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "bdsmarket needs Python 3.11 or newer")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@rm -f $(VENV)/.installed-*
	@touch $@

venv: $(STAMP) ## Create .venv and install bdsmarket with its development tools

translations: venv ## Compile the Spanish and English catalogues
	@$(BIN)/bdsmarket compilemessages --verbosity 0

messages: venv ## Extract new strings into the Spanish catalogue (needs GNU gettext)
	cd src/bdsmarket && env -u DJANGO_SETTINGS_MODULE ../../$(BIN)/python -m django makemessages -l es --no-location --no-obsolete

demo: translations ## Load the demo program into SQLite (./data) and serve it at 127.0.0.1:8000
	$(BIN)/bdsmarket demo

test: translations ## Run the whole suite on SQLite in JOBS processes (DATABASE_URL for PostgreSQL)
	$(BIN)/pytest $(XDIST) $(PYTEST_ARGS)

test-postgres: translations ## Run the suite on PostgreSQL at 127.0.0.1:5432 (a throwaway database)
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/bdsmarket} $(BIN)/pytest $(XDIST) $(PYTEST_ARGS)

e2e: translations ## Run the browser tests in headless Chromium (/usr/bin/chromium)
	$(BIN)/pytest -m e2e tests/e2e -p no:xdist $(PYTEST_ARGS)

lint: venv ## Lint, check formatting, types and layers, and that no migration is missing
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy src
	BDSMARKET_DATA_DIR=$$(mktemp -d) $(BIN)/bdsmarket makemigrations --check --dry-run

format: venv ## Format the code and fix what ruff can fix
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

bench: translations ## Run the benchmarks (each prints its figure against its limit)
	@for script in bench/bench_*.py; do $(BIN)/python $$script || exit 1; done

ci: ## Everything CI runs: lint, SQLite, PostgreSQL, browser
	bash .ci/run

clean: ## Remove the virtual environment and caches (keeps ./data)
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .import_linter_cache src/*.egg-info
