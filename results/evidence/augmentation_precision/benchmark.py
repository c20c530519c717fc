"""5.2's training step: Keras's four augmentation layers against one composed affine warp, and float32
against mixed_bfloat16, side by side on each backend in one run (#27).

    python results/evidence/augmentation_precision/benchmark.py                       # TensorFlow and JAX
    python results/evidence/augmentation_precision/benchmark.py --backends jax --steps 20

Each backend runs in its own process (KERAS_BACKEND is read at import). Per variant: 5.2's augmented
convnet on random 150x150 pictures in batches of 32, RMSprop, a warm-up epoch (tracing, compiling), then
a timed epoch; the result is milliseconds per training step, and the ratios printed at the end compare
variants measured in the same process, minutes apart, on the same machine.

Variants:
- ``none``: no augmentation (the network alone);
- ``keras_layers``: 5.2's RandomRotation(40 deg), RandomTranslation(0.2, 0.2), RandomZoom(0.2), RandomFlip;
- ``one_warp``: the same transformations (plus the book's 0.2-degree shear) composed into one affine
  matrix per picture and applied once with ``keras.ops.image.affine_transform``, as the book's single
  ``ImageDataGenerator`` transform did;
- ``keras_layers_bf16`` and ``none_bf16``: as above under ``mixed_bfloat16`` (the last layer kept in float32).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import time

VARIANTS = ("none", "keras_layers", "one_warp", "none_bf16", "keras_layers_bf16")


def _measure(variant: str, steps: int) -> float:
    import keras
    import numpy as np
    from keras import layers, ops

    class OneAffineWarp(layers.Layer):
        """Rotation, shift, shear, zoom and horizontal flip as one affine warp per picture (training only)."""

        def __init__(self, rotation_deg=40.0, shift=0.2, shear_deg=0.2, zoom=0.2, seed=None, **kwargs):
            super().__init__(**kwargs)
            self.rotation, self.shift = math.radians(rotation_deg), shift
            self.shear, self.zoom = math.radians(shear_deg), zoom
            self.seed_generator = keras.random.SeedGenerator(seed)

        def call(self, images, training=None):
            if not training:
                return images
            images = ops.cast(images, "float32")
            n, height, width = ops.shape(images)[0], images.shape[1], images.shape[2]

            def uniform(low, high):
                return keras.random.uniform((n,), low, high, seed=self.seed_generator)

            theta, shear = uniform(-self.rotation, self.rotation), uniform(-self.shear, self.shear)
            zx, zy = uniform(1 - self.zoom, 1 + self.zoom), uniform(1 - self.zoom, 1 + self.zoom)
            flip = ops.where(uniform(0.0, 1.0) < 0.5, -1.0, 1.0)
            tx, ty = uniform(-self.shift, self.shift) * width, uniform(-self.shift, self.shift) * height
            # output pixel -> input pixel: rotation @ shear @ zoom (with the flip) about the centre, then the shift
            m00, m01 = ops.cos(theta) * zx * flip, -ops.sin(theta + shear) * zy
            m10, m11 = ops.sin(theta) * zx * flip, ops.cos(theta + shear) * zy
            cx, cy = (width - 1) / 2, (height - 1) / 2
            zeros = ops.zeros_like(theta)
            transform = ops.stack([m00, m01, cx - m00 * cx - m01 * cy + tx,
                                   m10, m11, cy - m10 * cx - m11 * cy + ty, zeros, zeros], axis=1)
            return ops.image.affine_transform(images, transform, interpolation="bilinear", fill_mode="nearest")

    keras.mixed_precision.set_global_policy("mixed_bfloat16" if variant.endswith("_bf16") else "float32")
    kind = variant.removesuffix("_bf16")
    augmentation = {
        "none": [],
        "keras_layers": [layers.RandomRotation(40 / 360, fill_mode="nearest"),
                         layers.RandomTranslation(0.2, 0.2, fill_mode="nearest"),
                         layers.RandomZoom(0.2, fill_mode="nearest"), layers.RandomFlip("horizontal")],
        "one_warp": [OneAffineWarp(seed=0)],
    }[kind]
    convs = []
    for filters in (32, 64, 128, 128):
        convs += [layers.Conv2D(filters, 3, activation="relu"), layers.MaxPooling2D(2)]
    model = keras.Sequential([keras.Input((150, 150, 3)), *augmentation, layers.Rescaling(1 / 255), *convs,
                              layers.Flatten(), layers.Dropout(0.5), layers.Dense(512, activation="relu"),
                              layers.Dense(1, activation="sigmoid", dtype="float32")])
    model.compile(optimizer=keras.optimizers.RMSprop(1e-4), loss="binary_crossentropy")
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (32 * steps, 150, 150, 3), dtype=np.uint8).astype("float32")
    y = rng.integers(0, 2, (32 * steps, 1)).astype("float32")
    model.fit(x[:320], y[:320], batch_size=32, epochs=1, verbose=0)  # warm-up: trace and compile
    t0 = time.perf_counter()
    model.fit(x, y, batch_size=32, epochs=1, verbose=0)
    return (time.perf_counter() - t0) / steps * 1000


def _child(steps: int) -> None:
    import keras

    for variant in VARIANTS:
        ms = _measure(variant, steps)
        print(json.dumps({"backend": keras.backend.backend(), "keras": keras.__version__, "variant": variant,
                          "ms_per_step": round(ms, 1)}), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", nargs="+", default=["tensorflow", "jax"])
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.steps)
        return 0
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"{args.steps} timed steps of 32 pictures per variant; {time.strftime('%Y-%m-%d %H:%M')} UTC")
    results: dict[tuple[str, str], float] = {}
    for backend in args.backends:
        env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="2")
        done = subprocess.run([sys.executable, __file__, "--child", "--steps", str(args.steps)], env=env,
                              capture_output=True, text=True)
        if done.returncode:
            print(f"{backend}: failed\n{done.stderr[-2000:]}")
            continue
        for line in done.stdout.splitlines():
            if line.startswith("{"):
                row = json.loads(line)
                results[(backend, row["variant"])] = row["ms_per_step"]
                print(f"{backend:<11} Keras {row['keras']:<7} {row['variant']:<18} {row['ms_per_step']:8.1f} ms/step")
    print("\nratios (same backend, same run):")
    for backend in args.backends:
        r = {v: results.get((backend, v)) for v in VARIANTS}
        if None in r.values():
            continue
        print(f"  {backend}: augmentation cost (layers - none) {r['keras_layers'] - r['none']:.1f} ms vs one warp "
              f"{r['one_warp'] - r['none']:.1f} ms; step with layers / with one warp {r['keras_layers'] / r['one_warp']:.2f}x; "
              f"float32 / bf16: {r['keras_layers'] / r['keras_layers_bf16']:.2f}x with layers, "
              f"{r['none'] / r['none_bf16']:.2f}x without")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
