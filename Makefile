# One entry point for humans and CI. `make test` and `make demo` build .venv from the
# pinned requirements.txt first, so a clean checkout needs only python3 (>= 3.10).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: venv test test-fast lint demo demo-stop airflow bench clean

venv: $(STAMP)

$(STAMP): requirements.txt plugins/freshdesk_provider/pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip==26.3 setuptools==84.2.1
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e plugins/freshdesk_provider
	@touch $@

# The whole suite: lint, then unit and integration tests against a real PostgreSQL, then (a
# separate stage, run even when the first fails) the distributed test on a real multi-process
# Airflow cluster; fails when either stage fails.
# `make test PYTEST_ARGS="tests/test_x.py -q"` runs just that selection in one stage.
test: venv
	@export FRESHDESK_TEST_PG_DSN="$$($(PY) scripts/ensure_postgres.py)" && \
	  echo "PostgreSQL for tests: $$FRESHDESK_TEST_PG_DSN" && \
	  $(VENV)/bin/ruff check . && \
	  if [ -n "$(PYTEST_ARGS)" ]; then \
	    $(PY) -m pytest $(PYTEST_ARGS); \
	  else \
	    echo "== stage 1/2: everything but the distributed test"; \
	    $(PY) -m pytest -m "not distributed"; first=$$?; \
	    echo "== stage 2/2: the distributed test (api-server, scheduler, Celery worker)"; \
	    $(PY) -m pytest -m distributed; second=$$?; \
	    echo "== stage 1: exit $$first; stage 2: exit $$second"; \
	    [ $$first -eq 0 ] && [ $$second -eq 0 ]; \
	  fi

# The simulator, a warehouse (WAREHOUSE_DSN, local PostgreSQL or embedded) and both DAGs, end to end.
demo: venv
	$(PY) scripts/demo.py demo $(DEMO_ARGS)

# Stops the simulator `make demo` leaves running for `make airflow`.
demo-stop: venv
	$(PY) scripts/demo.py stop $(DEMO_ARGS)

# Airflow's UI (airflow standalone) on the demo's simulator and warehouse; AIRFLOW_PORT=8081 if 8080 is taken.
airflow: venv
	$(PY) scripts/demo.py airflow $(DEMO_ARGS)

# Import benchmark (issue #9): one table of credits, budget use, sync, CPU, latency, memory and
# refresh figures (~18 min; BENCH_ARGS=--quick for a few minutes). Results: BENCHMARKS.md.
bench: venv
	$(PY) bench/run.py $(BENCH_ARGS)

lint: venv
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) .local .pytest_cache .ruff_cache
