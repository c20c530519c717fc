"""Shared helpers for the course notebooks.

Import this package *before* Keras or TensorFlow: it sets, in one place, the
environment those libraries read when they are first imported (backend, log
level, and ``KERAS_HOME`` pointing at the verified data cache).

Typical first cell of a notebook::

    import utils
    run = utils.start("3.5", datasets=["imdb"])

Modules (each lists its public API in ``__all__``):

- :mod:`utils.profile`    -- ``quick`` / ``full`` profile, ``pick()``, and the float ``precision()``
- :mod:`utils.seeding`    -- one call that seeds Python, NumPy and the backend
- :mod:`utils.data`       -- verified, offline-first datasets and weights
- :mod:`utils.ledger`     -- record a figure, check it against its declared band, log it
- :mod:`utils.checks`     -- the ticks and hints of the exercises
- :mod:`utils.pipelines`  -- in-memory arrays as batches on any backend
- :mod:`utils.overlap`    -- shared items between splits

Running, proving and reporting (the notebook runner, ledger reports, band evidence, syllabus,
student copies) is the maintainers' toolkit, ``toolkit/`` in the checkout: notebooks never import it.
- :mod:`utils.plots`      -- training curves, smoothing, K-fold averages
- :mod:`utils.validation` -- hold-out and (iterated) K-fold validation
- :mod:`utils.pretrained` -- the pretrained base in use: the book's VGG16 or the offline MobileNet
- :mod:`utils.baselines`  -- majority-class, shuffled-label and mean-predictor baselines
"""

from __future__ import annotations

import os
from pathlib import Path

from ._locations import checkout_root as _checkout_root  # standard library only: nothing heavy yet
from ._locations import default_cache_dir as _default_cache_dir

# The checkout this runs in (data/catalog.toml beside notebooks/, found from the working folder or
# from this package); an installed copy outside any checkout: the working folder.
REPO_ROOT = _checkout_root() or Path.cwd()

# --- environment read by Keras / TensorFlow at import time (set once, here) ---
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # hide TF's C++ info/warning chatter
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # no oneDNN banner; results more repeatable
os.environ.setdefault("KERAS_HOME", str(_default_cache_dir()))  # data/cache/ in a checkout

from . import profile  # noqa: E402  (after the environment is set)
from .session import Run, start  # noqa: E402

__all__ = ["REPO_ROOT", "Run", "profile", "start"]
