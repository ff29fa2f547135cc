# The two commands a newcomer needs: `make run` and `make test`. Both build .venv on first use.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: run test lint typecheck unit integration e2e faults bench bench-test clean schema

# The suite `make test` runs, group by group (pyproject's testpaths names the same four, so a plain `pytest`
# runs it too). The benchmarks' smoke tests (tests/bench) stay out of it: `make bench-test`.
SUITE := tests/unit tests/integration tests/e2e tests/faults

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

# The benchmarks' own dependencies (baselines, profiler), on top of dev.
$(BIN)/.bench-installed: $(BIN)/.installed
	$(BIN)/python -m pip install -q -e '.[dev,bench]'
	touch $@

run: $(BIN)/.installed
	$(BIN)/meridian up $(ARGS)

test: $(BIN)/.installed lint typecheck
	$(BIN)/python -m pytest $(SUITE)

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(BIN)/.installed
	$(BIN)/mypy

unit: $(BIN)/.installed
	$(BIN)/python -m pytest tests/unit

integration: $(BIN)/.installed
	$(BIN)/python -m pytest tests/integration

e2e: $(BIN)/.installed
	$(BIN)/python -m pytest tests/e2e

faults: $(BIN)/.installed
	$(BIN)/python -m pytest tests/faults

bench: $(BIN)/.bench-installed
	$(BIN)/python bench/eventstore.py

# Every benchmark script run in quick mode: they still run and print well-formed figures (none is asserted).
bench-test: $(BIN)/.bench-installed
	$(BIN)/python -m pytest tests/bench

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache

schema: $(BIN)/.installed
	$(BIN)/python -c "from app.api.schema import schema; print(schema)" > schema.graphql
