"""nbval settings for the notebooks (CI runs `pytest --nbval-lax notebooks/*.ipynb`).

Standard error is never compared: it carries progress bars (e.g. a first decode of the cats-vs-dogs
pictures into a fresh cache) and library warnings that differ between machines and runs, while the
checked outputs of `# NBVAL_CHECK_OUTPUT` cells are what they print to standard output.
"""

import nbval.plugin

_compare_streams = nbval.plugin.transform_streams_for_comparison


def _without_stderr(outputs):
    kept = [o for o in outputs if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
    return _compare_streams(kept)


nbval.plugin.transform_streams_for_comparison = _without_stderr


# --- quick-profile time per notebook, for the syllabus (python -m toolkit.course sync reads it) -------------
import json  # noqa: E402
from collections import defaultdict  # noqa: E402
from pathlib import Path  # noqa: E402

_seconds: dict[str, float] = defaultdict(float)


def pytest_runtest_logreport(report):
    """Add every phase (kernel start-up included) of every cell to its notebook's total."""
    path = report.nodeid.split("::", 1)[0]
    if path.endswith(".ipynb"):
        _seconds[Path(path).name] += report.duration


def pytest_sessionfinish(session, exitstatus):
    import os

    if _seconds:
        # The syllabus quotes the default backend's times; other backends (make test-backends) get
        # their own file instead of overwriting them.
        backend = os.environ.get("KERAS_BACKEND", "tensorflow")
        name = "nbval-times.json" if backend == "tensorflow" else f"nbval-times-{backend}.json"
        out = Path(__file__).resolve().parents[1] / "results" / name
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps({k: round(v, 1) for k, v in sorted(_seconds.items())}, indent=1) + "\n")
