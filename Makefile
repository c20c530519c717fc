# Deep Learning with Python, course edition: every command a student or maintainer needs.
# Students: make lab. Maintainers' commands run the toolkit (toolkit/, `python -m toolkit.<module>`).
#   make setup      create .venv and install everything (requirements.txt: utils, editable, with its extras)
#   make lab        JupyterLab on notebooks/ (runs setup first if needed)
#   make test       unit tests + every notebook under nbval, quick profile, then the band checks (what CI runs)
#   make reproduce  NOTEBOOKS (default: all), full profile, outputs saved (SEEDS="42 1 2": once per seed,
#                   outputs from the first; ADD_SEEDS="1 2": more seeds beside the stored run), then `make sync`
#   make sync       every generated file: course/times.json (from the last make test), header Time rows,
#                   Colab cells and badges, course/SYLLABUS.md, student/, results/REPRODUCTION.md
#   make test-backends  every notebook, quick profile, on JAX and PyTorch without TensorFlow (those changed since
#                   they last passed; .ci/backends-verified.json)
#   make reproduce-gpu NOTEBOOKS=...  chosen notebooks, full profile, JAX backend (on a GPU machine)
#   make assignments  the nbgrader course in course/nbgrader/ (source/weekNN/, released); student/ is its release
#   make evidence  quick-profile runs of ch. 2-5.1 under seeds 42 1 2 and both backends, for the bands
#   make lint       ruff on .py and .ipynb
#   make matrix     NOTEBOOKS x SEEDS x BACKENDS as parallel jobs on Dask (a local cluster, or SCHEDULER=tcp://...)

