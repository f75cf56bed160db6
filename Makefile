# make check runs exactly what CI runs (.ci/run calls it on a clean clone).
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install dev lint test check parity bench goldens docs

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install -q -e .

dev: $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]' -e './server[dev]'

# The two mypy runs (about 20 s and 16 s, single-threaded) side by side on two cores.
lint: dev
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/lint-imports
	cd server && ../$(BIN)/ruff check src tests
	$(BIN)/mypy & client=$$!; (cd server && ../$(BIN)/mypy); server=$$?; \
	wait $$client && exit $$server

# The rlcoach and server suites, at the same time (.ci/suites says why), each
# printing its 15 slowest tests. `pytest -m "not slow"` skips the corpus-wide
# tests for a quick local loop.
test: dev
	.ci/suites $(BIN)/python

check: lint test

parity: install
	$(BIN)/python benchmarks/parity.py

bench: install
	$(BIN)/python benchmarks/bench_speed.py

goldens: install
	$(BIN)/python scripts/regen_goldens.py

docs: install
	$(BIN)/python -m rlcoach.report.metrics_doc > docs/metrics.md
