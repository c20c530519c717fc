"""The run profile: ``full`` (the book's settings, default) or ``quick``.

The profile is read from one environment variable, ``DLWP_PROFILE``, here and
nowhere else. Notebooks never test for CI; they ask for a value per profile::

    from utils.profile import pick
    epochs = pick(full=20, quick=3)
"""

from __future__ import annotations

import os
from typing import TypeVar

__all__ = ["ENV_VAR", "PROFILES", "current", "is_quick", "pick"]

ENV_VAR = "DLWP_PROFILE"
PROFILES = ("full", "quick")
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


def is_quick() -> bool:
    """True when the quick profile is active."""
    return current() == "quick"


def pick(*, full: T, quick: T) -> T:
    """Return ``full`` or ``quick`` depending on the active profile.

    >>> pick(full=20, quick=3)  # 20 under the full profile
    20
    """
    return quick if is_quick() else full
