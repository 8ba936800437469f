# Connectors Admin: `make run` serves the dashboard against the sandbox; `make test` runs every check.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
DEMO_USER ?= demo
DEMO_LOGIN := var/demo-login
# pytest-xdist, each worker with its own test database. Browser tests: one worker per core, at
# most four (each drives a chromium). The other tests wait on loopback servers, time-outs and the
# database much of the time: two workers per core, at most eight, finish them sooner (on 2 cores:
# 119 s instead of 166 s on SQLite, 153 s instead of 180 s on PostgreSQL).
PYTEST := $(VENV)/bin/pytest -q --numprocesses=auto --maxprocesses=4
WIDE := $(shell n=$$(nproc 2>/dev/null || echo 2); w=$$((n * 2)); echo $$(( w > 8 ? 8 : w )))
PYTEST_WIDE := $(VENV)/bin/pytest -q --numprocesses=$(WIDE)

.PHONY: help venv run test test-sqlite test-postgres lint format check browser-deps bench bench-scale clean

help:
	@echo "make run    set up everything and serve http://localhost:$(PORT) against the sandbox"
	@echo "make test   install what the tests need, then lint, check and test (SQLite and PostgreSQL)"
	@echo "make lint   ruff check and ruff format --check"
	@echo "make bench  page and encryption speed as ratios against a baseline"
	@echo "make bench-scale  100,000 connectors on PostgreSQL against the stock admin"

# The venv is rebuilt when requirements.txt changes or when it is older than Python 3.12.
$(VENV)/.installed: requirements.txt scripts/find-python
	@if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
		rm -rf $(VENV); PYTHON=$$(scripts/find-python) || exit 1; \
		echo "Creating $(VENV) with $$PYTHON"; "$$PYTHON" -m venv $(VENV); fi
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

venv: $(VENV)/.installed

run: venv
	@mkdir -p var
	DEBUG=true SANDBOX=true $(PY) manage.py migrate --noinput
	@if [ ! -s $(DEMO_LOGIN) ]; then \
		$(PY) -c 'import secrets; print(secrets.token_urlsafe(12))' > $(DEMO_LOGIN); chmod 600 $(DEMO_LOGIN); fi
	@DEBUG=true SANDBOX=true $(PY) manage.py seed_demo --username $(DEMO_USER) --password "$$(cat $(DEMO_LOGIN))"
	@echo "------------------------------------------------------------------"
	@echo " Connectors Admin:  http://localhost:$(PORT)/accounts/login/"
	@echo " Demo login:        $(DEMO_USER) / $$(cat $(DEMO_LOGIN))"
	@echo " Providers:         the built-in sandbox (no accounts needed)"
	@echo " Background work:   a db_worker runs beside the server"
	@echo "------------------------------------------------------------------"
	@DEBUG=true SANDBOX=true PORT=$(PORT) $(PY) manage.py db_worker --interval 1 & worker=$$!; \
		trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		DEBUG=true SANDBOX=true PORT=$(PORT) $(PY) manage.py runserver 127.0.0.1:$(PORT)

# Debian's chromium drives the browser tests; installed only when missing (needs root).
browser-deps:
	@if ! command -v chromium >/dev/null 2>&1; then \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; fi

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check: venv
	DJANGO_SETTINGS_MODULE=tests.settings $(PY) manage.py check
	DJANGO_SETTINGS_MODULE=tests.settings $(PY) manage.py makemigrations --check --dry-run
	DEBUG=false SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') \
		CREDENTIAL_KEYS=$$($(PY) -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())') \
		ALLOWED_HOSTS=connectors.example.com SECURE_SSL=true \
		$(PY) manage.py check --deploy --fail-level WARNING

test-sqlite: venv browser-deps
	env -u DATABASE_URL $(PYTEST_WIDE) -m "not browser"
	env -u DATABASE_URL $(PYTEST) -m browser

# PostgreSQL: DATABASE_URL when it is set, otherwise the machine's own cluster, started here.
test-postgres: venv
	@url="$${DATABASE_URL:-}"; \
	if [ -z "$$url" ] && ! url=$$(scripts/start-postgres); then \
		if [ -n "$${CI:-}" ]; then echo "CI must run the suite on PostgreSQL too" >&2; exit 1; fi; \
		echo "No PostgreSQL here (set DATABASE_URL to use one): skipping the PostgreSQL run"; exit 0; fi; \
	echo "PostgreSQL run against $${url%%@*}@… (the browser tests and the fault matrix ran in the SQLite run)"; \
	DATABASE_URL="$$url" $(PYTEST_WIDE) -m "not browser and not faults"

test: lint check test-sqlite test-postgres

bench: venv
	DJANGO_SETTINGS_MODULE=tests.settings $(PY) bench/pages.py

# 100,000 connectors on PostgreSQL against the stock admin (a few minutes; starts PostgreSQL).
bench-scale: venv
	DATABASE_URL=$${DATABASE_URL:-$$(scripts/start-postgres)} DJANGO_SETTINGS_MODULE=tests.settings $(PY) bench/scale.py

clean:
	rm -rf $(VENV) staticfiles
