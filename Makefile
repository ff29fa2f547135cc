# The two commands a newcomer needs: `make run` and `make test`. Both build .venv on first use.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: run test lint typecheck unit integration e2e faults bench bench-test clean schema console console-test

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
	@$(MAKE) --no-print-directory console || echo "console: the build failed; the API runs without it"
	@echo "meridian: the console will be at http://127.0.0.1:8000/console"
	$(BIN)/meridian up $(ARGS)

# The console's browser tests (tests/e2e/test_console.py) run in the suite, on the build console-test makes.
# Two pytest workers (pytest-xdist): most of the suite waits on real processes, servers and browsers rather
# than computing, and every test keeps to its own databases, Redis namespace, queues and ports, so two run
# side by side. PYTEST_WORKERS=0 runs it in one process.
PYTEST_WORKERS ?= 2
test: $(BIN)/.installed lint typecheck console-test
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(SUITE)

# The operations console (console/): Node >= 20 and npm, dependencies from the lockfile. Without npm, `make run`
# serves the API alone (/console then says how to build it) and `make test` skips the console with a message.
NPM := $(shell command -v npm 2>/dev/null)
CONSOLE_SOURCES := $(shell find console/src console/index.html console/*.ts console/*.json -type f \
	-not -path 'console/src/gql/*' 2>/dev/null) schema.graphql

console/node_modules/.package-lock.json: console/package-lock.json
	cd console && npm ci --no-audit --no-fund --loglevel=error

console/dist/index.html: console/node_modules/.package-lock.json $(CONSOLE_SOURCES)
	cd console && npm run --silent build

ifeq ($(NPM),)
console console-test:
	@echo "console: npm not found (Node >= 20 and npm are prerequisites); skipping the console"
else
console: console/dist/index.html

# The build (typed documents regenerated from schema.graphql, tsc, vite; skipped when nothing changed since a
# build that passed them), lint and format, unit tests, the size budget. The browser tests need the build: they run
# in the suite (tests/e2e/test_console.py).
console-test: console/dist/index.html
	cd console && npm run --silent lint && npm run --silent test && npm run --silent budget
endif

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
	rm -rf $(VENV) var .mypy_cache .ruff_cache console/node_modules console/dist console/src/gql

schema: $(BIN)/.installed
	$(BIN)/python -c "from app.api.schema import schema; print(schema)" > schema.graphql
