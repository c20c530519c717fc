import random

import numpy as np
import pytest

from utils import seeding


def test_default_and_env_seed(monkeypatch):
    monkeypatch.delenv("DLWP_SEED", raising=False)
    assert seeding.default_seed() == 42
    monkeypatch.setenv("DLWP_SEED", "7")
    assert seeding.default_seed() == 7
    monkeypatch.setenv("DLWP_SEED", "seven")
    with pytest.raises(ValueError, match="DLWP_SEED"):
        seeding.default_seed()


def test_same_seed_same_numbers():
    import keras

    def draw():
        return random.random(), np.random.rand(3).tolist(), keras.random.uniform((3,)).numpy().tolist()

    seeding.seed_everything(123)
    first = draw()
    seeding.seed_everything(123)
    assert draw() == first
    seeding.seed_everything(124)
    assert draw() != first


def test_negative_seed_rejected():
    with pytest.raises(ValueError):
        seeding.seed_everything(-1)
