"""TensorFlow with and without oneDNN on this CPU: three of the course's training steps side by side.

    python results/evidence/onednn/benchmark.py [--steps 20]

``utils`` sets ``TF_ENABLE_ONEDNN_OPTS`` before TensorFlow is imported, so every notebook runs one way.
This script measures both ways in one run, each in its own process (TensorFlow reads the variable at
import), on random data of the notebooks' shapes:

- ``convnet``: 5.2's augmented convnet (four augmentation layers, four Conv2D/MaxPooling2D stages,
  Dropout, Dense 512), 150x150x3 pictures in batches of 32, RMSprop;
- ``dense``: 3.5's IMDB network (10,000 multi-hot inputs, Dense 16-16-1), batches of 512;
- ``lstm``: 6.2's IMDB LSTM (Embedding 10,000x32, LSTM 32), 500-word reviews in batches of 128.

Each variant gets a warm-up fit (tracing), then a timed fit of ``--steps`` batches; the result is
milliseconds per step and the ratio off/on measured in the same run. Run it on an idle machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time

MODELS = ("convnet", "dense", "lstm")


def augmented_convnet():
    """5.2's augmented convnet, uncompiled (``notebook_step.py`` times the same network)."""
    import keras
    from keras import layers

    convs = []
    for filters in (32, 64, 128, 128):
        convs += [layers.Conv2D(filters, 3, activation="relu"), layers.MaxPooling2D(2)]
    return keras.Sequential([
        keras.Input((150, 150, 3)),
        layers.RandomRotation(40 / 360, fill_mode="nearest"), layers.RandomTranslation(0.2, 0.2, fill_mode="nearest"),
        layers.RandomZoom(0.2, fill_mode="nearest"), layers.RandomFlip("horizontal"),
        layers.Rescaling(1 / 255), *convs, layers.Flatten(), layers.Dropout(0.5),
        layers.Dense(512, activation="relu"), layers.Dense(1, activation="sigmoid")])


def _model(kind: str):
    import keras
    import numpy as np
    from keras import layers

    rng = np.random.default_rng(0)
    if kind == "convnet":
        model = augmented_convnet()
        batch, x = 32, lambda n: rng.integers(0, 256, (n, 150, 150, 3), dtype=np.uint8).astype("float32")
    elif kind == "dense":
        model = keras.Sequential([keras.Input((10_000,)), layers.Dense(16, activation="relu"),
                                  layers.Dense(16, activation="relu"), layers.Dense(1, activation="sigmoid")])
        batch, x = 512, lambda n: (rng.random((n, 10_000)) < 0.02).astype("float32")
    else:
        model = keras.Sequential([keras.Input((500,)), layers.Embedding(10_000, 32), layers.LSTM(32),
                                  layers.Dense(1, activation="sigmoid")])
        batch, x = 128, lambda n: rng.integers(1, 10_000, (n, 500))
    model.compile(optimizer=keras.optimizers.RMSprop(1e-4), loss="binary_crossentropy")
    return model, batch, x


def _child(steps: int) -> None:
    import numpy as np

    for kind in MODELS:
        model, batch, make_x = _model(kind)
        x = make_x(batch * steps)
        y = np.random.default_rng(1).integers(0, 2, (len(x), 1)).astype("float32")
        model.fit(x[: batch * 3], y[: batch * 3], batch_size=batch, epochs=1, verbose=0)  # warm-up: trace
        t0 = time.perf_counter()
        model.fit(x, y, batch_size=batch, epochs=1, verbose=0)
        ms = (time.perf_counter() - t0) / steps * 1000
        print(json.dumps({"model": kind, "ms_per_step": round(ms, 1)}), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.steps)
        return 0
    flags = ""
    if os.path.exists("/proc/cpuinfo"):
        with open("/proc/cpuinfo") as f:
            words = next((line.split(":", 1)[1].split() for line in f if line.startswith("flags")), [])
        flags = " ".join(sorted(w for w in words if w.startswith(("avx", "amx"))))
    import tensorflow as tf

    print(f"{platform.machine()}, {os.cpu_count()} cores, TensorFlow {tf.__version__}, CPU flags: {flags or '?'}; "
          f"{args.steps} timed steps per model; {time.strftime('%Y-%m-%d %H:%M')} UTC")
    results: dict[tuple[str, str], float] = {}
    for setting in ("0", "1"):
        env = dict(os.environ, KERAS_BACKEND="tensorflow", TF_CPP_MIN_LOG_LEVEL="2", TF_ENABLE_ONEDNN_OPTS=setting)
        done = subprocess.run([sys.executable, __file__, "--child", "--steps", str(args.steps)], env=env,
                              capture_output=True, text=True)
        if done.returncode:
            print(f"TF_ENABLE_ONEDNN_OPTS={setting}: failed\n{done.stderr[-2000:]}")
            return 1
        for line in done.stdout.splitlines():
            if line.startswith("{"):
                row = json.loads(line)
                results[(setting, row["model"])] = row["ms_per_step"]
                print(f"TF_ENABLE_ONEDNN_OPTS={setting}  {row['model']:<8} {row['ms_per_step']:8.1f} ms/step")
    print("\noff / on, same run:", ", ".join(f"{m} {results[('0', m)] / results[('1', m)]:.2f}x" for m in MODELS))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
