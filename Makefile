# meldroute — the README's commands. Everything bootstraps itself: uv, the virtual environment, npm tools.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
UV := $(PYTHON) -m uv
RUN := $(UV) run --frozen
# Keep compiled bytecode: every test starts service processes, and without it each one compiles its imports
# again (about 2 s of CPU per process). The environment's PYTHONDONTWRITEBYTECODE would forbid the cache.
unexport PYTHONDONTWRITEBYTECODE
PG_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432
# Two workers: the machine has two cores, and many tests wait on real processes and databases.
PYTEST_ARGS ?= -n 2 --durations=15
# Suites that do not touch a service database (or pick both databases themselves) run in the SQLite pass only:
# settings and start-up refusals, tokens and the identity provider, rate limits in Redis, the browser screens,
# the statistics attack (it attacks the published figures, whatever stores them), the token matrix (refused
# before any query) and the schemathesis contract run (`make fuzz` runs it on PostgreSQL too).
NO_DATABASE := --ignore=tests/bench --ignore=tests/deploy --ignore=tests/security/test_static.py \
	--ignore=services/reporting/tests/test_onderdrukking.py --ignore=libs/meldroute-common/tests/test_gebeurtenissen.py \
	--ignore=libs/meldroute-common/tests/test_beleid_engine.py --ignore=libs/meldroute-common/tests/test_beleid_loader.py \
	--ignore=services/intake-api/tests/test_pseudonimisering.py \
	--ignore=tests/security/test_production_start.py --ignore=tests/test_first_run.py --ignore=tests/idp \
	--ignore=tests/security/test_replicas.py --ignore=services/werkplek/tests --ignore=tests/contract/test_schemathesis.py \
	--ignore=services/reporting/tests/test_aanval.py --ignore=services/reporting/tests/test_verschil.py \
	--deselect=services/reporting/tests/test_dashboard.py::test_dashboard_draws_the_charts_in_a_real_browser \
	--deselect=tests/test_foundation.py::test_every_operation_refuses_missing_and_forged_tokens
ADR_RULESET ?= ../shared/conformance/adr/linter.yaml
COMPOSE_SCHEMA ?= ../shared/conformance/compose/compose-spec.json
export ADR_RULESET COMPOSE_SCHEMA

.PHONY: browser wrk help bootstrap run test test-fast imports lint typecheck unit openapi openapi-check spectral fuzz soak bench demo clean

help:
	@echo "make run    start the three services on SQLite (Ctrl-C stops them)"
	@echo "make test   lint, type-check, import contracts, OpenAPI checks and every test (SQLite, and PostgreSQL when it answers)"
	@echo "make test-fast   the quick in-process tests (no service processes, node or Chromium; not slow), on SQLite"
	@echo "make fuzz | soak | bench | demo | openapi"

bootstrap: .venv/.bootstrapped
.venv/.bootstrapped: pyproject.toml uv.lock libs/*/pyproject.toml services/*/pyproject.toml
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check "uv>=0.9,<0.14"
	$(UV) sync --frozen --compile-bytecode
	@touch $@

node_modules/.bootstrapped: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# Debian's Chromium for the dashboard's browser test (Playwright drives it; no browser download).
browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# Debian's wrk: the compiled HTTP load generator of the benchmarks (the Python one would measure itself).
wrk:
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

run: bootstrap
	$(RUN) meldroute dev-keys
	$(RUN) meldroute migrate
	$(RUN) meldroute dev

lint: bootstrap
	$(RUN) ruff check .
	$(RUN) ruff format --check .

typecheck: bootstrap
	$(RUN) mypy libs/meldroute-common/src libs/meldroute-dev/src services/intake-api/src services/privacy-gateway/src services/reporting/src services/werkplek/src

# Import contracts (import-linter): one config file per layer rule, .importlinter-<name>, each checked here.
imports: bootstrap
	@for config in .importlinter-*; do \
		[ -e "$$config" ] || continue; \
		echo "lint-imports $$config"; \
		$(RUN) lint-imports --no-cache --no-logo "$$config"; \
	done

openapi: bootstrap
	$(RUN) meldroute openapi

openapi-check: bootstrap
	$(RUN) meldroute openapi --check

spectral: node_modules/.bootstrapped
	node_modules/.bin/spectral lint --fail-severity=error -r $(ADR_RULESET) openapi/intake-api.json openapi/privacy-gateway.json openapi/reporting.json

unit: bootstrap browser wrk node_modules/.bootstrapped
	MELDROUTE_TEST_DB=sqlite $(RUN) pytest $(PYTEST_ARGS)
	@if $(RUN) python -c "import socket; socket.create_connection(('127.0.0.1', 5432), 2)" 2>/dev/null; then \
		echo "PostgreSQL answers on 127.0.0.1:5432: running the tests again on PostgreSQL"; \
		MELDROUTE_TEST_DB=postgresql MELDROUTE_TEST_PG=$(PG_URL) $(RUN) pytest $(PYTEST_ARGS) $(NO_DATABASE); \
	else echo "PostgreSQL does not answer on 127.0.0.1:5432: PostgreSQL run skipped"; fi

test: lint typecheck imports openapi-check spectral unit

# The tests that start no process and are not slow (markers `processes` and `slow`, see conftest.py), on SQLite:
# the quick loop while working. `make test` runs everything.
test-fast: bootstrap
	MELDROUTE_TEST_DB=sqlite $(RUN) pytest $(PYTEST_ARGS) -m "not processes and not slow"

clean:
	rm -rf .venv node_modules .local .mypy_cache .ruff_cache

# The long attack runs: schemathesis with many examples, and every forged token on every operation; on
# SQLite, then on PostgreSQL when it answers.
FUZZ_SUITES := tests/contract tests/test_foundation.py::test_every_operation_refuses_missing_and_forged_tokens
fuzz: bootstrap
	export MELDROUTE_FUZZ_EXAMPLES=$${MELDROUTE_FUZZ_EXAMPLES:-200} MELDROUTE_FUZZ_SEED=$${MELDROUTE_FUZZ_SEED:-$$RANDOM} \
		MELDROUTE_TOKEN_MATRIX=alle; \
	MELDROUTE_TEST_DB=sqlite $(RUN) pytest $(FUZZ_SUITES); \
	if $(RUN) python -c "import socket; socket.create_connection(('127.0.0.1', 5432), 2)" 2>/dev/null; then \
		MELDROUTE_TEST_DB=postgresql MELDROUTE_TEST_PG=$(PG_URL) $(RUN) pytest $(FUZZ_SUITES); fi

soak: bootstrap
	MELDROUTE_SOAK_SECONDS=$${MELDROUTE_SOAK_SECONDS:-60} MELDROUTE_SOAK_CLIENTS=$${MELDROUTE_SOAK_CLIENTS:-50} \
		$(RUN) pytest tests/soak -s

bench: bootstrap wrk
	$(RUN) python -m bench

# Keys and migrations first, so the import also works on a fresh install before `make run` has started.
demo: bootstrap
	$(RUN) meldroute dev-keys
	$(RUN) meldroute migrate
	$(RUN) meldroute-demo --aantal $${N:-2400}
