"""7.3's regular-convolution network with Keras's default initialisation: how fast does it leave chance?

    python results/evidence/regular_convnet/slow_start.py 42 1 2

Builds 7.3's two cats-vs-dogs networks at 64x64 (separable first, then regular, as the notebook does, so the
regular one gets the same starting weights for a seed) and trains the regular one for the notebook's 8 epochs
on the 2,000 training pictures, Adam, batches of 32, validating on the 1,000 validation pictures. It prints the
validation and training accuracy of every epoch. The order of the batches is not the notebook's (there the
separable network trains first and draws from the same generators), so this measures the spread over orders,
not the stored run. Full-profile data; about 3 min per seed on a 2-core CPU.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
os.chdir(Path(__file__).resolve().parents[3] / "notebooks")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import layers  # noqa: E402

from utils import data, seeding  # noqa: E402


def book_convnet(conv):
    """7.3's network (the book's separable-convolution listing), with ``conv`` for every convolution."""
    model = keras.Sequential([
        keras.Input(shape=(64, 64, 3)), layers.Rescaling(1 / 255),
        conv(32, 3, activation="relu"), conv(64, 3, activation="relu"), layers.MaxPooling2D(2),
        conv(64, 3, activation="relu"), conv(128, 3, activation="relu"), layers.MaxPooling2D(2),
        conv(64, 3, activation="relu"), conv(128, 3, activation="relu"), layers.GlobalAveragePooling2D(),
        layers.Dense(32, activation="relu"), layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def main(seeds: list[int]) -> None:
    (x, y), (x_val, y_val), _ = data.load_cats_and_dogs(image_size=64)
    for seed in seeds:
        seeding.seed_everything(seed)
        book_convnet(layers.SeparableConv2D)  # built first, as in the notebook
        regular = book_convnet(layers.Conv2D)
        order = np.random.default_rng(seed).permutation(len(x))
        val_order = np.random.default_rng(seed + 1).permutation(len(x_val))
        start = time.time()
        history = regular.fit(x[order], y[order], epochs=8, batch_size=32, verbose=0,
                              validation_data=(x_val[val_order], y_val[val_order]))
        print(seed, os.environ.get("TF_ENABLE_ONEDNN_OPTS"),
              "val", [round(v, 3) for v in history.history["val_accuracy"]],
              "train", [round(v, 3) for v in history.history["accuracy"]], f"{time.time() - start:.0f}s", flush=True)


if __name__ == "__main__":
    main([int(s) for s in sys.argv[1:]] or [42, 1, 2])
