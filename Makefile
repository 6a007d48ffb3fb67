# The two commands of the README: `make demo` (the server with a demo warehouse on SQLite) and `make test`
# (the whole suite against this machine's PostgreSQL and Redis). Each does its own set-up.
SHELL := /bin/bash
VENV := .venv
UV_VERSION := 0.13.9
STAMP := $(VENV)/.synced

.PHONY: demo test setup lint typecheck pytest clean

$(STAMP): pyproject.toml uv.lock
	@test -x $(VENV)/bin/python || python3 -m venv $(VENV)
	@$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	@$(VENV)/bin/uv sync --frozen --all-extras --inexact --quiet
	@touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/wes demo

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy

pytest: $(STAMP)
	bash scripts/services.sh
	bash scripts/install-test-deps.sh
	$(VENV)/bin/pytest -n 2 --dist loadfile -p no:cacheprovider

test: lint typecheck pytest

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
