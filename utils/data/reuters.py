"""Reuters newswires (46 topics): Keras's own loader on the verified official files."""

from __future__ import annotations

import json

from .store import check_keras_home, fetch, resolve

__all__ = ["load_reuters", "reuters_word_index"]


def load_reuters(**kwargs):
    """``keras.datasets.reuters.load_data(**kwargs)`` on the verified file."""
    import keras

    resolve("reuters")
    check_keras_home()
    return keras.datasets.reuters.load_data(**kwargs)


def reuters_word_index() -> dict[str, int]:
    """Reuters word -> rank (1 = most frequent), from the verified official file."""
    resolve("reuters")
    with open(fetch("datasets/reuters_word_index.json"), encoding="utf-8") as fh:
        return json.load(fh)
