"""Checks for exercise answers: a short "✓" line when right, a clear :class:`ExerciseError` when wrong.

Exercise cells in the supplements end with one of these calls. A wrong answer raises an error that
says *what* is wrong (a missing answer, a shape, a dtype, the first value that differs and by how much,
the tolerance used) and, where the exercise offers one, a hint::

    from utils.checks import check_array, check_scalar, check_true

    check_array(dw, expected_dw, atol=1e-10, name="dw", hint="divide by the number of examples m")
    check_scalar(cost, 0.6931, atol=1e-4, name="cost")
    check_true(np.all(d1 == d1.round()), "the dropout mask holds only 0s and 1s")

:class:`ExerciseError` subclasses :class:`AssertionError`, so pytest and nbval report it as a failed
check, and ``except AssertionError`` catches it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["ExerciseError", "check_array", "check_in_range", "check_scalar", "check_true"]


class ExerciseError(AssertionError):
    """An exercise answer is wrong; the message says what differs and how to fix it."""


def _fail(message: str, hint: str = "") -> None:
    if hint:
        message = f"{message}\nHint: {hint}"
    raise ExerciseError(message)


def _ok(message: str) -> None:
    print(f"✓ {message}")


def _missing(answer, name: str, hint: str) -> None:
    if answer is None or answer is Ellipsis:
        _fail(f"{name} is {answer!r}: the answer cell has not been filled in yet.", hint)


def _as_numeric(answer, name: str, hint: str) -> np.ndarray:
    _missing(answer, name, hint)
    try:
        arr = np.asarray(answer)
    except Exception as exc:  # ragged lists and the like
        _fail(f"{name} cannot be read as an array: {exc}", hint)
    if not (np.issubdtype(arr.dtype, np.number) or arr.dtype == np.bool_):
        _fail(f"{name} has dtype {arr.dtype}, not a numeric array.", hint)
    return arr


def _fmt(x) -> str:
    x = float(x)
    return f"{x:.6g}" if np.isfinite(x) else str(x)


def check_array(
    answer,
    expected=None,
    *,
    shape: Sequence[int] | None = None,
    dtype=None,
    atol: float = 1e-8,
    rtol: float = 1e-5,
    name: str = "answer",
    hint: str = "",
) -> None:
    """Check an array answer: its shape, its dtype, and its values against ``expected``.

    Values match when ``|answer - expected| <= atol + rtol * |expected|`` entry by entry (NaN never
    matches). ``shape`` defaults to the shape of ``expected``; give ``shape`` alone to check only
    the shape (e.g. of a weight matrix whose values are random). ``dtype`` is compared exactly
    (``np.float64`` is not ``np.float32``).

    >>> check_array([[1.0, 2.0]], np.array([[1.0, 2.0]]), name="w")
    ✓ w: shape (1, 2), values match (atol 1e-08, rtol 1e-05)
    """
    if atol < 0 or rtol < 0:
        raise ValueError(f"tolerances must be >= 0, got atol={atol}, rtol={rtol}")
    arr = _as_numeric(answer, name, hint)
    exp = None if expected is None else np.asarray(expected)
    want_shape = tuple(shape) if shape is not None else (exp.shape if exp is not None else None)
    if exp is not None and shape is not None and tuple(shape) != exp.shape:
        raise ValueError(f"shape={tuple(shape)} contradicts expected.shape={exp.shape}")
    if want_shape is not None and arr.shape != want_shape:
        extra = ""
        if arr.size == int(np.prod(want_shape)):
            extra = " (same number of entries: a missing reshape or transpose, or a (n,) vs (n, 1) mix-up?)"
        _fail(f"{name} has shape {arr.shape}, expected {want_shape}{extra}.", hint)
    if dtype is not None and arr.dtype != np.dtype(dtype):
        _fail(f"{name} has dtype {arr.dtype}, expected {np.dtype(dtype)}.", hint)
    if exp is None:
        what = f"shape {arr.shape}" + (f", dtype {arr.dtype}" if dtype is not None else "")
        _ok(f"{name}: {what}")
        return
    arr_f = arr.astype(np.float64)
    exp_f = exp.astype(np.float64)
    bad = ~np.isclose(arr_f, exp_f, atol=atol, rtol=rtol, equal_nan=False)
    if bad.any():
        idx = np.unravel_index(int(np.argmax(bad)), bad.shape) if bad.ndim else ()
        got, want = arr_f[idx], exp_f[idx]
        where = f" at index {tuple(int(i) for i in idx)}" if idx else ""
        _fail(
            f"{name} differs from the expected values in {int(bad.sum())} of {bad.size} entries; "
            f"first{where}: got {_fmt(got)}, expected {_fmt(want)} "
            f"(|difference| {_fmt(abs(got - want))} > tolerance {_fmt(atol + rtol * abs(want))}: "
            f"atol {atol:g} + rtol {rtol:g} × |expected|).",
            hint,
        )
    _ok(f"{name}: shape {arr.shape}, values match (atol {atol:g}, rtol {rtol:g})")


def check_scalar(
    answer,
    expected: float,
    *,
    atol: float = 1e-8,
    rtol: float = 1e-5,
    name: str = "answer",
    hint: str = "",
) -> None:
    """Check a single number against ``expected`` (same tolerance rule as :func:`check_array`).

    A one-entry array is accepted (``np.squeeze`` of a ``(1, 1)`` cost is a common form).

    >>> check_scalar(0.69314, np.log(2), atol=1e-4, name="cost")
    ✓ cost = 0.69314 (expected 0.693147, atol 0.0001, rtol 1e-05)
    """
    if atol < 0 or rtol < 0:
        raise ValueError(f"tolerances must be >= 0, got atol={atol}, rtol={rtol}")
    arr = _as_numeric(answer, name, hint)
    if arr.size != 1:
        _fail(f"{name} should be a single number, got an array of shape {arr.shape}.", hint)
    got, want = float(arr.reshape(())), float(expected)
    if not np.isclose(got, want, atol=atol, rtol=rtol):
        _fail(
            f"{name} = {_fmt(got)}, expected {_fmt(want)} (|difference| {_fmt(abs(got - want))} > "
            f"tolerance {_fmt(atol + rtol * abs(want))}: atol {atol:g} + rtol {rtol:g} × |expected|).",
            hint,
        )
    _ok(f"{name} = {_fmt(got)} (expected {_fmt(want)}, atol {atol:g}, rtol {rtol:g})")


def check_in_range(answer, low: float, high: float, *, name: str = "answer", hint: str = "") -> None:
    """Check that a number lies in ``[low, high]`` (for results of training, which vary a little).

    >>> check_in_range(0.93, 0.9, 1.0, name="accuracy")
    ✓ accuracy = 0.93 lies in [0.9, 1]
    """
    if not low <= high:
        raise ValueError(f"empty range [{low}, {high}]")
    arr = _as_numeric(answer, name, hint)
    if arr.size != 1:
        _fail(f"{name} should be a single number, got an array of shape {arr.shape}.", hint)
    got = float(arr.reshape(()))
    if not low <= got <= high:
        side = "below" if got < low else "above" if got > high else "outside"
        _fail(f"{name} = {_fmt(got)} is {side} the expected range [{_fmt(low)}, {_fmt(high)}].", hint)
    _ok(f"{name} = {_fmt(got)} lies in [{_fmt(low)}, {_fmt(high)}]")


def check_true(condition, message: str, *, hint: str = "") -> None:
    """Check a yes/no property of an answer; ``message`` states the property (printed either way).

    >>> check_true(3 > 2, "three exceeds two")
    ✓ three exceeds two
    """
    if not isinstance(message, str) or not message:
        raise ValueError("check_true needs a message that states the property being checked")
    _missing(condition, "the condition", hint)
    try:
        ok = bool(condition)
    except ValueError:  # numpy arrays of several entries
        _fail(f"Not checked: {message} — the condition is an array; use np.all(...) or np.any(...).", hint)
    if not ok:
        _fail(f"Not true: {message}.", hint)
    _ok(message)
