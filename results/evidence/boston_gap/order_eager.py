"""How many distinct sample orders fit(shuffle=True) uses over 10 epochs after set_random_seed (any backend)."""
import numpy as np, keras
N, E = 303, 10
keras.utils.set_random_seed(42)
seen = []
# record the order eagerly (works on every backend): each step's target is its sample's index
class M2(keras.Model):
    def train_step(self, *a, **k):
        data = a[-1] if a else k["data"]
        x, y = data
        seen.append(int(np.asarray(y).reshape(-1)[0]))
        return super().train_step(*a, **k)
inp = keras.Input((1,)); out = keras.layers.Dense(1)(inp)
m = M2(inp, out); m.compile(optimizer="rmsprop", loss="mse", run_eagerly=True)
x = np.arange(N, dtype="float32")[:, None]; y = np.arange(N, dtype="float32")
m.fit(x, y, batch_size=1, epochs=E, verbose=0)
r = np.array(seen).reshape(E, N)
print(keras.backend.backend(), "distinct permutations:", len({tuple(p) for p in r}), "of", E)
