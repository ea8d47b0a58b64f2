# The two commands of the README: `make run` and `make test`. Everything else is a helper they call.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
SSO_PORT ?= 8765
PG_URL ?= postgres://postgres@127.0.0.1:5432/motcua
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test bootstrap system-deps check test-sqlite test-postgres bench clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

bootstrap: $(VENV)/.installed

## make run: migrate the embedded SQLite database, load the real reference data and the demo, serve the
## portal with the outbox worker (notifications) and the national SSO simulator beside it.
run: bootstrap
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_reference_data
	$(BIN)/python manage.py seed_demo --if-empty
	$(BIN)/python manage.py load_monitoring_data
	$(BIN)/python manage.py rebuild_monitoring --if-empty
	@echo "motcua is serving on http://127.0.0.1:$(PORT)  (demo accounts: see README.md)"
	@echo "national SSO simulator on http://127.0.0.1:$(SSO_PORT)  (sign in with VNeID on the portal)"
	@trap 'kill 0' EXIT INT TERM; \
	$(BIN)/python -m motcua.integrations.sso.simulator --port $(SSO_PORT) \
		--redirect-uri http://127.0.0.1:$(PORT)/oidc/callback/ & \
	$(BIN)/python manage.py deliver_outbox --loop & \
	OIDC_ISSUER=http://127.0.0.1:$(SSO_PORT) PUBLIC_BASE_URL=http://127.0.0.1:$(PORT) \
		$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

## make test: static checks, then the whole suite (browser tests included) on SQLite and on PostgreSQL.
test: bootstrap system-deps check test-sqlite test-postgres
	@echo "Phone screenshots of every citizen page: $(CURDIR)/var/screenshots"

## Debian packages the suite needs (PDF rendering libraries, fonts, Chromium) and axe-core from npm;
## installed only when missing. With CI=true anything still missing is a failure.
system-deps:
	@bash tests/e2e/bootstrap.sh

check: bootstrap
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports
	DJANGO_SETTINGS_MODULE=motcua.conf.test $(BIN)/python manage.py makemigrations --check --dry-run

test-sqlite: bootstrap
	$(BIN)/pytest -q

test-postgres: bootstrap
	@if $(BIN)/python -m motcua.conf.pgcheck "$(PG_URL)"; then \
		DATABASE_URL="$(PG_URL)" $(BIN)/pytest -q; \
	elif [ "$$CI" = "true" ]; then \
		echo "FAIL: PostgreSQL is not reachable at $(PG_URL); CI must run the suite on PostgreSQL"; exit 1; \
	else \
		echo "SKIP: PostgreSQL is not reachable at $(PG_URL) (set PG_URL); the SQLite run above still counts"; \
	fi

## make bench: the submission benchmark against PostgreSQL, with pgbench as the baseline.
bench: bootstrap
	$(BIN)/python bench/submit.py --database-url "$(PG_URL)_bench"

clean:
	rm -rf $(VENV) var
