# Vigia — `make run` (embedded defaults, demo data) and `make test` (PostgreSQL + Redis).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/vigia
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
TEST_PROCESSES ?= 2

.PHONY: install run test test-fast lint e2e-deps messages clean lock

# Exact versions with their hashes: an upgrade is a deliberate commit of the lock files
# (`make lock`), never whatever the index serves on the day of the install.
$(STAMP): requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	touch $(STAMP)

# Re-resolves pyproject.toml's ranges into the two lock files (runtime for the image, dev for
# make run/test), in a throwaway environment with pip-tools.
lock:
	$(PYTHON) -m venv var/lock-tools
	var/lock-tools/bin/pip install --quiet pip-tools
	var/lock-tools/bin/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe \
	    --no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml
	var/lock-tools/bin/pip-compile --quiet --extra dev --generate-hashes --strip-extras \
	    --allow-unsafe --no-emit-index-url --no-emit-find-links -o requirements-dev.lock pyproject.toml

install: $(STAMP)

messages: $(STAMP)
	$(PY) manage.py compilemessages --ignore=.venv -v 0

# Embedded defaults: SQLite, file-system broker and file e-mail under var/. Nothing to install.
run: export DEBUG ?= true
run: $(STAMP) messages
	mkdir -p var/mail var/broker/queue var/broker/processed
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py seed_demo
	@echo "Vigia: http://$(HOST):$(PORT)/  (web + Celery worker + beat; Ctrl-C stops all)"
	@trap 'kill 0' EXIT INT TERM; \
	$(BIN)/celery -A config worker --beat --loglevel=warning --concurrency=2 \
	    --schedule=var/celerybeat-schedule & \
	$(PY) manage.py runserver $(HOST):$(PORT)

# Debian's Chromium drives the browser tests; Playwright must not download a browser of its own.
e2e-deps:
	@command -v chromium >/dev/null || { \
	  echo "Installing Debian's chromium for the browser tests…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: export DATABASE_URL ?= $(TEST_DATABASE_URL)
test: export REDIS_URL ?= $(TEST_REDIS_URL)
test: export VIGIA_VAR_DIR ?= $(CURDIR)/var/test
test: $(STAMP) e2e-deps lint messages
	@# pytest creates its own test database, but makemigrations --check reads the main one.
	@psql "$${DATABASE_URL%/*}/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$${DATABASE_URL##*/}'" | grep -q 1 \
	  || psql -q "$${DATABASE_URL%/*}/postgres" -c 'CREATE DATABASE "'"$${DATABASE_URL##*/}"'"'
	$(PY) manage.py makemigrations --check --dry-run
	@# Two processes share the suite, each on a test database, a Redis database and a files
	@# folder of its own (tests/settings.py); the cases marked slow then run one at a time,
	@# as they stop and restart servers and time what workers do.
	$(BIN)/pytest -q -n $(TEST_PROCESSES) --dist loadfile -m "not slow" $(PYTEST_ARGS)
	$(if $(FAST),,$(BIN)/pytest -q -m slow $(PYTEST_ARGS))

# While working: everything but the cases marked slow (real workers crossing the 7,000-row
# boundary, the fault and embedded-stack tests). `make test` runs them all.
test-fast: FAST = 1
test-fast: test

clean:
	rm -rf var $(VENV)
