"""utils.checks: each check passes on a right answer and fails, with a helpful message, on wrong ones."""

import numpy as np
import pytest

from utils.checks import ExerciseError, check_array, check_in_range, check_scalar, check_true


def test_exercise_error_is_an_assertion_error():
    assert issubclass(ExerciseError, AssertionError)


# check_array ---------------------------------------------------------------------------------------


def test_check_array_passes_and_prints_a_tick(capsys):
    check_array(np.array([[1.0, 2.0], [3.0, 4.0]]), [[1.0, 2.0], [3.0, 4.0 + 1e-12]], name="w")
    out = capsys.readouterr().out
    assert out.startswith("✓ w: shape (2, 2)") and "values match" in out


def test_check_array_accepts_lists_and_shape_only(capsys):
    check_array([[0.1, 0.2, 0.3]], shape=(1, 3), name="b")
    assert "✓ b: shape (1, 3)" in capsys.readouterr().out


def test_check_array_shape_mismatch_names_both_shapes():
    with pytest.raises(ExerciseError) as err:
        check_array(np.zeros((3,)), np.zeros((3, 1)), name="z", hint="keep the column axis")
    msg = str(err.value)
    assert "z has shape (3,), expected (3, 1)" in msg
    assert "(n,) vs (n, 1)" in msg  # same number of entries: suggests the usual mix-up
    assert "Hint: keep the column axis" in msg


def test_check_array_shape_mismatch_with_different_size_has_no_reshape_suggestion():
    with pytest.raises(ExerciseError) as err:
        check_array(np.zeros((2, 3)), shape=(4, 3))
    assert "expected (4, 3)" in str(err.value) and "reshape" not in str(err.value)


def test_check_array_dtype_mismatch():
    with pytest.raises(ExerciseError, match="dtype float32, expected float64"):
        check_array(np.zeros(2, np.float32), np.zeros(2), dtype=np.float64)
    check_array(np.zeros(2), np.zeros(2), dtype="float64")


def test_check_array_reports_first_differing_value_and_tolerance():
    expected = np.array([[1.0, 2.0], [3.0, 4.0]])
    answer = expected.copy()
    answer[1, 0] = 3.5
    answer[1, 1] = 9.0
    with pytest.raises(ExerciseError) as err:
        check_array(answer, expected, atol=1e-6, rtol=0.0, name="dW1", hint="divide by m")
    msg = str(err.value)
    assert "2 of 4 entries" in msg
    assert "first at index (1, 0): got 3.5, expected 3" in msg
    assert "|difference| 0.5 > tolerance 1e-06" in msg
    assert msg.endswith("Hint: divide by m")


def test_check_array_tolerance_is_relative_and_absolute():
    check_array([100.0], [100.0005], atol=0.0, rtol=1e-5)  # 5e-4 <= 1e-5 * 100.0005
    with pytest.raises(ExerciseError):
        check_array([100.0], [100.01], atol=0.0, rtol=1e-5)


def test_check_array_nan_never_matches():
    with pytest.raises(ExerciseError, match="got nan"):
        check_array([np.nan], [np.nan])


def test_check_array_unfilled_and_non_numeric_answers():
    with pytest.raises(ExerciseError, match="has not been filled in"):
        check_array(None, np.zeros(2), name="A1")
    with pytest.raises(ExerciseError, match="has not been filled in"):
        check_array(..., np.zeros(2))
    with pytest.raises(ExerciseError, match="not a numeric array"):
        check_array(["a", "b"], np.zeros(2))


def test_check_array_bad_arguments_are_programming_errors():
    with pytest.raises(ValueError, match="tolerances"):
        check_array([1.0], [1.0], atol=-1)
    with pytest.raises(ValueError, match="contradicts"):
        check_array([1.0], [1.0], shape=(2,))


# check_scalar --------------------------------------------------------------------------------------


def test_check_scalar_passes_on_float_and_one_entry_array(capsys):
    check_scalar(0.6931, np.log(2), atol=1e-4, name="cost")
    check_scalar(np.array([[0.6931]]), np.log(2), atol=1e-4, name="cost")
    out = capsys.readouterr().out
    assert out.count("✓ cost = 0.6931") == 2


def test_check_scalar_fails_with_values_and_tolerance():
    with pytest.raises(ExerciseError) as err:
        check_scalar(0.7, np.log(2), atol=1e-4, rtol=0, name="cost", hint="average over examples")
    msg = str(err.value)
    assert "cost = 0.7, expected 0.693147" in msg and "tolerance 0.0001" in msg
    assert "Hint: average over examples" in msg


def test_check_scalar_rejects_arrays_and_missing_answers():
    with pytest.raises(ExerciseError, match=r"single number, got an array of shape \(2,\)"):
        check_scalar(np.array([1.0, 2.0]), 1.0)
    with pytest.raises(ExerciseError, match="not been filled in"):
        check_scalar(None, 1.0)


# check_in_range ------------------------------------------------------------------------------------


def test_check_in_range(capsys):
    check_in_range(0.93, 0.9, 1.0, name="accuracy")
    assert "✓ accuracy = 0.93 lies in [0.9, 1]" in capsys.readouterr().out
    with pytest.raises(ExerciseError, match=r"accuracy = 0.5 is below the expected range \[0.9, 1\]"):
        check_in_range(0.5, 0.9, 1.0, name="accuracy")
    with pytest.raises(ExerciseError, match="above"):
        check_in_range(2.0, 0.0, 1.0)
    with pytest.raises(ExerciseError, match="outside"):
        check_in_range(np.nan, 0.0, 1.0)
    with pytest.raises(ValueError, match="empty range"):
        check_in_range(0.5, 1.0, 0.0)


# check_true ----------------------------------------------------------------------------------------


def test_check_true_passes_and_fails_with_message(capsys):
    check_true(np.all(np.array([1, 1]) > 0), "all entries are positive")
    assert "✓ all entries are positive" in capsys.readouterr().out
    with pytest.raises(ExerciseError) as err:
        check_true(False, "the hidden units differ", hint="zero initialisation keeps them equal")
    assert str(err.value) == "Not true: the hidden units differ.\nHint: zero initialisation keeps them equal"


def test_check_true_rejects_ambiguous_arrays_and_missing_messages():
    with pytest.raises(ExerciseError, match=r"np.all\(...\)"):
        check_true(np.array([True, False]), "mask is binary")
    with pytest.raises(ExerciseError, match="not been filled in"):
        check_true(None, "something")
    with pytest.raises(ValueError, match="message"):
        check_true(True, "")
