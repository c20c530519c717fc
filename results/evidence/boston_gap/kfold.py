"""The book's Boston K-fold (4 folds, 100 epochs, batch 1, rmsprop, mse/mae), for any Keras.
usage: kfold.py SEED [variant]   variant: default | nojit | reshuffle"""
import os
import sys, time
import numpy as np
seed = int(sys.argv[1]); variant = sys.argv[2] if len(sys.argv) > 2 else "default"
import tensorflow as tf
try:
    import keras
    if not keras.__version__.startswith("3"):
        raise ImportError
except ImportError:
    from tensorflow import keras
keras.utils.set_random_seed(seed)
with np.load(os.path.join(os.environ["DLWP_MIRROR"], "datasets", "boston_housing.npz"), allow_pickle=True) as f:
    x, y = f["x"], f["y"]
idx = np.arange(len(x)); np.random.RandomState(113).shuffle(idx); x, y = x[idx], y[idx]
n = int(len(x) * 0.8); xtr, ytr = x[:n], y[:n]
assert list(ytr[:3]) == [15.2, 42.3, 50.0], ytr[:3]
xtr = (xtr - xtr.mean(0)) / xtr.std(0)
def build():
    m = keras.Sequential([keras.Input(shape=(13,)), keras.layers.Dense(64, activation="relu"),
                          keras.layers.Dense(64, activation="relu"), keras.layers.Dense(1)])
    kw = {"jit_compile": False} if variant == "nojit" else {}
    m.compile(optimizer="rmsprop", loss="mse", metrics=["mae"], **kw)
    return m
k, nv, scores = 4, len(xtr) // 4, []
t = time.time()
for i in range(k):
    vx, vy = xtr[i*nv:(i+1)*nv], ytr[i*nv:(i+1)*nv]
    px = np.concatenate([xtr[:i*nv], xtr[(i+1)*nv:]]); py = np.concatenate([ytr[:i*nv], ytr[(i+1)*nv:]])
    m = build()
    if variant == "reshuffle":  # a fresh permutation every epoch, drawn here, fed unshuffled
        rng = np.random.default_rng(seed * 10 + i)
        for _ in range(100):
            p = rng.permutation(len(px)); m.fit(px[p], py[p], epochs=1, batch_size=1, shuffle=False, verbose=0)
    else:
        m.fit(px, py, epochs=100, batch_size=1, verbose=0)
    scores.append(m.evaluate(vx, vy, verbose=0)[1])
print(f"keras {getattr(keras, '__version__', 'tf.keras')} tf {tf.__version__} variant {variant} seed {seed}: folds {np.round(scores,3).tolist()} mean {np.mean(scores):.4f} ({time.time()-t:.0f} s)", flush=True)
