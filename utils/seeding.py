"""One call that seeds Python, NumPy and the Keras backend.

The default seed is 42; ``DLWP_SEED`` overrides it for a whole run.
Seeding makes runs repeatable in distribution, not bit-identical: multi-threaded
CPU kernels may still sum in a different order from run to run.
"""

from __future__ import annotations

import os

__all__ = ["DEFAULT_SEED", "ENV_VAR", "default_seed", "seed_everything"]

ENV_VAR = "DLWP_SEED"
DEFAULT_SEED = 42


def default_seed() -> int:
    """The seed for this run: ``DLWP_SEED`` if set, else 42."""
    raw = os.environ.get(ENV_VAR, "").strip()
    if not raw:
        return DEFAULT_SEED
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{ENV_VAR}={raw!r} is not an integer seed.") from None


def seed_everything(seed: int | None = None) -> int:
    """Seed ``random``, NumPy and the backend; return the seed used.

    >>> seed_everything(7)
    7
    """
    import keras

    seed = default_seed() if seed is None else int(seed)
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    keras.utils.set_random_seed(seed)  # seeds random, numpy and the backend
    return seed
