"""The run profile: ``full`` (the book's settings, default) or ``quick``.

The profile is read from one environment variable, ``DLWP_PROFILE``, here and
nowhere else. Notebooks never test for CI; they ask for a value per profile::

    from utils.profile import pick
    epochs = pick(full=20, quick=3)
"""

from __future__ import annotations

import os
from typing import TypeVar

__all__ = ["CAP_ENV_VAR", "ENV_VAR", "PRECISIONS", "PRECISION_ENV_VAR", "PROFILES", "Epochs", "current", "epoch_cap",
           "epochs", "is_quick", "pick", "precision"]

ENV_VAR = "DLWP_PROFILE"
CAP_ENV_VAR = "DLWP_EPOCH_CAP"
PRECISION_ENV_VAR = "DLWP_PRECISION"
PROFILES = ("full", "quick")
PRECISIONS = ("float32", "mixed_bfloat16")  # Keras's float policies the course offers; float32 is the default
DEFAULT = "full"

T = TypeVar("T")


def current() -> str:
    """Return the active profile name (``"full"`` unless ``DLWP_PROFILE`` says otherwise).

    >>> os.environ["DLWP_PROFILE"] = "quick"; current()
    'quick'
    """
    value = os.environ.get(ENV_VAR, DEFAULT).strip().lower() or DEFAULT
    if value not in PROFILES:
        raise ValueError(
            f"{ENV_VAR}={value!r} is not a profile; use one of {', '.join(PROFILES)} "
            f"(e.g. `export {ENV_VAR}=quick`)."
        )
    return value


def precision() -> str:
    """Keras's float policy for the run, from ``DLWP_PRECISION``: ``"float32"`` (default) or
    ``"mixed_bfloat16"``, an option for long full runs on hardware with bf16 units (a recent GPU, or a
    CPU with AVX-512 bf16 or AMX). :func:`utils.start` applies it and the ledger rows say which ran; how
    close bf16 comes to float32 on 5.2 is measured in ``results/evidence/bf16/``.

    >>> precision()  # with DLWP_PRECISION unset
    'float32'
    """
    value = os.environ.get(PRECISION_ENV_VAR, "").strip().lower() or PRECISIONS[0]
    if value not in PRECISIONS:
        raise ValueError(
            f"{PRECISION_ENV_VAR}={value!r} is not a precision the course offers; use one of "
            f"{', '.join(PRECISIONS)} (e.g. `export {PRECISION_ENV_VAR}=mixed_bfloat16`), or unset it for float32."
        )
    return value


def is_quick() -> bool:
    """True when the quick profile is active."""
    return current() == "quick"


def pick(*, full: T, quick: T) -> T:
    """Return ``full`` or ``quick`` depending on the active profile.

    >>> pick(full=20, quick=3)  # 20 under the full profile
    20
    """
    return quick if is_quick() else full


def epoch_cap(profile_name: str | None = None) -> int | None:
    """Upper bound on epochs from ``DLWP_EPOCH_CAP`` (full profile only), or ``None``.

    For the few book runs that take hours on a CPU (e.g. 100 epochs of augmented training):
    ``DLWP_EPOCH_CAP=20`` runs the full profile's code and data with at most 20 epochs, and
    the banner and the ledger say so.
    """
    raw = os.environ.get(CAP_ENV_VAR, "").strip()
    if not raw or (profile_name or current()) == "quick":
        return None
    try:
        cap = int(raw)
    except ValueError:
        raise ValueError(f"{CAP_ENV_VAR}={raw!r} is not a whole number of epochs") from None
    if cap < 1:
        raise ValueError(f"{CAP_ENV_VAR} must be >= 1, got {cap}")
    return cap


class Epochs(int):
    """An epoch count that remembers what was asked: ``Epochs(10, asked=100)`` is 100 capped to 10.

    Pass it to ``run.check(..., epochs=num_epochs)``: the figures that training produced are then held to
    their ``capped`` band and marked in the ledger, and only those.
    """

    asked: int

    def __new__(cls, value: int, asked: int | None = None):
        obj = super().__new__(cls, value)
        obj.asked = int(value if asked is None else asked)
        return obj

    @property
    def shortened(self) -> bool:
        return self.asked > int(self)


def epochs(*, full: int, quick: int) -> Epochs:
    """Number of epochs for this profile; under ``full``, at most ``DLWP_EPOCH_CAP``.

    The count remembers what the profile asked for (:class:`Epochs`), so the figures of a training that a
    cap shortened, and only those, can be held to their ``capped`` band; the cap is also noted on the
    open run (``run.caps``).

    >>> epochs(full=100, quick=3)  # 100 under the full profile without a cap
    100
    """
    n = pick(full=full, quick=quick)
    cap = epoch_cap()
    if cap is not None and n > cap:
        from .session import current_run_or_none

        run = current_run_or_none()
        if run is not None:
            run.caps.append((n, cap))
        print(f"[profile] {n} epochs capped to {cap} ({CAP_ENV_VAR}={cap})")
        return Epochs(cap, asked=n)
    return Epochs(n)
