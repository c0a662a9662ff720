# The two commands a new user runs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CONFIG ?= configs/cdnow.yaml
KERNEL := crm-workbench

.PHONY: run test test-fast lab notebooks lint typecheck format bench clean setup dictionary

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "CRM workbench"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/workbench run --config $(CONFIG)

test: $(STAMP)
	$(BIN)/python -m pytest

# the edit loop: unit and stage-contract tests, without the notebooks, Spark and the papermill runs
test-fast: $(STAMP)
	$(BIN)/python -m pytest tests -m "not slow"

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

notebooks: $(STAMP)
	cd notebooks && for nb in [0-9][0-9]_*.ipynb; do \
		../$(BIN)/papermill --kernel $(KERNEL) --cwd . "$$nb" "$$nb" || exit 1; done

lint: $(STAMP)
	$(BIN)/ruff check src tests bench notebooks
	$(BIN)/ruff format --check src tests bench notebooks
	$(BIN)/mypy src/helpers

# mypy with pandas-stubs and pydantic's plugin ([tool.mypy]); part of `make lint` and of `make test`
typecheck: $(STAMP)
	$(BIN)/mypy src/helpers

format: $(STAMP)
	$(BIN)/ruff format src tests bench notebooks
	$(BIN)/ruff check --fix src tests bench notebooks

dictionary: $(STAMP)
	$(BIN)/workbench dictionary > docs/data_dictionary.md

bench: $(STAMP)
	$(BIN)/python bench/run.py --rows 1e6

clean:
	rm -rf runs/notebooks .pytest_cache
