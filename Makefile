# Heelwise: `make run` serves the demo clinic; `make test` runs every check. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
STAMP := $(VENV)/.installed-stamp

.PHONY: help install run test lint typecheck format bench clean

help:
	@echo "make run    - install, migrate, load demo data, serve on http://127.0.0.1:$${PORT:-8000}"
	@echo "make test   - lint, type checks, tests on SQLite and PostgreSQL, browser tests"
	@echo "make format - apply ruff formatting and safe fixes"
	@echo "make bench  - run the benchmarks in bench/"

$(STAMP): pyproject.toml requirements.lock scripts/bootstrap.sh
	@bash scripts/bootstrap.sh
	@touch $(STAMP)

install: $(STAMP)

run: install
	@bash scripts/run.sh

test: install
	@bash scripts/test.sh

lint: install
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .

typecheck: install
	$(VENV)/bin/mypy .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: install
	@bash scripts/bench.sh

clean:
	rm -rf $(VENV) var node_modules
