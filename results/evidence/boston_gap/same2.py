"""Same initial weights (w0.npz), shuffle=True, 100 epochs, fold 1: val MAE over several shuffles."""
import os
import sys, numpy as np
import tensorflow as tf
try:
    import keras
    assert keras.__version__.startswith("3")
except Exception:
    from tensorflow import keras
with np.load(os.path.join(os.environ["DLWP_MIRROR"], "datasets", "boston_housing.npz"), allow_pickle=True) as f:
    x, y = f["x"], f["y"]
idx = np.arange(len(x)); np.random.RandomState(113).shuffle(idx); x, y = x[idx], y[idx]
n = int(len(x) * 0.8); xtr, ytr = x[:n], y[:n]
xtr = (xtr - xtr.mean(0)) / xtr.std(0)
vx, vy, px, py = xtr[:101], ytr[:101], xtr[101:], ytr[101:]
w0 = np.load(os.path.join(os.environ.get("TMPDIR", "/tmp"), "boston_w0.npz")); w0 = [w0[f"arr_{i}"] for i in range(len(w0.files))]
out = []
for s in range(int(sys.argv[2])):
    keras.utils.set_random_seed(100 + s)
    m = keras.Sequential([keras.Input(shape=(13,)), keras.layers.Dense(64, activation="relu"),
                          keras.layers.Dense(64, activation="relu"), keras.layers.Dense(1)])
    m.compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
    m.set_weights(w0)
    mode = sys.argv[1]
    if mode == "ownshuffle":
        rng = np.random.default_rng(s)
        for e in range(100):
            p = rng.permutation(len(px)); m.fit(px[p], py[p], epochs=1, batch_size=1, shuffle=False, verbose=0)
    else:
        m.fit(px, py, epochs=100, batch_size=1, verbose=0)
    out.append(m.evaluate(vx, vy, verbose=0)[1])
print(sys.argv[1], np.round(out, 3), "mean", round(float(np.mean(out)), 3), flush=True)
