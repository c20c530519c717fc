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
