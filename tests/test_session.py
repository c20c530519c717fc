"""The banner: backend, its version and the device it computes on."""

import os

import keras

from utils import session


def test_device_names_the_cpu_of_the_tensorflow_backend():
    # No GPU on the CI machines; a GPU machine must say "GPU: <name>" instead.
    described = session._device("tensorflow")
    import tensorflow as tf

    if tf.config.list_physical_devices("GPU"):
        assert described.startswith("GPU: ")
    else:
        assert described == f"CPU ({os.cpu_count()} cores)"


def test_banner_names_backend_and_its_version():
    run = session.Run(
        notebook="9.9", profile="quick", seed=7, backend="jax", device="GPU: Example",
        versions={"python": "3.12.0", "tensorflow": "2.21.0", "keras": keras.__version__, "jax": "0.11.2"},
    )
    banner = session.format_banner(run)
    assert f"Keras {keras.__version__} (backend: jax 0.11.2)" in banner
    assert "device   : GPU: Example" in banner
    assert "seed     : 7" in banner


def test_banner_for_tensorflow_has_no_second_version():
    run = session.Run(
        notebook="9.9", profile="full", seed=42, backend="tensorflow", device="CPU (2 cores)",
        versions={"python": "3.11.7", "tensorflow": "2.21.0", "keras": "3.15.1"},
    )
    assert "(backend: tensorflow)" in session.format_banner(run)


def test_backend_version_only_for_other_backends():
    assert session._backend_version("tensorflow") is None


def test_banner_without_tensorflow_installed():
    # A GPU machine running JAX may have no TensorFlow: the banner must not need it.
    run = session.Run(
        notebook="5.2", profile="full", seed=42, backend="jax", device="GPU: NVIDIA H100",
        versions={"python": "3.12.3", "keras": "3.15.1", "jax": "0.8.0"},
    )
    banner = session.format_banner(run)
    assert "TensorFlow" not in banner
    assert "versions : Python 3.12.3 | Keras 3.15.1 (backend: jax 0.8.0)" in banner


def test_start_works_when_tensorflow_cannot_be_found(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "tensorflow" else real(name, *a))
    assert session._tensorflow_version() is None
    run = session.start("9.9", banner=False)
    assert "tensorflow" not in run.versions and run.versions["keras"] == keras.__version__


def test_start_applies_the_asked_precision_and_the_banner_says_so(monkeypatch, capsys):
    monkeypatch.setenv("DLWP_PRECISION", "mixed_bfloat16")
    previous = session.activate(None)
    try:
        run = session.start("9.9", seed=1)
        assert run.precision == "mixed_bfloat16"
        assert keras.mixed_precision.global_policy().name == "mixed_bfloat16"
        assert "precision: mixed_bfloat16 (DLWP_PRECISION)" in capsys.readouterr().out
        monkeypatch.delenv("DLWP_PRECISION")
        keras.mixed_precision.set_global_policy("float32")
        run = session.start("9.9", seed=1)
        assert run.precision == "float32"
        assert "precision" not in capsys.readouterr().out  # float32: the banner stays as it always was
    finally:
        keras.mixed_precision.set_global_policy("float32")
        session.activate(previous)
