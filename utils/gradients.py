"""Gradients by hand on whichever Keras backend is active: one call instead of ``tf.GradientTape``.

Most training never needs this: ``model.fit`` differentiates for you. Some lessons differentiate
something else by hand (gradient ascent on an input picture, a GAN's two optimisers, checking a
from-scratch backward pass against automatic differentiation). Written with ``tf.GradientTape`` they
run on TensorFlow only; written with these two functions they run on TensorFlow, JAX and PyTorch::

    from utils.gradients import value_and_grad, value_and_weight_grads

    loss, (d_image,) = value_and_grad(lambda image: -activation(model, image), image)
    image = image - step * d_image            # gradient ascent on the activation

    loss, grads = value_and_weight_grads(lambda: d_loss(real, fake), discriminator.trainable_weights)
    d_optimizer.apply(grads, discriminator.trainable_weights)   # one step for one of a GAN's two models

``fn`` must compute its result with ``keras.ops`` (or the model) so that every backend can trace it; it
returns a scalar. The gradients come back as backend tensors of the same shapes
(``keras.ops.convert_to_numpy`` turns them into NumPy). NumPy float64 arguments stay float64 on every
backend (JAX computes them with its 64-bit mode switched on for the call only).

Checks at float64 precision (a from-scratch backward pass against Keras) call :func:`allow_float64` once:
JAX otherwise computes float64 arrays in float32. Even then, off TensorFlow Keras's rules for mixing
number types (which follow JAX's 32-bit default) round some float64 operations to float32: the mean
inside ``BinaryCrossentropy``, and on PyTorch some matrix products. Compare with float32 tolerances
(about 1e-6) on JAX and PyTorch, float64 ones on TensorFlow.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

__all__ = ["allow_float64", "value_and_grad", "value_and_weight_grads"]


def _backend(backend: str | None) -> str:
    import keras

    return backend or keras.backend.backend()


def _unknown(backend: str) -> ValueError:
    return ValueError(f"no gradients for backend {backend!r} (use tensorflow, jax or torch)")


def allow_float64(backend: str | None = None) -> str:
    """Let float64 arrays stay float64 on the active (or given) backend, and say what that took.

    On JAX this switches its 64-bit mode on for the rest of the session (it is off by default, and JAX
    then quietly computes float64 arrays in float32). TensorFlow and PyTorch keep float64 already.
    """
    backend = _backend(backend)
    if backend == "jax":
        import jax

        jax.config.update("jax_enable_x64", True)
        return "JAX's 64-bit mode is on: float64 stays float64"
    if backend in ("tensorflow", "torch"):
        return f"nothing to switch on: {backend} has float64 tensors already"
    raise _unknown(backend)


def value_and_grad(fn: Callable, *args, backend: str | None = None):
    """``(fn(*args), (d fn / d args[0], d fn / d args[1], ...))`` on the active (or given) Keras backend."""
    import keras

    backend = _backend(backend)
    if not args:
        raise ValueError("give at least one argument to differentiate with respect to")
    if backend == "tensorflow":
        import tensorflow as tf

        tensors = [tf.convert_to_tensor(a) for a in args]
        with tf.GradientTape() as tape:
            for t in tensors:
                tape.watch(t)
            value = fn(*tensors)
        return value, tuple(tape.gradient(value, tensors))
    if backend == "jax":
        import jax
        import numpy as np

        wide = any(getattr(a, "dtype", None) == np.float64 for a in args)
        with jax.enable_x64(wide):
            value, grads = jax.value_and_grad(fn, argnums=tuple(range(len(args))))(*[jax.numpy.asarray(a) for a in args])
        return value, tuple(grads)
    if backend == "torch":
        import torch

        tensors = [torch.as_tensor(keras.ops.convert_to_numpy(a)).detach().requires_grad_(True) for a in args]
        value = fn(*tensors)
        return value.detach(), tuple(torch.autograd.grad(value, tensors))
    raise _unknown(backend)


def value_and_weight_grads(fn: Callable[[], object], weights: Sequence, *, backend: str | None = None):
    """``(fn(), [d fn / d w for w in weights])`` for Keras variables ``weights`` (e.g. ``model.trainable_weights``).

    ``fn`` takes no argument and reads the weights through the models it calls. Hand the gradients to an
    optimizer with ``optimizer.apply(grads, weights)``. State that ``fn`` updates on the way (a dropout
    layer's random seed, batch-norm statistics) is kept, as it would be after a ``model.fit`` step.
    """
    import keras

    backend = _backend(backend)
    weights = list(weights)
    if backend == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            value = fn()
        return value, tape.gradient(value, [w.value for w in weights])
    if backend == "jax":
        import jax

        class _Recording(keras.StatelessScope):  # remembers which variables fn updated, to write them back
            def __init__(self, mapping):
                super().__init__(state_mapping=mapping)
                self.updated = {}

            def add_update(self, update):
                super().add_update(update)
                self.updated[id(update[0])] = update[0]

        def pure(values):
            with _Recording(list(zip(weights, values, strict=True))) as scope:
                value = fn()
            return value, [(v, scope.get_current_value(v)) for v in scope.updated.values()]

        (value, updates), grads = jax.value_and_grad(pure, has_aux=True)([w.value for w in weights])
        for variable, new in updates:
            variable.assign(new)
        return value, list(grads)
    if backend == "torch":
        import torch

        value = fn()
        grads = torch.autograd.grad(value, [w.value for w in weights], allow_unused=True)
        return value.detach(), [torch.zeros_like(w.value) if g is None else g for g, w in zip(grads, weights, strict=True)]
    raise _unknown(backend)
