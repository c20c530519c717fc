"""Gradients by hand on whichever Keras backend is active: one call instead of ``tf.GradientTape``.

Most training never needs this: ``model.fit`` differentiates for you. Some lessons differentiate
something else by hand (gradient ascent on an input picture, a GAN's two optimisers, checking a
from-scratch backward pass against automatic differentiation). Written with ``tf.GradientTape`` they
run on TensorFlow only; written with :func:`value_and_grad` they run on TensorFlow, JAX and PyTorch::

    from utils.gradients import value_and_grad

    loss, (d_image,) = value_and_grad(lambda image: -activation(model, image), image)
    image = image - step * d_image            # gradient ascent on the activation

``fn`` must compute its result with ``keras.ops`` (or the model) so that every backend can trace it; it
returns a scalar. The arguments are arrays or backend tensors; the gradients come back as backend
tensors of the same shapes (``keras.ops.convert_to_numpy`` turns them into NumPy).
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["value_and_grad"]


def value_and_grad(fn: Callable, *args, backend: str | None = None):
    """``(fn(*args), (d fn / d args[0], d fn / d args[1], ...))`` on the active (or given) Keras backend."""
    import keras

    backend = backend or keras.backend.backend()
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

        value, grads = jax.value_and_grad(fn, argnums=tuple(range(len(args))))(*[jax.numpy.asarray(a) for a in args])
        return value, tuple(grads)
    if backend == "torch":
        import torch

        tensors = [torch.as_tensor(keras.ops.convert_to_numpy(a)).detach().requires_grad_(True) for a in args]
        value = fn(*tensors)
        return value.detach(), tuple(torch.autograd.grad(value, tensors))
    raise ValueError(f"no gradients for backend {backend!r} (use tensorflow, jax or torch)")
