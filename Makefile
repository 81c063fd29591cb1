# The two commands: `make run` (the console with demo data on http://127.0.0.1:8000)
# and `make test` (the whole suite, on SQLite and then on a throwaway PostgreSQL).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: install messages run test test-sqlite test-postgres lint format

$(INSTALLED): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[test]"
	rm -f $(VENV)/.installed-* && touch $@

install: $(INSTALLED)

# The compiled catalogs (*.mo) are built here, never committed. msgfmt is GNU gettext.
messages: install
	@command -v msgfmt >/dev/null || { [ "$$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get update -qq \
	  && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null; } \
	  || { echo "msgfmt not found: install GNU gettext (apt-get install gettext)" >&2; exit 1; }
	$(PY) manage.py compilemessages --ignore=.venv

# Beside the web server: one task worker (Verify runs there) and the demo's own SFTP
# server on 127.0.0.1:2222 (files land in var/demo-sftp/root). Ctrl-C stops all three.
run: install messages
	$(PY) manage.py migrate --noinput
	@password=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(12))'); \
	$(PY) manage.py seed_demo --password "$$password" && \
	$(PY) manage.py start_schedules && \
	printf '\n  Open http://127.0.0.1:8000 and sign in as admin, contributor or viewer\n  with the password %s\n\n' "$$password"
	@trap 'kill $$(jobs -p) 2>/dev/null; wait' EXIT INT TERM; \
	$(PY) manage.py db_worker --queue-name '*' & \
	$(PY) manage.py demo_sftp_server --port 2222 & \
	$(PY) manage.py runserver 127.0.0.1:8000

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# The browser tests (tests/browser) drive Debian's Chromium.
.PHONY: chromium
chromium:
	command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

# The real servers of the tests (tests/servers): Debian's OpenSSH sshd, run by the tests on a
# loopback port (the tests create their SFTP users; they need root), and Azurite, the Azure
# Storage emulator, an npm package kept in var/test-tools/azurite (the tests install it
# there too when missing).
.PHONY: sshd azurite
sshd:
	command -v /usr/sbin/sshd >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-server)

azurite:
	test -x var/test-tools/azurite/node_modules/.bin/azurite-blob || npm install --prefix var/test-tools/azurite --no-audit --no-fund --loglevel error azurite@3

# The Nu HTML checker of tests/validity: the npm package vnu-jar (a jar) in
# var/test-tools/vnu, and a Java runtime to run it (Debian's, installed as root when missing).
.PHONY: vnu
vnu:
	test -f var/test-tools/vnu/node_modules/vnu-jar/build/dist/vnu.jar || npm install --prefix var/test-tools/vnu --no-audit --no-fund --loglevel error vnu-jar@26
	command -v java >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null; } \
	  || { echo "java not found: install a Java runtime (apt-get install default-jre-headless)" >&2; exit 1; }

test-sqlite: install messages chromium sshd azurite vnu
	$(PY) manage.py makemigrations --check --dry-run --settings=connections_admin.settings.test
	$(VENV)/bin/pytest

test-postgres: install messages sshd azurite
	$(PY) tests/with_postgres.py $(VENV)/bin/pytest -m "not browser"

test: lint audit test-sqlite test-postgres

# Static analysis of our code (bandit: fails on medium or high severity) and the
# dependencies' known vulnerabilities (pip-audit). pip-audit needs a vulnerability
# database (PyPI's JSON API or OSV); where none is reachable it says which packages it
# could not audit, and that is reported, not hidden, but does not fail the build.
.PHONY: audit load
audit: install
	$(VENV)/bin/bandit -q -r connections_admin -x "*/migrations/*" -ll
	@$(VENV)/bin/pip-audit --skip-editable --strict --progress-spinner off >$(VENV)/pip-audit.txt 2>&1 \
	  && echo "pip-audit: no known vulnerabilities" \
	  || { tail -n 3 $(VENV)/pip-audit.txt; echo "pip-audit: NOT every dependency could be audited (no vulnerability database reachable); full report in $(VENV)/pip-audit.txt"; \
	       ! grep -qE "^Found [1-9][0-9]* known vulnerabilit" $(VENV)/pip-audit.txt; }

# The bounded load test (20 users for 60 s on 127.0.0.1) on a throwaway PostgreSQL.
load: install messages
	$(PY) tests/with_postgres.py $(PY) tests/load/run_load.py --users 20 --seconds 60

# The console in production mode on http://127.0.0.1:8000: gunicorn (2 workers) with the
# production settings, static files collected and served by whitenoise. Keys come from the
# environment; for local use, any missing one is taken from var/dev-secrets.json (the local
# settings generate it once), DEBUG is off and plain HTTP is allowed on 127.0.0.1.
.PHONY: serve bench
serve: install messages
	@set -euo pipefail; \
	local_key() { $(PY) -c "from connections_admin.settings import local; print($$1)"; }; \
	export DJANGO_SETTINGS_MODULE=connections_admin.settings.production DEBUG=0; \
	export SECRET_KEY="$${SECRET_KEY:-$$(local_key local.SECRET_KEY)}"; \
	export CONNECTIONS_SECRET_KEYS="$${CONNECTIONS_SECRET_KEYS:-$$(local_key "','.join(local.CONNECTIONS_SECRET_KEYS)")}"; \
	export ALLOWED_HOSTS="$${ALLOWED_HOSTS:-127.0.0.1,localhost}" SECURE_SSL_REDIRECT="$${SECURE_SSL_REDIRECT:-0}"; \
	$(PY) manage.py migrate --noinput; \
	$(PY) manage.py collectstatic --noinput --verbosity 0; \
	exec $(VENV)/bin/gunicorn connections_admin.wsgi --workers 2 --bind 127.0.0.1:8000 --access-logfile -

# The benchmark of issue 6 (bench/run.py): SQLite and a throwaway PostgreSQL, results in
# bench/RESULTS.md. BENCH_ARGS="--quick" for a small smoke run. Then its runs section
# (issue 15, bench/runs.py; alone: make bench-runs), written into the same file.
bench: install sshd
	$(PY) bench/run.py $(BENCH_ARGS)
	$(PY) bench/runs.py $(filter --quick,$(BENCH_ARGS)) $(BENCH_RUNS_ARGS)

# Export runs on a throwaway PostgreSQL: throughput against psql | gzip and sftp, the
# worker's memory, two dispatchers and four workers, the Exports and Runs pages at scale.
.PHONY: bench-runs
bench-runs: install sshd
	$(PY) bench/runs.py $(BENCH_RUNS_ARGS)

# The Verify benchmark of issue 14 (bench/verify.py): one check per kind against the tests'
# sshd, Azurite and HTTP stand-in beside a baseline, a Verify end to end through one
# db_worker, and 100 Verify at once with two workers beside one; results in bench/VERIFY.md.
.PHONY: bench-verify
bench-verify: install
	$(PY) tests/with_postgres.py $(PY) bench/verify.py $(BENCH_VERIFY_ARGS)

# The README's pictures: docs/make_screenshots.py serves the demo data from a throwaway
# SQLite database and renders the main screens in Chromium into docs/screenshots/*.png.
.PHONY: screenshots
screenshots: install messages chromium
	$(PY) docs/make_screenshots.py
