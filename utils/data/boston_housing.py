"""Boston housing prices: Keras's own loader on the verified official file."""

from __future__ import annotations

from .store import check_keras_home, resolve

__all__ = ["load_boston_housing"]


def load_boston_housing(**kwargs):
    """``keras.datasets.boston_housing.load_data(**kwargs)`` on the verified file."""
    import keras

    resolve("boston_housing")
    check_keras_home()
    return keras.datasets.boston_housing.load_data(**kwargs)
