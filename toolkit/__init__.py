"""The maintainers' toolkit: running, proving and reporting. Notebooks never import it.

Run its modules with ``python -m`` from a checkout:

- :mod:`toolkit.runner`  -- execute notebooks in fresh kernels (stored runs, seeds, evidence runs)
- :mod:`toolkit.matrix`  -- the same runs as (notebook, profile, seed, backend) jobs on a Dask cluster
- :mod:`toolkit.ledger`  -- read and group the results rows; ``results/REPRODUCTION.md``
- :mod:`toolkit.bands`   -- do the bands hold the measured runs? (full: the seeds; quick: the evidence)
- :mod:`toolkit.course`  -- everything generated from the notebooks: syllabus, times, header rows,
  Colab cells and badges, student copies, the report (``python -m toolkit.course sync``)
- :mod:`toolkit.assignments` -- the exercises as an nbgrader course; ``student/`` is its release

It reads what the students' library (``utils``) writes (ledger rows, the figure declarations) and
never the other way round.
"""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
RESULTS_DIR = REPO_ROOT / "results"
EVIDENCE_DIR = RESULTS_DIR / "evidence"


def shown(path: Path) -> str:
    """``path`` as messages show it: relative to the checkout when it lies inside, else as given."""
    full = Path(path).resolve()
    return str(full.relative_to(REPO_ROOT)) if full.is_relative_to(REPO_ROOT) else str(path)
