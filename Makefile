# The two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
STAMP := $(VENV)/.installed

.PHONY: run test test-postgres test-browser lint format translations extract-messages update-messages serve clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Ortak needs Python 3.11 or newer."; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# htmx comes from the npm package pinned in package-lock.json; every page works without it.
static/vendor/htmx.min.js: package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --silent && mkdir -p static/vendor && \
		cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js; \
	else \
		echo "npm is not installed: serving without htmx (every page works without JavaScript)."; \
	fi

translations: $(STAMP)
	$(BIN)/pybabel -q compile -d translations

extract-messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k ngettext:1,2 --no-location --sort-output -o translations/messages.pot .

update-messages: extract-messages
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete

run: $(STAMP) static/vendor/htmx.min.js translations
	$(FLASK) db upgrade
	$(FLASK) demo-data --if-empty
	$(FLASK) run --host 127.0.0.1 --port 5000

# Production-like serving: gunicorn with gunicorn.conf.py (see README, "Deploying").
serve: $(STAMP) static/vendor/htmx.min.js translations
	$(FLASK) db upgrade
	$(BIN)/gunicorn -c gunicorn.conf.py 'app:create_app()'

# The server-side suite spreads over the CPUs (pytest-xdist); the browser suite runs after
# it, alone, as it starts servers and Chromium of its own.
test: $(STAMP) static/vendor/htmx.min.js translations
	$(BIN)/pytest -q -n auto -m "not browser"
	$(BIN)/pytest -q tests/browser

test-postgres: $(STAMP) static/vendor/htmx.min.js translations
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} $(BIN)/pytest -q -n auto -m "not browser" --ignore=tests/test_vote_concurrency.py
	# The concurrency tests open 60 connections each: alone, after the others.
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} $(BIN)/pytest -q tests/test_vote_concurrency.py

test-browser: $(STAMP) static/vendor/htmx.min.js translations
	$(BIN)/pytest -q tests/browser

# ruff's rules include its security (S) rules; bandit fails on any high-severity finding.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -q -r . -x ./.venv,./tests,./node_modules,./bench -lll

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) node_modules static/vendor
