# vcgraph: two commands matter, `make run` and `make test`; the rest are steps they use or maintainer tools.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
VCGRAPH := $(BIN)/vcgraph
STORE ?= var/store
HOST ?= 127.0.0.1
PORT ?= 8000
SHARED ?= ../shared

.PHONY: run test install demo serve lint typecheck ontology-check conformance bench clean \
	oxigraph-server virtuoso test-virtuoso bench-remote bench-engines

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## make run: set everything up, ingest the demo survey (both waves) and serve it on http://127.0.0.1:8000
run: demo
	$(VCGRAPH) serve --store $(STORE) --host $(HOST) --port $(PORT)

demo: $(STAMP)
	$(VCGRAPH) init --store $(STORE)
	$(VCGRAPH) ingest data/demo/survey-2025-W1.csv --wave 2025-W1 --store $(STORE)
	$(VCGRAPH) ingest data/demo/survey-2026-W1.csv --wave 2026-W1 --store $(STORE)

## make test: lint, types and the whole test suite (unit, integration, e2e)
test: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

ontology-check: $(STAMP)
	$(VCGRAPH) ontology check

## conformance: score our /sparql with the W3C SPARQL 1.1 subset (needs ../shared)
conformance: $(STAMP)
	$(BIN)/python bench/conformance.py --shared $(SHARED) --oxigraph

## oxigraph-server / virtuoso: start a local store on 127.0.0.1 and print the VCGRAPH_* settings to eval
oxigraph-server: $(STAMP)
	scripts/oxigraph-server.sh start

VIRTUOSO_INSTALLED := command -v virtuoso-t >/dev/null 2>&1 || { apt-get update -qq && scripts/virtuoso.sh install; }

virtuoso:
	$(VIRTUOSO_INSTALLED)
	scripts/virtuoso.sh start

## test-virtuoso: the Store port suite and the question parity suite on a real Virtuoso (installs the Debian package if needed)
test-virtuoso: $(STAMP)
	$(VIRTUOSO_INSTALLED)
	VCGRAPH_TEST_VIRTUOSO=1 $(BIN)/pytest tests/integration/test_remote_store_port.py tests/integration/test_questions_parity.py -k virtuoso

bench-remote: $(STAMP)
	$(VIRTUOSO_INSTALLED)
	$(BIN)/python bench/remote_store.py --virtuoso --write

## bench-engines: every question on the embedded store, Oxigraph server and Virtuoso at 1k and 10k organisations
bench-engines: $(STAMP)
	$(VIRTUOSO_INSTALLED)
	$(BIN)/python bench/engines.py --engines embedded,oxigraph,virtuoso --write

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
