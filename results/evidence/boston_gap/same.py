"""Same initial weights, same sample order (shuffle=False): does training differ between Keras 2.15 and 3?"""
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
m = keras.Sequential([keras.Input(shape=(13,)), keras.layers.Dense(64, activation="relu"),
                      keras.layers.Dense(64, activation="relu"), keras.layers.Dense(1)])
m.compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
mode = sys.argv[1]
if mode == "save":
    np.savez(os.path.join(os.environ.get("TMPDIR", "/tmp"), "boston_w0.npz"), *m.get_weights()); sys.exit()
w0 = np.load(os.path.join(os.environ.get("TMPDIR", "/tmp"), "boston_w0.npz")); m.set_weights([w0[f"arr_{i}"] for i in range(len(w0.files))])
ep = int(sys.argv[2])
h = m.fit(px, py, epochs=ep, batch_size=1, shuffle=False, verbose=0)
print(mode, "loss after each of first 3 epochs", np.round(h.history["loss"][:3], 6), "val mae", m.evaluate(vx, vy, verbose=0)[1],
      "w[0][0,:3]", m.get_weights()[0][0, :3])
