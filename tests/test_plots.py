import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from utils import plots  # noqa: E402

HIST = {"loss": [1.0, 0.5, 0.3], "val_loss": [1.1, 0.7, 0.6], "accuracy": [0.5, 0.7, 0.8], "val_accuracy": [0.5, 0.6, 0.7]}


def test_smooth_curve():
    assert plots.smooth_curve([1.0, 0.0, 0.0], 0.5) == [1.0, 0.5, 0.25]
    assert plots.smooth_curve([], 0.9) == []
    with pytest.raises(ValueError):
        plots.smooth_curve([1.0], 1.0)


def test_average_curves():
    avg = plots.average_curves([{"val_mae": [1, 2]}, {"val_mae": [3, 4]}], "val_mae")
    np.testing.assert_allclose(avg, [2, 3])
    with pytest.raises(ValueError, match="different lengths"):
        plots.average_curves([{"m": [1]}, {"m": [1, 2]}], "m")
    with pytest.raises(ValueError):
        plots.average_curves([], "m")


def test_plot_history_epochs_start_at_one():
    fig = plots.plot_history(HIST, metric="accuracy", title="t")
    axes = fig.axes
    assert len(axes) == 2
    x = axes[0].lines[0].get_xdata()
    assert list(x) == [1, 2, 3]
    assert len(axes[0].lines) == 2  # training and validation
    assert plots.plot_history(HIST, metric=None).axes.__len__() == 1
    with pytest.raises(KeyError, match="mae"):
        plots.plot_history(HIST, metric="mae")


def test_plot_histories_overlays_runs():
    fig = plots.plot_histories({"a": HIST, "b": {"val_loss": [2, 1]}})
    assert [line.get_label() for line in fig.axes[0].lines] == ["a", "b"]


def test_plot_curve_skip():
    fig = plots.plot_curve(list(range(20)), skip=10)
    assert list(fig.axes[0].lines[0].get_xdata())[0] == 11
    with pytest.raises(ValueError):
        plots.plot_curve([1, 2], skip=2)


def test_history_dict_rejects_junk():
    with pytest.raises(TypeError):
        plots.history_dict(42)


@pytest.mark.parametrize(
    "make",
    [
        lambda: plots.plot_history(HIST, metric="accuracy"),
        lambda: plots.plot_histories({"a": HIST}),
        lambda: plots.plot_curve([3.0, 2.0, 1.5]),
    ],
)
def test_epoch_ticks_are_whole_numbers(make):
    fig = make()
    fig.canvas.draw()
    for ax in fig.axes:
        ticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
        assert ticks, "no visible epoch ticks"
        assert all(float(t).is_integer() for t in ticks), ticks
