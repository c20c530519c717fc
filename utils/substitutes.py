"""Figures the book or a course reports on data this run may have had to replace.

::

    from utils.substitutes import record_course_figure
    record_course_figure("gd_logistic_test_accuracy", acc, book=0.829, needs="notMNIST",
                         substitute=None if not letters.substitute else letters.name,
                         official_bands={...}, bands={...})
"""

from __future__ import annotations

from collections.abc import Mapping

from .ledger import _check_bands, record, record_unavailable

__all__ = ["record_course_figure"]


def record_course_figure(
    name: str,
    value: float,
    *,
    substitute: str | None,
    needs: str,
    book: float,
    bands: Mapping[str, tuple[float, float]],
    official_bands: Mapping[str, tuple[float, float]],
    description: str = "",
    chance: float | None = None,
    chance_reason: str = "",
) -> float:
    """Record a figure that the book (or course) reports on data this run may have had to replace.

    ``substitute=None``: the official data ran, so ``value`` is recorded as ``name`` against ``book``
    with ``official_bands``. Otherwise ``substitute`` names the data that ran in its place: ``name``
    gets a "needs …" row (the book's figure, no value), and ``value`` is recorded as
    ``name_<substitute>`` with ``bands`` and no book figure, since it measures something else.
    """
    _check_bands(official_bands)
    if substitute is None:
        return record(name, value, book=book, bands=official_bands, description=description,
                      chance=chance, chance_reason=chance_reason)
    if not substitute.strip() or not needs.strip():
        raise ValueError("give the substitute's name and what the official figure needs")
    record_unavailable(name, reason=f"needs {needs}", book=book, description=description)
    return record(f"{name}_{substitute}", value, bands=bands, description=f"{description} ({substitute})",
                  chance=chance, chance_reason=chance_reason)
