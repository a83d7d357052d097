# newsfacet: `make demo` runs the whole system locally; `make test` runs the suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.9.30
PORT ?= 3000

.PHONY: help venv demo test test-unit test-integration test-fault lint bench lock opensearch clean
.PHONY: browser screenshots
.PHONY: lambda-requirements sam-venv build package-size validate

help:
	@echo "make demo   run OpenSearch, moto, ingest the sample articles, serve the API on :$(PORT)"
	@echo "make test   lint, then unit and integration tests against a real OpenSearch"
	@echo "make test-fault  the fault suite alone: OpenSearch killed mid-upload, hostile input, SIGTERM"
	@echo "make bench  benchmarks (prints one JSON object of figures)"
	@echo "make lint   ruff, mypy, cfn-lint"
	@echo "make lock   re-resolve requirements/*.txt from pyproject.toml"
	@echo "make browser  install Debian's chromium for the browser tests (apt, once)"
	@echo "make screenshots  screenshots and figures of the search page on a running demo"
	@echo "make build  sam build (no container); make package-size reports the sizes"
	@echo "make validate  sam validate --lint, offline (docs/deploy.md)"

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

# The browser tests drive Debian's chromium through Playwright, never a browser that
# Playwright downloads (`playwright install` is not used). Installed once, with apt.
CHROMIUM ?= /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
browser:
	@test -x $(CHROMIUM) || { \
	  echo "installing Debian's chromium for the browser tests" >&2 && \
	  $(SUDO) apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends \
	    chromium fonts-liberation; }
	@test -x $(CHROMIUM) || { echo "$(CHROMIUM) is still missing" >&2; exit 1; }

# DEMO_ARGS: more options for `newsfacet demo`, e.g. DEMO_ARGS="--samples my/folder".
DEMO_ARGS ?=
demo: venv opensearch
	PORT=$(PORT) $(BIN)/newsfacet demo --port $(PORT) $(DEMO_ARGS)

lint: venv
	$(BIN)/ruff format --check functions cli tests bench
	$(BIN)/ruff check functions cli tests bench
	$(BIN)/mypy
	$(BIN)/cfn-lint template.yaml

test: venv opensearch browser lint
	$(BIN)/pytest -m "unit or integration or e2e or infra or fault" -q

test-unit: venv
	$(BIN)/pytest -m unit -q

test-integration: venv opensearch browser
	$(BIN)/pytest -m "integration or e2e" -q

# The fault suite alone (also part of `make test`): OpenSearch stopped and started under
# load, every hostile input class, SIGTERM to `make demo`.
test-fault: venv opensearch
	$(BIN)/pytest -m fault -q

bench: venv opensearch
	$(BIN)/python -m bench

# Needs the demo running (`make demo`, another terminal): writes docs/search-page-*.png.
screenshots: venv browser
	$(BIN)/python -m bench.page --base http://127.0.0.1:$(PORT) --screenshots docs

lock:
	$(BIN)/uv pip compile pyproject.toml --extra ingest --extra cli --extra dev \
	  -c requirements/constraints.txt --python-version 3.11 -o requirements/dev.txt -q
	$(MAKE) lambda-requirements

# -- Lambda packaging (docs/deploy.md) ----------------------------------------------
# Each function's requirements are exported from the lock, for the Lambda platform.
# Left out of the ingest package, for the 250 MB limit: boto3/botocore (the runtime
# provides them), scipy (datasketch imports it but MinHash does not use it; see
# functions/ingest/lambda_shims), grpcio/protobuf (opensearch-py declares them, never
# imports them). tests/infra/test_package.py proves the built function still runs.
LAMBDA_EXPORT := $(BIN)/uv pip compile pyproject.toml -c requirements/dev.txt \
	-c requirements/constraints.txt --python-version 3.11 \
	--python-platform x86_64-manylinux_2_17 -q --no-annotate
LAMBDA_NOT_SHIPPED := grpcio opensearch-protobufs protobuf
INGEST_NOT_SHIPPED := $(LAMBDA_NOT_SHIPPED) scipy boto3 botocore s3transfer jmespath

lambda-requirements: venv
	$(LAMBDA_EXPORT) --extra ingest $(foreach p,$(INGEST_NOT_SHIPPED),--no-emit-package $(p)) \
	  -o functions/ingest/requirements.txt
	$(LAMBDA_EXPORT) $(foreach p,$(LAMBDA_NOT_SHIPPED),--no-emit-package $(p)) \
	  -o functions/search/requirements.txt
	$(LAMBDA_EXPORT) $(foreach p,$(LAMBDA_NOT_SHIPPED),--no-emit-package $(p)) \
	  -o functions/admin/requirements.txt

# aws-sam-cli pins its own boto3/pydantic: it lives in a venv of its own.
SAM_VERSION := 1.170.0
SAM_VENV := .cache/sam-venv
SAM := SAM_CLI_TELEMETRY=0 $(SAM_VENV)/bin/sam
$(SAM_VENV)/.sam-$(SAM_VERSION):
	test -x $(SAM_VENV)/bin/python || $(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet --disable-pip-version-check aws-sam-cli==$(SAM_VERSION)
	touch $@

sam-venv: $(SAM_VENV)/.sam-$(SAM_VERSION)

build: sam-venv
	$(SAM) build --parallel

package-size: build
	$(BIN)/python -m newsfacet_cli.ops.package_size .aws-sam/build

# Region and credentials are dummies: validation runs offline.
validate: sam-venv
	AWS_DEFAULT_REGION=us-east-1 AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
	  $(SAM) validate --lint

clean:
	-bash infra/opensearch.sh destroy
	rm -rf $(VENV) .run .pytest_cache .mypy_cache .ruff_cache
