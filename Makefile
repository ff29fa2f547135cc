# The two commands a newcomer needs: `make run` and `make test`. Both build .venv on first use.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: run test lint typecheck unit integration bench clean schema

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

run: $(BIN)/.installed
	$(BIN)/meridian up $(ARGS)

test: $(BIN)/.installed lint typecheck
	$(BIN)/python -m pytest

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(BIN)/.installed
	$(BIN)/mypy

unit: $(BIN)/.installed
	$(BIN)/python -m pytest tests/unit

integration: $(BIN)/.installed
	$(BIN)/python -m pytest tests/integration

bench: $(BIN)/.installed
	$(BIN)/python -m pip install -q -e '.[dev,bench]'
	$(BIN)/python bench/eventstore.py

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache

schema: $(BIN)/.installed
	$(BIN)/python -c "from app.api.schema import schema; print(schema)" > schema.graphql
