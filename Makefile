# `make demo` and `make test` bootstrap .venv from nothing, then run.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck check bench clean locales

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/telecentre chat

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/pytest -q

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_core.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

# Catalogs: extract the French source sentences, merge them into fr and en, check they compile.
locales: $(STAMP)
	$(BIN)/pybabel extract --no-location --sort-output --omit-header -k t -k tn:1,2 \
		-o locales/messages.pot handlers bot
	for lang in fr en; do \
		if [ -f locales/$$lang/LC_MESSAGES/messages.po ]; then \
			$(BIN)/pybabel update --no-fuzzy-matching --omit-header -l $$lang -i locales/messages.pot -d locales; \
		else \
			$(BIN)/pybabel init -l $$lang -i locales/messages.pot -d locales; \
		fi; \
	done
	$(BIN)/pybabel compile --statistics --use-fuzzy -d locales
