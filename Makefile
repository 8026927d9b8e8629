# servicecult: `make run` serves the demo, `make test` runs every test.
# Both install what they need first and skip work already done.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
DEMO_LOGIN := .demo-login.json
# The local development environment, which settings read; git-ignored.
DOT_ENV := .env
# collectstatic runs on a fresh clone, before there is a .env: debug spares it a key.
BUILD_ENV := DJANGO_DEBUG=true
# Links in emails, and the login the demo prints, point where make run serves.
SITE_ENV := DJANGO_SITE_URL=http://$(HOST):$(PORT)

.PHONY: run test lint check-python install static demo bench lock clean

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 13) else "servicecult needs Python 3.13 or newer (found " + sys.version.split()[0] + "): install it, e.g. pyenv install 3.13")'

$(VENV)/.installed: pyproject.toml requirements.lock | check-python
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[dev]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

STATIC_SOURCES := $(shell find static -type f)

staticfiles/staticfiles.json: $(VENV)/.installed node_modules/.installed $(STATIC_SOURCES)
	$(BUILD_ENV) $(BIN)/python manage.py collectstatic --noinput --clear -v0

install: $(VENV)/.installed node_modules/.installed staticfiles/staticfiles.json

# Written once, when missing: debug on and a secret key of its own.
$(DOT_ENV): | check-python
	umask 077 && key=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))') \
	  && printf '%s\n' '# The local development environment, written by make run; the environment wins over it.' \
	  'DJANGO_DEBUG=true' "DJANGO_SECRET_KEY=$$key" > $@

demo: install $(DOT_ENV)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable
	$(SITE_ENV) $(BIN)/python manage.py seed_demo --login-file $(DEMO_LOGIN)

# The web server and a task worker together (Procfile); Ctrl-C ends both.
run: demo
	$(SITE_ENV) SERVE_AT=$(HOST):$(PORT) $(BIN)/honcho start --procfile Procfile

# Coverage is measured and reported on every run, failing under the floor set in
# pyproject.toml; PYTEST_COV= leaves it out (for a few tests, say).
PYTEST_COV ?= --cov
test: install
	$(BIN)/python -m pytest $(PYTEST_COV) $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -q --severity-level medium -c pyproject.toml -r servicecult accounts assessments
	$(BIN)/mypy assessments/scoring
	$(BIN)/lint-imports --no-logo

# Scripts that print figures (docs/performance.md); never part of the tests.
# The load and concurrency checks: bench/bench_submit.py, bench/check_concurrency.py.
bench: install
	$(BIN)/python bench/bench_scoring.py
	$(BIN)/python bench/bench_pages.py
	$(BIN)/python bench/bench_lists.py
	$(BIN)/python bench/bench_static.py
	$(BIN)/python bench/bench_invite.py

# Regenerate requirements.lock from pyproject.toml in a throwaway environment.
lock: check-python
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet -e ".[dev]"
	.lock-venv/bin/python -m pip freeze --exclude-editable > requirements.lock
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) node_modules staticfiles $(DEMO_LOGIN) tests/artifacts
