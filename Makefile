# Two entry points used by README.md and .ci/run. Python 3.12 comes from pyenv (.python-version).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup baseline test bench notebooks

$(BIN)/pap-sim: pyproject.toml setup.py $(wildcard papsim/kernels/*.pyx) papsim/kernels/_common.pxd  # reinstalling rebuilds the twins
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $@

setup: $(BIN)/pap-sim

baseline: setup  ## run the baseline scenario, write results/baseline and print a summary
	$(BIN)/pap-sim run scenarios/baseline.toml --seed 1 --out results/baseline

test: setup  ## run the whole test suite
	$(BIN)/python -m pytest -q -p no:cacheprovider

bench: setup  ## run the benchmarks (not part of the tests)
	$(BIN)/python benchmarks/run_all.py

notebooks: setup  ## open the student notebooks (notebooks/) in JupyterLab
	$(BIN)/jupyter lab notebooks
