"""5.2's augmented step as the notebook runs it: the real pictures through ``utils.pipelines.batches``,
with ``utils`` imported (so ``TF_ENABLE_ONEDNN_OPTS`` is utils' default unless the environment sets it).
From the checkout, with the offline mirror::

    DLWP_MIRROR=../shared/datasets DLWP_OFFLINE=1 python results/evidence/onednn/notebook_step.py
    TF_ENABLE_ONEDNN_OPTS=1 DLWP_MIRROR=../shared/datasets DLWP_OFFLINE=1 python results/evidence/onednn/notebook_step.py
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("DLWP_PROFILE", "full")
sys.path.insert(0, str(Path(__file__).resolve().parents[3]))  # the checkout, for utils
sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmark.py beside this file

# utils first: it sets TensorFlow's environment (TF_ENABLE_ONEDNN_OPTS included) before Keras loads TensorFlow.
# isort: off
import utils  # noqa: E402, F401
import keras  # noqa: E402
from utils import data  # noqa: E402
from utils.pipelines import batches  # noqa: E402

import benchmark  # noqa: E402
# isort: on

STEPS = 20


def augmented_convnet() -> keras.Model:
    model = benchmark.augmented_convnet()  # the network the side-by-side benchmark times
    model.compile(optimizer=keras.optimizers.RMSprop(1e-4), loss="binary_crossentropy", metrics=["accuracy"])
    return model


def timed(label: str, work, count: int, unit: str) -> None:
    start = time.perf_counter()
    work()
    seconds = time.perf_counter() - start
    print(f"{label}: {seconds / count * 1000:.0f} ms/{unit}" if unit == "step" else f"{label}: {seconds:.1f} s",
          flush=True)


def main() -> None:
    splits = data.load_cats_and_dogs(image_size=150)
    x_train, y_train = data.first_of_each_class(splits[0], 2000)
    x_val, y_val = data.first_of_each_class(splits[1], 1000)
    model = augmented_convnet()
    train = batches(x_train, y_train, 32, shuffle=True, steps=STEPS)
    model.fit(train, epochs=1, verbose=0)  # warm-up: trace
    timed("tf.data route, no validation", lambda: model.fit(train, epochs=2, verbose=0), 2 * STEPS, "step")
    val = batches(x_val, y_val, 32)
    model.evaluate(val, verbose=0)
    timed("validation pass (1000 pictures)", lambda: model.evaluate(val, verbose=0), 1, "pass")
    for label, dtype in (("train_on_batch uint8 same batch", "uint8"), ("train_on_batch float32 batch", "float32")):
        xb, yb = x_train[:32].astype(dtype), y_train[:32]
        model.train_on_batch(xb, yb)
        timed(label, lambda xb=xb, yb=yb: [model.train_on_batch(xb, yb) for _ in range(STEPS)], STEPS, "step")


if __name__ == "__main__":
    main()
