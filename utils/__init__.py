"""Shared helpers for the course notebooks.

Import this package *before* Keras or TensorFlow: it sets, in one place, the
environment those libraries read when they are first imported (backend, log
level, and ``KERAS_HOME`` pointing at the verified data cache).

Typical first cell of a notebook::

    import utils
    run = utils.start("3.5", datasets=["imdb"])

Modules (each lists its public API in ``__all__``):

- :mod:`utils.profile`    -- ``quick`` / ``full`` profile and ``pick()``
- :mod:`utils.seeding`    -- one call that seeds Python, NumPy and the backend
- :mod:`utils.data`       -- verified, offline-first datasets and weights
- :mod:`utils.ledger`     -- ``record()`` a figure, check its band, log it
- :mod:`utils.plots`      -- training curves, smoothing, K-fold averages
- :mod:`utils.validation` -- hold-out and (iterated) K-fold validation
- :mod:`utils.pretrained` -- the pretrained base in use: the book's VGG16 or the offline MobileNet
- :mod:`utils.baselines`  -- majority-class, shuffled-label and mean-predictor baselines
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]

# --- environment read by Keras / TensorFlow at import time (set once, here) ---
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # hide TF's C++ info/warning chatter
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # no oneDNN banner; results more repeatable
os.environ.setdefault("KERAS_HOME", str(REPO_ROOT / "data" / "cache"))

from . import profile  # noqa: E402  (after the environment is set)
from .session import Run, start  # noqa: E402

__all__ = ["REPO_ROOT", "Run", "profile", "start"]
