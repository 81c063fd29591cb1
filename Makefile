# The two commands: `make run` (the console with demo data on http://127.0.0.1:8000)
# and `make test` (the whole suite, on SQLite and then on a throwaway PostgreSQL).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: install run test test-sqlite test-postgres lint format

$(INSTALLED): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[test]"
	rm -f $(VENV)/.installed-* && touch $@

install: $(INSTALLED)

run: install
	$(PY) manage.py migrate --noinput
	@password=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(12))'); \
	$(PY) manage.py seed_demo --password "$$password" && \
	printf '\n  Open http://127.0.0.1:8000 and sign in as admin, contributor or viewer\n  with the password %s\n\n' "$$password"
	$(PY) manage.py runserver 127.0.0.1:8000

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test-sqlite: install
	$(PY) manage.py makemigrations --check --dry-run --settings=connections_admin.settings.test
	$(VENV)/bin/pytest

test-postgres: install
	$(PY) tests/with_postgres.py $(VENV)/bin/pytest

test: lint test-sqlite test-postgres
