# The two quick-start commands (README): `make run` serves the demo school, `make test` runs the whole suite.
# Each does its own set-up: a virtual environment in .venv, the project installed into it, migrations.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test test-at lint mypy format worker bench bench-trust clean-venv

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $@

# The demo runs with DEBUG on and a development key, on SQLite under var/ unless DATABASE_URL says otherwise.
run: export DEBUG ?= 1
run: $(VENV)/.installed
	@mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@echo "Serving on http://$(HOST):$(PORT)/ with the background task worker. Ctrl-C stops both."
	$(PY) manage.py serve $(HOST):$(PORT)

worker: $(VENV)/.installed
	$(PY) manage.py db_worker

# The single sign-on tests sign in through a real OpenID Connect provider on loopback (tests/oidc: the npm package
# oidc-provider, run by Node.js). Without npm they are skipped, unless E2E_REQUIRED=1, when that is a failure.
OIDC_PROVIDER := tests/oidc/node_modules/.installed
$(OIDC_PROVIDER): tests/oidc/package.json tests/oidc/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix tests/oidc --no-audit --no-fund --silent && touch $@; \
	else echo "npm is not installed: the single sign-on tests will be skipped (Debian: apt-get install npm)"; fi

test: $(VENV)/.installed $(OIDC_PROVIDER)
	$(PY) -m pytest $(PYTEST_ARGS)

# The whole suite with the process clock set to AT, London time, under libfaketime (Debian's faketime package):
#   make test-at AT="2026-12-07 07:30:00"
# The clock starts there and runs on. CI runs it at four awkward instants (.ci/run); the suite must pass at any.
AT ?= 2026-12-07 07:30:00
test-at: $(VENV)/.installed $(OIDC_PROVIDER)
	@command -v faketime >/dev/null || { echo "faketime is not installed (Debian: apt-get install faketime)"; exit 1; }
	TZ=Europe/London faketime -m "$(AT)" $(PY) -m pytest $(PYTEST_ARGS)

# Lint, formatting and types; CI runs it first. mypy reads what to check from [tool.mypy] in pyproject.toml.
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# The benchmark (docs/performance.md): the app under gunicorn on PostgreSQL with DEBUG off, driven by wrk on loopback,
# at the demo's volume and one 1,500-pupil school's with 10 years (about 10 minutes); bench-trust adds a trust of 20
# schools (its data is generated once into a template database, then copied). Needs PostgreSQL (BENCH_POSTGRES,
# default postgres://postgres@127.0.0.1:5432) and wrk (Debian: apt-get install wrk). Figures go to var/bench/.
BENCH_ARGS ?=
bench: $(VENV)/.installed
	$(PY) bench/run.py --volume demo --volume school $(BENCH_ARGS)

bench-trust: $(VENV)/.installed
	$(PY) bench/run.py --volume trust $(BENCH_ARGS)

mypy: $(VENV)/.installed
	$(VENV)/bin/mypy

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean-venv:
	rm -rf $(VENV)