PYTHON    ?= python3
VENV      ?= .venv
PY        := $(VENV)/bin/python
NOTEBOOKS ?= $(sort $(wildcard notebooks/*.ipynb))
# The offline mirror (Keras cache layout). Used when present; override with DLWP_MIRROR=...
DLWP_MIRROR ?= $(if $(wildcard ../shared/datasets/MANIFEST.tsv),$(abspath ../shared/datasets),)
export DLWP_MIRROR

# The backend matrix: every notebook, quick profile, on these backends too, with TensorFlow blocked
# (tests/without_tensorflow), as on a GPU machine with JAX or PyTorch only. Only notebooks whose key
# (code, checked outputs, figure declaration, utils/ and the requirements; toolkit/backends.py) changed
# since they last passed run again; the keys of passing notebooks are kept in .ci/backends-verified.json.
BACKEND_NOTEBOOKS ?= $(NOTEBOOKS)
BACKENDS ?= jax torch
NBVAL_ARGS = -q -p no:randomly --nbval-lax --nbval-current-env --nbval-cell-timeout=600 \
             --nbval-sanitize-with tests/nbval_sanitize.cfg

.PHONY: graphviz evidence sync assignments setup setup-backends setup-grading lab test unit nbval test-backends reproduce reproduce-gpu matrix lint clean

setup: $(VENV)/.installed

# Graphviz's `dot` draws keras.utils.plot_model's diagrams (7.1, 7.2): installed where the system allows
# (Debian/Ubuntu as root, or Homebrew); elsewhere the notebooks print a note instead of the diagram.
graphviz:
	@command -v dot >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    (apt-get install -y -qq graphviz >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq graphviz >/dev/null 2>&1; }); \
	  elif command -v brew >/dev/null 2>&1; then brew install graphviz >/dev/null; fi; \
	  command -v dot >/dev/null 2>&1 && echo "installed Graphviz (dot) for plot_model" \
	    || echo "note: Graphviz's dot is not installed; plot_model diagrams (7.1, 7.2) are left out"; }

# requirements.txt installs utils editable with its extras (pins in pyproject.toml).
$(VENV)/.installed: requirements.txt pyproject.toml setup.py
	@$(MAKE) -s graphviz
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

lab: setup
	$(VENV)/bin/jupyter lab notebooks/ $(if $(filter 0,$(shell id -u)),--allow-root,)

test: unit nbval

unit: setup setup-grading
	DLWP_OFFLINE=1 MPLBACKEND=Agg $(PY) -m pytest tests -q

# After the notebooks: the quick bands they assert today must hold the committed evidence
# (results/evidence/quick.jsonl: unsaved runs under several seeds and backends) and the full bands every
# seed of the stored runs (toolkit/bands.py).
nbval: setup
	DLWP_OFFLINE=1 DLWP_PROFILE=quick MPLBACKEND=Agg $(PY) -m pytest $(NBVAL_ARGS) $(NOTEBOOKS)
	$(PY) -m toolkit.bands check

# nbgrader in its own venv (it brings ipywidgets, which would turn the notebooks' tqdm bars into widgets);
# it grades on the course's kernel, the `dlwp-course` kernelspec pointing at $(VENV).
GRADING_VENV := .venv-grading
setup-grading: $(GRADING_VENV)/.installed

$(GRADING_VENV)/.installed: pyproject.toml $(VENV)/.installed
	$(PYTHON) -m venv $(GRADING_VENV)
	$(GRADING_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(GRADING_VENV)/bin/python -m pip install --quiet -e ".[teaching]"
	$(PY) -m ipykernel install --prefix $(GRADING_VENV) --name dlwp-course --display-name "DLwP course (.venv)" >/dev/null
	@touch $@

# The nbgrader course (course/nbgrader/, git-ignored): source/weekNN/ from the notebooks, then released.
assignments: setup setup-grading
	$(PY) -m toolkit.assignments build
	$(PY) -m toolkit.assignments release

setup-backends: $(VENV)/.backends-installed

$(VENV)/.backends-installed: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install --quiet -e ".[backends]"
	@touch $@

test-backends: setup setup-backends
	@mkdir -p build; status=0; \
	for b in $(BACKENDS); do \
	  todo=$$($(PY) -m toolkit.backends stale $$b $(BACKEND_NOTEBOOKS)); \
	  if [ -z "$$todo" ]; then echo "== $$b: every notebook already passed at its current key; skipped"; continue; fi; \
	  echo "== quick profile under KERAS_BACKEND=$$b, without TensorFlow: $$(echo $$todo | wc -w) notebook(s)"; \
	  PYTHONPATH=$(CURDIR)/tests/without_tensorflow KERAS_BACKEND=$$b DLWP_OFFLINE=1 DLWP_PROFILE=quick MPLBACKEND=Agg \
	    $(PY) -m pytest $(NBVAL_ARGS) -o junit_family=xunit1 --junitxml=build/nbval-$$b.xml $$todo; \
	  $(PY) -m toolkit.backends stamp --junit build/nbval-$$b.xml $$b $$todo || status=1; \
	done; \
	$(PY) -m toolkit.bands check || status=1; \
	exit $$status

# SEEDS="42 1 2": each notebook once per seed (outputs stored from the first); the report shows the spread.
# ADD_SEEDS="1 2": the stored run stays; each notebook runs (unsaved) under these seeds and the report
# puts their figures beside the stored run's.
reproduce: setup
	DLWP_PROFILE=full $(PY) -m toolkit.runner run --profile full $(if $(SEEDS),--seeds $(SEEDS)) $(if $(ADD_SEEDS),--add-seeds $(ADD_SEEDS)) $(NOTEBOOKS)
	$(MAKE) sync

# On a GPU machine with JAX (CUDA) installed: see docs/gpu.md.
reproduce-gpu:
	DLWP_PROFILE=full $(PYTHON) -m toolkit.runner run --profile full --backend jax $(NOTEBOOKS)
	$(PYTHON) -m toolkit.ledger report --profile full

# Evidence for the quick bands (unsaved runs, rows in results/evidence/): EVIDENCE_NOTEBOOKS x SEEDS x BACKENDS.
EVIDENCE_NOTEBOOKS ?= $(sort $(wildcard notebooks/02.*.ipynb notebooks/03.*.ipynb notebooks/04.*.ipynb notebooks/05.1-*.ipynb))
evidence: setup setup-backends
	@for b in tensorflow $(BACKENDS); do \
	  $(PY) -m toolkit.runner run --profile quick --evidence --backend $$b --seeds $(or $(SEEDS),42 1 2) \
	    $(EVIDENCE_NOTEBOOKS) || exit 1; \
	done
	$(PY) -m toolkit.bands report

# The run matrix (toolkit/matrix.py): NOTEBOOKS x SEEDS (default 42) x BACKENDS (default tensorflow, unless
# given: BACKENDS="tensorflow jax torch"), PROFILE (default quick), as parallel jobs on Dask: a local cluster
# (a worker per core; WORKERS=N) or SCHEDULER=tcp://host:8786; GPU=1 puts the jobs on workers offering GPU=1.
# Outputs are stored as toolkit.runner stores them; EVIDENCE=1 or RESULTS_DIR=... saves no notebook.
# Not part of make test. On a cluster: docs/commands.md, "The run matrix on a cluster".
matrix: setup setup-backends
	$(PY) -m toolkit.matrix run --profile $(or $(PROFILE),quick) \
	  --backends $(if $(filter command line environment,$(origin BACKENDS)),$(BACKENDS),tensorflow) \
	  --seeds $(or $(SEEDS),42) $(if $(EVIDENCE),--evidence) $(if $(RESULTS_DIR),--results-dir $(RESULTS_DIR)) \
	  $(if $(SCHEDULER),--scheduler $(SCHEDULER)) $(if $(WORKERS),--workers $(WORKERS)) $(if $(GPU),--gpu) \
	  $(NOTEBOOKS)

sync: setup setup-grading
	$(PY) -m toolkit.course sync

lint: setup
	$(VENV)/bin/ruff check utils toolkit tests notebooks

clean:
	rm -rf $(VENV) $(GRADING_VENV) data/cache .pytest_cache .ruff_cache course/nbgrader
