# Meldpunt: two commands on a fresh machine.
#   make run   set up, load the demo municipality, serve on http://127.0.0.1:8000
#   make test  set up and run every test, on SQLite and (when reachable) PostgreSQL

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/meldpunt

.PHONY: run test test-sqlite test-postgres setup frontend chromium lint format bench clean messages

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

frontend: node_modules/.installed

# Compiled translations are built, not committed.
messages: $(VENV)/.installed
	$(MANAGE) compilemessages --ignore=.venv --ignore=node_modules -v0

setup: $(VENV)/.installed frontend messages
	$(MANAGE) create_key
	$(MANAGE) migrate --no-input -v0
	$(MANAGE) collectstatic --no-input --clear -v0

run: setup
	$(MANAGE) load_demo --base-url http://$(HOST):$(PORT)
	$(MANAGE) sync_access --schedule
	$(MANAGE) escalate --schedule
	$(MANAGE) aftercare --schedule
	$(MANAGE) audit_checkpoint --schedule
	@echo ""
	@echo "Meldpunt runs on http://$(HOST):$(PORT)/  (public page: http://$(HOST):$(PORT)/voorbeeldstad/)"
	@echo "Staff: http://$(HOST):$(PORT)/account/inloggen/   Stop with Ctrl+C."
	@echo "A background worker (manage.py db_worker) sends the notifications; demo e-mails land as files in state/mail/."
	@echo ""
	@# The worker runs beside the server and stops with it (Ctrl+C, or kill of make, this shell or gunicorn).
	@# Links in the e-mails point at this server unless MELDPUNT_BASE_URL says otherwise.
	@export MELDPUNT_BASE_URL="$${MELDPUNT_BASE_URL:-http://$(HOST):$(PORT)}"; \
	$(MANAGE) db_worker --interval 1 --no-reload & worker=$$!; \
	$(VENV)/bin/gunicorn meldpunt.wsgi --bind $(HOST):$(PORT) --workers 4 --threads 1 --timeout 60 & server=$$!; \
	trap 'stopped=1; kill $$server $$worker 2>/dev/null' INT TERM HUP; \
	wait $$server; status=$$?; \
	kill $$server $$worker 2>/dev/null; wait; \
	if [ -n "$$stopped" ]; then exit 0; fi; exit $$status

# Debian's chromium for the browser tests and poppler-utils (pdftotext) for the
# PDF tests, when missing and we are root.
chromium:
	@{ command -v chromium && command -v pdftotext; } >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = "0" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils >/dev/null; \
	  else echo "chromium or pdftotext is missing: install Debian's chromium and poppler-utils packages (browser and PDF tests will fail)"; fi; }

test: $(VENV)/.installed frontend messages chromium
	$(MANAGE) create_key
	$(MANAGE) collectstatic --no-input --clear -v0
	$(MAKE) test-sqlite
	@if $(PY) -c "import psycopg; psycopg.connect('postgresql://postgres@127.0.0.1:5432/postgres', connect_timeout=3).close()" 2>/dev/null; then \
	  $(MAKE) test-postgres; \
	else echo "PostgreSQL not reachable on 127.0.0.1:5432: skipped the PostgreSQL run"; fi

test-sqlite:
	@echo "== tests on SQLite =="
	$(VENV)/bin/pytest -n 2 --dist loadfile

# Leaves out the tests that touch no database and those marked database_independent:
# the SQLite run has just run them (tests/conftest.py; MELDPUNT_TEST_ALL=1 runs all).
test-postgres:
	@echo "== tests on PostgreSQL =="
	MELDPUNT_DATABASE_URL=$(PG_URL) $(VENV)/bin/pytest -n 2 --dist loadfile

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: setup
	$(PY) bench/run.py
	$(PY) bench/load.py
	$(PY) bench/audit.py

clean:
	rm -rf $(VENV) node_modules state/static
