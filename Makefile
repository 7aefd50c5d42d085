# Two commands do everything on a fresh Debian/Ubuntu machine:
#   make run    set up, migrate, load the demo data, serve on http://127.0.0.1:8000/
#               (with one background-task worker for the exports)
#   make serve  production: gunicorn + whitenoise + the worker, DEBUG off, settings from the
#               environment, migrations (docs/deploy.md)
#   make test   set up, start PostgreSQL if needed, run the whole suite on SQLite and PostgreSQL
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run serve test setup system-deps postgres test-sqlite test-postgres lint bench

setup: system-deps $(VENV)/.installed

system-deps:
	@scripts/ensure-system-deps

$(VENV)/.installed: pyproject.toml scripts/requirements-from-pyproject
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q --upgrade pip
	@$(PY) scripts/requirements-from-pyproject > $(VENV)/requirements.txt
	@$(PY) -m pip install -q -r $(VENV)/requirements.txt
	@touch $@

postgres:
	@scripts/ensure-postgres

run: setup
	DEBUG=true $(PY) manage.py migrate --noinput
	DEBUG=true $(PY) manage.py load_demo
	DEBUG=true scripts/with-worker $(PY) $(PY) manage.py runserver $(HOST):$(PORT)

serve: setup
	VENV=$(VENV) BIND=$${BIND:-$(HOST):$(PORT)} scripts/serve

test-sqlite: setup
	env -u DATABASE_URL $(PY) -m pytest $(PYTEST_ARGS)

test-postgres: setup postgres
	DATABASE_URL=$(PG_URL) $(PY) -m pytest $(PYTEST_ARGS)

# Both databases always run; the target fails if either failed.
test: setup postgres
	@status=0; \
	echo "== suite on SQLite =="; \
	env -u DATABASE_URL $(PY) -m pytest $(PYTEST_ARGS) || status=1; \
	echo "== suite on PostgreSQL ($(PG_URL)) =="; \
	DATABASE_URL=$(PG_URL) $(PY) -m pytest $(PYTEST_ARGS) || status=1; \
	exit $$status

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	DEBUG=true $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/lint-imports --no-cache
