import numpy as np
import pytest
from sklearn.model_selection import KFold

from utils import validation


def test_folds_are_sklearn_kfold():
    ours = validation.fold_indices(10, 4, shuffle=True, seed=3)
    ref = list(KFold(4, shuffle=True, random_state=3).split(np.zeros(10)))
    for (a, b), (c, d) in zip(ours, ref, strict=True):
        np.testing.assert_array_equal(a, c)
        np.testing.assert_array_equal(b, d)
    unshuffled = validation.fold_indices(8, 4, shuffle=False)
    assert [v.tolist() for _, v in unshuffled] == [[0, 1], [2, 3], [4, 5], [6, 7]]


@pytest.mark.parametrize("repeats", [1, 3])
def test_every_sample_validated_exactly_once_per_round(repeats):
    n, k = 23, 4
    folds = validation.fold_indices(n, k, seed=0, repeats=repeats)
    assert len(folds) == k * repeats
    for r in range(repeats):
        round_folds = folds[r * k : (r + 1) * k]
        seen = np.concatenate([v for _, v in round_folds])
        assert sorted(seen.tolist()) == list(range(n))
        for tr, va in round_folds:
            assert not set(tr) & set(va)  # no leakage
            assert len(tr) + len(va) == n
    if repeats > 1:
        assert folds[0][1].tolist() != folds[k][1].tolist()  # reshuffled between rounds


def test_stratified_folds_keep_class_proportions():
    y = np.array([0] * 90 + [1] * 10)
    for _, va in validation.fold_indices(y, 5, stratify=True, seed=0):
        assert (y[va] == 1).sum() == 2


@pytest.mark.parametrize(
    ("x", "y", "k", "match"),
    [(np.zeros(5), np.zeros(5), 1, "k must"), (np.zeros(3), np.zeros(3), 4, "larger"),
     (np.zeros(5), np.zeros(4), 2, "different lengths")],
)
def test_bad_input(x, y, k, match):
    with pytest.raises(ValueError, match=match):
        validation.k_fold(lambda: None, x, y, k=k, epochs=1)


def test_iterated_needs_shuffle():
    with pytest.raises(ValueError, match="shuffle"):
        validation.fold_indices(10, 2, shuffle=False, repeats=2)


def test_k_fold_trains_a_fresh_model_per_fold():
    import keras

    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 3)).astype("float32")
    y = (x @ np.array([1.0, -2.0, 0.5])).astype("float32")
    built = []

    def build():
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
        built.append(model)
        return model

    result = validation.k_fold(build, x, y, k=4, epochs=2, batch_size=8, progress=False)
    assert len(built) == 4 and len({id(m) for m in built}) == 4
    assert result.training_runs == 4
    assert set(result.scores[0]) >= {"loss", "mae"}
    assert len(result.histories[0]["val_mae"]) == 2
    assert result.mean("mae") == pytest.approx(np.mean(result.fold_scores("mae")))
    it = validation.iterated_k_fold(build, x, y, k=2, repeats=2, epochs=1, batch_size=8, progress=False)
    assert it.training_runs == 4 and it.repeats == 2


def test_holdout_split():
    x, y = np.arange(100), np.arange(100) % 2
    (xt, yt), (xv, yv) = validation.holdout_split(x, y, validation_size=0.2, seed=0, stratify=True)
    assert len(xv) == 20 and len(xt) == 80 and yv.sum() == 10
    assert not set(xt) & set(xv)
    with pytest.raises(ValueError):
        validation.holdout_split(x, y[:5], validation_size=0.2)


def test_k_fold_keeps_the_runs_float_policy_across_its_cleared_sessions():
    import keras

    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 3)).astype("float32")
    y = x.sum(axis=1).astype("float32")
    compute = []

    def build():
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        compute.append(model.layers[0].compute_dtype)
        return model

    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        validation.k_fold(build, x, y, k=2, epochs=1, batch_size=8, progress=False)
        assert keras.mixed_precision.global_policy().name == "mixed_bfloat16"
    finally:
        keras.mixed_precision.set_global_policy("float32")
    assert compute == ["bfloat16", "bfloat16"]  # each fold's fresh model computes in the run's precision
