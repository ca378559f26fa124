# popqa: two commands on a fresh machine with Python 3.11+ and make.
#   make demo   build .venv, generate the synthetic province, audit it, write the reports
#   make test   build .venv and run the test suite (slow tests excluded)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
SCALE  ?= 0.1
PERIOD ?= 2026-10
OUT    ?= out/demo
WORKERS ?= 2
# loadgroup: tests marked with one xdist_group share a worker (and its module fixtures); the others are spread
PYTEST_ARGS ?= -m "not slow" -n 2 --dist loadgroup

.PHONY: demo test test-all lint bench docs clean venv

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	$(BIN)/python -m ipykernel install --prefix $(VENV) --name popqa --display-name "popqa (Python 3)" >/dev/null
	@touch $@

MONTHS ?= 3

# three monthly exports of one synthetic population, each audited, then the site of the last month in
# both languages from one popqa report (pages of the earlier months under site/periods/)
demo: venv
	$(BIN)/popqa synth --scale $(SCALE) --period $(PERIOD) --months $(MONTHS) --out $(OUT)/data
	@for p in $$($(BIN)/python -c "import json; print(' '.join(json.load(open('$(OUT)/data/history.json'))['periods']))"); do \
	  wb=$$( [ $$p = $(PERIOD) ] || echo --no-workbooks ); \
	  $(BIN)/popqa audit --data $(OUT)/data/$$p/register --period $$p --out $(OUT)/results --no-progress $$wb || exit 1; \
	done
	$(BIN)/popqa report --results $(OUT)/results --out $(OUT)/site --workers $(WORKERS) --lang vi,en --no-progress

test: venv
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-all: venv
	$(BIN)/python -m pytest -n 2 --dist loadgroup

lint: venv
	$(BIN)/ruff check popqa tests benchmarks
	$(BIN)/mypy popqa

docs: venv
	$(BIN)/popqa rules --format markdown > docs/rules.md
	$(BIN)/popqa indicators --format markdown > docs/indicators.md
	$(BIN)/popqa contract > docs/data-contract.md

bench: venv
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf out .pytest_cache
