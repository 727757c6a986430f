# Two commands on a fresh machine:
#   make run    virtualenv, install, migrate, demo data, serve on http://127.0.0.1:8000
#   make test   install test tools (and Chromium/PostgreSQL from Debian when missing), run everything
# An optimised interpreter when one is here (a distribution's CPython: see scripts/pick-python.sh).
PYTHON ?= $(shell scripts/pick-python.sh)
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
WORKERS ?= 2
FLASK  := $(BIN)/flask --app wsgi

.PHONY: run test check lint fmt install install-dev system-deps translations extract-messages migrate demo serve clean bench audit

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt $(BIN)/python
	$(BIN)/pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt $(BIN)/python
	$(BIN)/pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $@ $(VENV)/.installed

# ESLint and its rules, from the npm registry (package-lock.json pins them); tests run them too.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

# Compiled catalogs are build output (.mo is not committed).
translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d fieldapp/translations

# After changing UI strings: refresh the template and the English catalog, then translate.
extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -o fieldapp/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i fieldapp/translations/messages.pot -d fieldapp/translations --no-fuzzy-matching

migrate: $(VENV)/.installed
	$(FLASK) db upgrade
	$(FLASK) fieldapp seed
	$(FLASK) fieldapp calendar load

demo: migrate
	$(FLASK) fieldapp demo --with-activity

serve:
	$(BIN)/gunicorn --bind $(HOST):$(PORT) --workers $(WORKERS) --worker-class gthread --threads 4 --keep-alive 75 \
		--no-control-socket --access-logfile - wsgi:app

run: install translations demo
	@$(FLASK) fieldapp demo-accounts
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl-C to stop)"
	@$(MAKE) --no-print-directory serve

system-deps:
	@scripts/ensure-system-deps.sh

test: install-dev node_modules/.installed translations system-deps
	$(BIN)/python -m pytest -n auto --dist loadfile $(PYTEST_ARGS)

# The inner loop while changing code: lint, then every test on SQLite without the browser
# (a few minutes; make test before pushing runs the rest: PostgreSQL and Chromium).
check: install-dev node_modules/.installed translations lint
	$(BIN)/python -m pytest -n auto --dist loadfile -q --ignore=tests/browser -k "not postgresql" $(PYTEST_ARGS)

# ruff's rules (pyproject.toml, complexity cap included), ruff's format, ESLint (eslint.config.mjs);
# make test runs the same checks (tests/test_lint.py).
lint: install-dev node_modules/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	node_modules/.bin/eslint .

# Format the Python, and mend what ruff and ESLint can by themselves (import order, modern syntax).
fmt: install-dev node_modules/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
	node_modules/.bin/eslint --fix .

# Known vulnerabilities in the pinned dependencies (pip-audit asks PyPI's advisory service: without
# the network it says so and fails, which is why this is not part of make test).
audit: $(VENV)/.installed-dev
	$(BIN)/pip install --disable-pip-version-check -q -r requirements-audit.txt
	@$(BIN)/pip-audit --strict --local || { echo "make audit: failed — either known vulnerabilities (listed above) or \
	the advisory service (PyPI's JSON API, or OSV with -s osv) could not be reached from this machine."; exit 1; }

# Every benchmark (about an hour on 2 cores; never part of make test), then bench/README.md's
# results table rebuilt from their figures. One alone: .venv/bin/python -m bench.<name>, then
# .venv/bin/python -m bench.readme.
bench: install-dev translations system-deps
	$(BIN)/python -m bench.photos
	$(BIN)/python -m bench.shell
	$(BIN)/python -m bench.network
	$(BIN)/python -m bench.planner
	$(BIN)/python -m bench.notify --db both
	$(BIN)/python -m bench.offline
	$(BIN)/python -m bench.patrol
	$(BIN)/python -m bench.integrity
	$(BIN)/python -m bench.enterprises --db postgresql
	$(BIN)/python -m bench.hazards --db postgresql
	$(BIN)/python -m bench.generate --db postgresql
	$(BIN)/python -m bench.dashboards --db postgresql --requests 20
	$(BIN)/python -m bench.explain
	$(BIN)/python -m bench.idor
	$(BIN)/python -m bench.load
	$(BIN)/python -m bench.load --sync-only --clients 50 --sync-seconds 60
	$(BIN)/python -m bench.city
	$(BIN)/python -m bench.readme

clean:
	rm -rf $(VENV) test-artifacts .pytest_cache
