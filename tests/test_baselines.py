import numpy as np
import pytest

from utils import baselines


def test_majority_class_and_accuracy():
    assert baselines.majority_class([3, 3, 1, 2, 3]) == 3
    assert baselines.majority_class([2, 1]) == 1  # tie -> smallest label
    assert baselines.majority_class_accuracy([0, 0, 1], [0, 1, 1, 1]) == pytest.approx(0.25)


def test_one_hot_labels_are_accepted():
    y = np.eye(3, dtype="float32")[[2, 2, 0]]
    assert baselines.majority_class(y) == 2
    assert baselines.majority_class_accuracy(y, y) == pytest.approx(2 / 3)


def test_shuffled_label_accuracy_matches_sum_of_squares():
    rng = np.random.default_rng(1)
    y = rng.choice(3, size=20_000, p=[0.6, 0.3, 0.1])
    expected = 0.6**2 + 0.3**2 + 0.1**2
    assert baselines.shuffled_label_accuracy(y, seed=0, repeats=3) == pytest.approx(expected, abs=0.01)


def test_shuffled_label_accuracy_is_seeded():
    y = np.arange(10) % 4
    assert baselines.shuffled_label_accuracy(y, seed=5) == baselines.shuffled_label_accuracy(y, seed=5)
    with pytest.raises(ValueError):
        baselines.shuffled_label_accuracy(y, repeats=0)


def test_mean_predictor_mae():
    assert baselines.mean_predictor_mae([1.0, 3.0], [2.0, 4.0]) == pytest.approx(1.0)
    assert baselines.mean_predictor_mae(np.full(5, 7.0), np.full(3, 7.0)) == 0.0
    with pytest.raises(ValueError):
        baselines.mean_predictor_mae([], [1.0])


def test_bad_labels_raise():
    with pytest.raises(ValueError):
        baselines.majority_class([])
    with pytest.raises(ValueError):
        baselines.majority_class(np.zeros((2, 2, 2)))
