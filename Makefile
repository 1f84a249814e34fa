# One entry point for humans and CI. `make test` and `make demo` build .venv from the
# pinned requirements.txt first, so a clean checkout needs only python3 (>= 3.10).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: venv test test-fast lint demo airflow bench clean

venv: $(STAMP)

$(STAMP): requirements.txt plugins/freshdesk_provider/pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip==26.3 setuptools==84.2.1
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e plugins/freshdesk_provider
	@touch $@

# The whole suite: lint, unit and integration tests against a real PostgreSQL.
test: venv
	@export FRESHDESK_TEST_PG_DSN="$$($(PY) scripts/ensure_postgres.py)" && \
	  echo "PostgreSQL for tests: $$FRESHDESK_TEST_PG_DSN" && \
	  $(VENV)/bin/ruff check . && \
	  $(PY) -m pytest $(PYTEST_ARGS)

# The simulator, a warehouse (WAREHOUSE_DSN, local PostgreSQL or embedded) and both DAGs, end to end.
demo: venv
	$(PY) scripts/demo.py demo $(DEMO_ARGS)

# Airflow's UI (airflow standalone) on the demo's simulator and warehouse.
airflow: venv
	$(PY) scripts/demo.py airflow $(DEMO_ARGS)

lint: venv
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) .local .pytest_cache .ruff_cache
