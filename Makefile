# Deep Learning with Python, course edition: every command a student or maintainer needs.
#   make setup      create .venv and install everything (requirements + utils, editable)
#   make lab        JupyterLab on notebooks/ (runs setup first if needed)
#   make test       unit tests + every notebook under nbval, quick profile (what CI runs)
#   make reproduce  every notebook, full profile, outputs saved; writes results/REPRODUCTION.md
#   make lint       ruff on .py and .ipynb

PYTHON    ?= python3
VENV      ?= .venv
PY        := $(VENV)/bin/python
NOTEBOOKS ?= $(sort $(wildcard notebooks/*.ipynb))
# The offline mirror (Keras cache layout). Used when present; override with DLWP_MIRROR=...
DLWP_MIRROR ?= $(if $(wildcard ../shared/datasets/MANIFEST.tsv),$(abspath ../shared/datasets),)
export DLWP_MIRROR

.PHONY: setup lab test unit nbval reproduce report lint clean

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $@

lab: setup
	$(VENV)/bin/jupyter lab notebooks/ $(if $(filter 0,$(shell id -u)),--allow-root,)

test: unit nbval

unit: setup
	DLWP_OFFLINE=1 MPLBACKEND=Agg $(PY) -m pytest tests -q

nbval: setup
	DLWP_OFFLINE=1 DLWP_PROFILE=quick MPLBACKEND=Agg $(PY) -m pytest -q -p no:randomly \
	  --nbval-lax --nbval-current-env --nbval-cell-timeout=600 \
	  --nbval-sanitize-with tests/nbval_sanitize.cfg $(NOTEBOOKS)

reproduce: setup
	DLWP_PROFILE=full $(PY) -m utils.notebooks run --profile full $(NOTEBOOKS)
	$(MAKE) report

report: setup
	$(PY) -m utils.ledger report --profile full

lint: setup
	$(VENV)/bin/ruff check utils tests notebooks

clean:
	rm -rf $(VENV) data/cache .pytest_cache .ruff_cache
