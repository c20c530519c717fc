"""Make TensorFlow look uninstalled in this interpreter, as on a machine without it.

The backend matrix (``make test-backends``) puts this folder on ``PYTHONPATH`` (as an absolute path:
nbval starts each kernel in ``notebooks/``) for the JAX and PyTorch runs, so every notebook kernel
starts without TensorFlow even though the CI machine has it installed: a notebook (or ``utils``) that
still reaches for ``tf`` fails there instead of passing by accident.

Two doors are closed, as an absent package closes them: ``import tensorflow`` raises
``ModuleNotFoundError``, and ``importlib.util.find_spec("tensorflow")`` returns ``None`` (Keras,
PyTorch's ``torch._dynamo`` and ``utils.session`` ask it before importing).
"""

import importlib.abc
import importlib.util
import sys


def _blocked(name: str) -> bool:
    return name == "tensorflow" or name.startswith("tensorflow.")


class _NoTensorFlow(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if _blocked(fullname):
            raise ModuleNotFoundError(
                "No module named 'tensorflow' (blocked by tests/without_tensorflow: this run checks that "
                "the notebook works on a machine without TensorFlow)", name=fullname)
        return None


_real_find_spec = importlib.util.find_spec


def _find_spec(name, package=None):
    if _blocked(name):
        return None
    return _real_find_spec(name, package)


importlib.util.find_spec = _find_spec
sys.meta_path.insert(0, _NoTensorFlow())
