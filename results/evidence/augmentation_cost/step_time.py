"""Training-step time of 5.2's convnet with each of its augmentation layers, on the active Keras backend.

    KERAS_BACKEND=jax python results/evidence/augmentation_cost/step_time.py            # 100 steps per variant
    KERAS_BACKEND=tensorflow python results/evidence/augmentation_cost/step_time.py --steps 10

Random 150x150 pictures, batches of 32, RMSprop, one warm-up epoch of 10 steps (tracing and compiling)
before the timed epoch. Prints milliseconds per step for: no augmentation, and each of 5.2's four
augmentation layers alone. The times include the host-to-device copy of each batch.
"""

import argparse
import time

import keras
import numpy as np
from keras import layers


def conv_stack():
    out = []
    for filters in (32, 64, 128, 128):
        out += [layers.Conv2D(filters, 3, activation="relu"), layers.MaxPooling2D(2)]
    return out


VARIANTS = {
    "none": lambda: [],
    "RandomFlip": lambda: [layers.RandomFlip("horizontal")],
    "RandomRotation": lambda: [layers.RandomRotation(40 / 360, fill_mode="nearest")],
    "RandomTranslation": lambda: [layers.RandomTranslation(0.2, 0.2, fill_mode="nearest")],
    "RandomZoom": lambda: [layers.RandomZoom(0.2, fill_mode="nearest")],
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=100)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (32 * args.steps, 150, 150, 3), dtype=np.uint8)
    y = rng.integers(0, 2, (32 * args.steps, 1)).astype("float32")
    print(f"backend {keras.backend.backend()}, Keras {keras.__version__}, {args.steps} timed steps per variant")
    for name, augmentation in VARIANTS.items():
        model = keras.Sequential([keras.Input((150, 150, 3)), *augmentation(), layers.Rescaling(1 / 255), *conv_stack(),
                                  layers.Flatten(), layers.Dropout(0.5), layers.Dense(512, activation="relu"),
                                  layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer=keras.optimizers.RMSprop(1e-4), loss="binary_crossentropy")
        model.fit(x[:320], y[:320], batch_size=32, epochs=1, verbose=0)  # warm-up: trace and compile
        t0 = time.perf_counter()
        model.fit(x, y, batch_size=32, epochs=1, verbose=0)
        print(f"{name:<18} {(time.perf_counter() - t0) / args.steps * 1000:8.1f} ms per step", flush=True)


if __name__ == "__main__":
    main()
