# Everyday commands. `make demo` and `make test` set everything up themselves:
# they create .venv with the Python found below and install the toolkit with its dev extras.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lab sample install clean help

help:
	@echo "make demo    run the toolkit on the sample survey and write reports/demo/report.html"
	@echo "make test    check the import layers and dependencies, then run the doctests, tests and notebooks"
	@echo "make lab     open JupyterLab on notebooks/"
	@echo "make sample  regenerate data/sample/ from its seed"

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/toolkit demo

# The architecture first (seconds): imports in pipeline order, every import declared; then the
# docstring examples of toolkit/, the tests and the notebooks.
test: $(STAMP)
	$(BIN)/lint-imports --no-cache
	$(BIN)/deptry toolkit
	MPLBACKEND=Agg $(BIN)/python -m pytest -p no:cacheprovider -q --doctest-modules toolkit
	$(BIN)/python -m pytest -n 2 --dist loadgroup tests
	$(BIN)/python -m pytest -p no:cacheprovider -n 2 --dist loadfile --nbval-lax --nbval-sanitize-with notebooks/sanitize.cfg notebooks

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

sample: $(STAMP)
	$(BIN)/toolkit sample --out data/sample

clean:
	rm -rf reports .pytest_cache
