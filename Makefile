# Agora Santé — everyday commands. `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PORT ?= 8000
ONLY ?=
FAULTS_ARGS ?=
# The non-browser suite runs in TEST_WORKERS processes (pytest-xdist; each has its own database, Redis databases
# and search indices: config/settings/test.py), in pytest-django's order: first the tests that leave the database
# as migrated, then (reusing those databases) the ones that flush it (tests/conftest.py, --db-phase). Tests marked
# `serial` stop a shared engine and run alone at the end.
TEST_WORKERS ?= 2
PYTEST_XDIST = $(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile -m "not browser and not serial"
PYTEST_PARALLEL = $(PYTEST_XDIST) --db-phase plain --reuse-db --create-db tests && \
  $(PYTEST_XDIST) --db-phase transactional --reuse-db tests
PYTEST_SERIAL = $(PY) -m pytest -m "serial and not browser" tests
export DJANGO_SETTINGS_MODULE ?= config.settings.dev

.DEFAULT_GOAL := help
.PHONY: help install run test test-unit test-browser test-all services bench lint format serve-prod faults clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-12s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q ".[dev]"
	@touch $@

node_modules/.installed: package.json
	npm install --silent --no-audit --no-fund
	@touch $@

install: $(VENV)/.installed ## Create the virtualenv and install dependencies

run: install ## Set up everything (migrations, demo content, admin) and serve on http://127.0.0.1:8000
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	$(PY) manage.py ensure_admin
	@echo "Serveur : http://127.0.0.1:$(PORT)/  (Ctrl+C pour arrêter ; le worker de tâches tourne à côté)"
	@trap 'kill 0' EXIT INT TERM; \
	  $(PY) manage.py db_worker --interval 1 > var-worker.log 2>&1 & \
	  $(VENV)/bin/uvicorn config.asgi:application --host 127.0.0.1 --port $(PORT) --lifespan off

test: install ## Run the test suite on the embedded engines (SQLite, in-memory layer, database search)
	env -u DATABASE_URL -u REDIS_URL -u ELASTICSEARCH_URL DJANGO_SETTINGS_MODULE=config.settings.test \
	  bash -c '$(PYTEST_PARALLEL) && $(PYTEST_SERIAL)'
	$(MAKE) --no-print-directory test-browser

test-browser: install node_modules/.installed ## Browser tests in Chromium (skipped with a reason when Chromium is missing)
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest -m browser tests/e2e

services: ## Install if needed and start PostgreSQL, Redis, Elasticsearch; check Chromium
	bash scripts/services.sh start

test-all: install node_modules/.installed services ## The same suite on PostgreSQL + Redis + Elasticsearch, then the browser tests
	set -a; eval "$$(bash scripts/services.sh env)"; set +a; export DJANGO_SETTINGS_MODULE=config.settings.test; \
	  $(PYTEST_PARALLEL) && $(PYTEST_SERIAL) && $(PY) -m pytest -m browser tests/e2e

bench: install ## Run the benchmarks (one JSON line each); `make bench ONLY=home_page` runs one
	@$(PY) -m bench $(if $(ONLY),--only $(ONLY),)

lint: install ## Check style with ruff
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install ## Format the code with ruff
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

serve-prod: install ## Production layout on this machine: gunicorn + uvicorn workers, task worker, real engines (docs/operations.md)
	bash scripts/serve_prod.sh

faults: install services ## Fault tests on the real engines: Redis/PostgreSQL/Elasticsearch/worker/app process killed (tests/faults)
	set -a; eval "$$(bash scripts/services.sh env)"; set +a; \
	  AGORA_FAULTS=1 DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest -s -v tests/faults $(FAULTS_ARGS)

clean: ## Remove the local database, media and caches
	rm -rf db.sqlite3* media static_collected .pytest_cache .ruff_cache
