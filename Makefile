# Two commands for a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3.11
HOST ?= 127.0.0.1
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PACKAGES := shared_nlu core chat_platform admin madoguchi

.PHONY: run test lint typecheck validate pytest install services bench clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed: install python3.11 or run 'make PYTHON=/path/to/python3.11'"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/madoguchi simulate --days 14 --conversations-per-day 15 --if-empty
	$(BIN)/madoguchi serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check $(PACKAGES) tests bench
	$(BIN)/ruff format --check $(PACKAGES) tests bench

typecheck: install
	$(BIN)/mypy

validate: install
	$(BIN)/madoguchi validate bots

services:
	@scripts/ensure-services.sh
	@[ -d tests/browser/node_modules ] || (cd tests/browser && npm ci --silent --no-audit --no-fund)

pytest: install services
	$(BIN)/pytest -q

test: lint typecheck validate pytest

bench: install
	$(BIN)/python bench/clinc150.py
	$(BIN)/python bench/localgovfaq.py
	$(BIN)/python bench/speed.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
