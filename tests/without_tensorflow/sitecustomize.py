"""Make ``import tensorflow`` fail in this interpreter, as on a machine without TensorFlow.

The backend matrix (``make test-backends``) puts this folder on ``PYTHONPATH`` for the JAX and
PyTorch runs, so every notebook kernel starts without TensorFlow even though the CI machine has it
installed: a notebook (or ``utils``) that still reaches for ``tf`` fails there instead of passing by
accident. Keras itself probes for TensorFlow lazily and copes with its absence.
"""

import importlib.abc
import sys


class _NoTensorFlow(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if fullname == "tensorflow" or fullname.startswith("tensorflow."):
            raise ModuleNotFoundError(
                "No module named 'tensorflow' (blocked by tests/without_tensorflow: this run checks that "
                "the notebook works on a machine without TensorFlow)", name=fullname)
        return None


sys.meta_path.insert(0, _NoTensorFlow())
