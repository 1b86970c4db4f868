# Zhilv — `make run` and `make test` do all their own set-up.
SHELL := /bin/bash
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do command -v $$p >/dev/null && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' && echo $$p && break; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | md5sum | cut -c1-8)
HTMX := node_modules/htmx.org/dist/htmx.min.js
PYTEST_WORKERS ?= 2
B ?=

.PHONY: setup run test worker migrate lint bench system-deps stripe-emulator clean

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Python 3.11+ is required"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $@

$(HTMX): package.json
	npm install --no-audit --no-fund --silent
	touch $@

system-deps:
	@bash scripts/system-deps.sh

# localstripe (the local Stripe emulator) lives in its own virtualenv under .zhilv/.
stripe-emulator: $(STAMP)
	@$(BIN)/python -c "from devtools.stripe_emulator import ensure_venv; ensure_venv()"

setup: $(STAMP) $(HTMX) system-deps stripe-emulator

run: setup
	$(BIN)/zhilv dev

worker: setup
	$(BIN)/zhilv worker

migrate: setup
	$(BIN)/zhilv migrate

# loadfile: a file's tests stay on one worker; tests/scheduling.py hands files out longest
# first and keeps the browser files together (one live server and browser for all of them).
test: setup
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile

lint: setup
	$(BIN)/ruff check app tenants modules workers devtools tests bench
	$(BIN)/ruff format --check app tenants modules workers devtools
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: setup
	@if [ -n "$(B)" ]; then $(BIN)/python bench/$(B).py; else for f in bench/*.py; do $(BIN)/python $$f || exit 1; done; fi

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache
