# newsfacet: `make demo` runs the whole system locally; `make test` runs the suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.9.30
PORT ?= 3000

.PHONY: help venv demo test test-unit test-integration lint bench lock opensearch opensearch-stop clean

help:
	@echo "make demo   run OpenSearch, moto, ingest the sample articles, serve the API on :$(PORT)"
	@echo "make test   lint, then unit and integration tests against a real OpenSearch"
	@echo "make bench  benchmarks (prints one JSON object of figures)"
	@echo "make lint   ruff, mypy, cfn-lint"
	@echo "make lock   re-resolve requirements/*.txt from pyproject.toml"

# The environment is rebuilt when the lock changes; a stamp file records that.
$(BIN)/.installed: requirements/dev.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements/dev.txt
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $@

venv: $(BIN)/.installed

opensearch: venv
	bash infra/opensearch.sh fetch

demo: venv opensearch
	PORT=$(PORT) $(BIN)/newsfacet demo --port $(PORT)

lint: venv
	$(BIN)/ruff format --check functions tests bench
	$(BIN)/ruff check functions tests bench
	$(BIN)/mypy
	$(BIN)/cfn-lint template.yaml

test: venv opensearch lint
	$(BIN)/pytest -m "unit or integration or e2e or infra" -q

test-unit: venv
	$(BIN)/pytest -m unit -q

test-integration: venv opensearch
	$(BIN)/pytest -m "integration or e2e" -q

bench: venv opensearch
	$(BIN)/python -m bench

lock:
	$(BIN)/uv pip compile pyproject.toml --extra ingest --extra dev \
	  -c requirements/constraints.txt --python-version 3.11 -o requirements/dev.txt -q

clean:
	-bash infra/opensearch.sh stop
	rm -rf $(VENV) .run .pytest_cache .mypy_cache .ruff_cache
