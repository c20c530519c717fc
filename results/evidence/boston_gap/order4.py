import os
import numpy as np, tensorflow as tf
try:
    import keras
    assert keras.__version__.startswith("3")
except Exception:
    from tensorflow import keras
N, E = 303, 40
keras.utils.set_random_seed(42)
class M(keras.Model):
    def __init__(self, *a, **k):
        super().__init__(*a, **k)
        self.rec = tf.Variable(tf.zeros([N * E]), trainable=False)
        self.step = tf.Variable(0, trainable=False)
    def train_step(self, data):
        x, y = data
        self.rec.assign(tf.tensor_scatter_nd_update(self.rec, [[self.step]], [tf.cast(tf.reshape(y, [-1])[0], tf.float32)]))
        self.step.assign_add(1)
        return super().train_step(data)
inp = keras.Input((1,)); out = keras.layers.Dense(1)(inp)
m = M(inp, out); m.compile(optimizer="rmsprop", loss="mse")
x = np.arange(N, dtype="float32")[:, None]; y = np.arange(N, dtype="float32")
m.fit(x, y, batch_size=1, epochs=E, verbose=0)
r = m.rec.numpy().astype(int).reshape(E, N)
print("distinct permutations:", len({tuple(p) for p in r}), "of", E, "; all permutations:", all(sorted(p) == list(range(N)) for p in r))
# position of each sample in epoch e vs e+1: correlation
corr = [np.corrcoef(np.argsort(r[e]), np.argsort(r[e + 1]))[0, 1] for e in range(E - 1)]
print("mean |corr| of positions between consecutive epochs:", round(float(np.mean(np.abs(corr))), 3))
print("first 10 of epochs 0..3:", r[:4, :10].tolist())
