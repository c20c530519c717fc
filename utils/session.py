"""``start()``: the first cell of every notebook.

Seeds everything, resolves the datasets the notebook needs (so the banner can
say where each came from), prints the banner, and returns the :class:`Run`: the
one object that holds what a run is (profile, seed, backend, where its figures
go, which epoch counts a cap shortened). ``run.check(...)`` records its figures.

The maintainers' runner may call :func:`configure` in a cell it runs before the
notebook (where an evidence run writes its rows, which multi-seed campaign it
belongs to); a student never needs it.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import platform
import sys
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from . import REPO_ROOT, profile

__all__ = ["Run", "activate", "configure", "current_run", "current_run_or_none", "start"]


@dataclass
class Run:
    """What a notebook run is: set by :func:`start`, read by the ledger."""

    notebook: str
    profile: str
    seed: int
    backend: str
    device: str
    versions: dict[str, str]
    data: dict[str, str] = field(default_factory=dict)
    started_at: str = ""
    campaign: str = ""  # shared by the runs of one multi-seed reproduction; "" = this run alone
    precision: str = "float32"  # Keras's float policy (DLWP_PRECISION); rows name it when not float32
    results_dir: Path = REPO_ROOT / "results"
    figures_dir: Path = REPO_ROOT / "notebooks" / "figures"  # the declarations: <notebook>.toml
    caps: list[tuple[int, int]] = field(default_factory=list)  # (epochs asked, epochs run) per capped fit
    rows: list[dict] = field(default_factory=list)  # the ledger rows this run wrote
    started: float = field(default_factory=time.perf_counter)

    @property
    def run_id(self) -> str:
        """This run's identity in the ledger: its start time (one notebook starts once per second)."""
        return self.started_at

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def check(self, substitute: str | None = None, epochs=None, **figures: float | None) -> None:
        """Record ``figures`` (name=value), print them beside the book's, fail if any is outside its band.

        The bands are declared in ``notebooks/figures/<section>.toml`` (see :mod:`utils.ledger`);
        ``epochs`` names the training behind them when ``DLWP_EPOCH_CAP`` may shorten it. Returns nothing,
        so that a notebook's closing cell shows the printed table only (the rows are in the ledger).
        """
        from .ledger import check

        check(self, figures, substitute=substitute, epochs=epochs)


_CURRENT: Run | None = None
_SETTINGS: dict = {}  # set by configure(), read by the next start()


def configure(*, results_dir: str | Path | None = None, campaign: str = "") -> None:
    """Settings for the next :func:`start`, from the maintainers' runner: where the ledger rows go
    (``results_dir``; evidence runs use ``results/evidence``) and the multi-seed ``campaign`` id."""
    _SETTINGS.clear()
    if results_dir is not None:
        _SETTINGS["results_dir"] = Path(results_dir)
    if campaign:
        _SETTINGS["campaign"] = str(campaign)


def current_run_or_none() -> Run | None:
    """The open run, or ``None`` before :func:`start` (``utils.profile.epochs`` notes caps on it)."""
    return _CURRENT


def activate(run: Run | None) -> Run | None:
    """Make ``run`` the open run (what :func:`start` does); return the one it replaces."""
    global _CURRENT
    previous, _CURRENT = _CURRENT, run
    return previous


def current_run() -> Run:
    """The run opened by :func:`start` (raises if the notebook has not called it)."""
    if _CURRENT is None:
        raise RuntimeError("No run is open: call `utils.start(...)` in the notebook's first cell.")
    return _CURRENT


@contextlib.contextmanager
def _quiet_fd2():
    """Send file descriptor 2 to /dev/null for a moment: TensorFlow's C++ start-up messages
    (CUDA probing on CPU machines) bypass Python logging and would land in stored outputs."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def _device(backend: str) -> str:
    """The device the active Keras backend computes on, in words ("CPU (2 cores)", "GPU: ...")."""
    names: list[str] = []
    if backend == "jax":
        import jax

        names = [d.device_kind for d in jax.devices() if d.platform == "gpu"]
    elif backend == "torch":
        import torch

        if torch.cuda.is_available():
            names = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    else:
        import tensorflow as tf

        for gpu in tf.config.list_physical_devices("GPU"):
            try:
                names.append(tf.config.experimental.get_device_details(gpu).get("device_name", gpu.name))
            except Exception:  # details are best effort
                names.append(gpu.name)
    if names:
        return "GPU: " + ", ".join(names)
    return f"CPU ({os.cpu_count()} cores)"


def _backend_version(backend: str) -> str | None:
    """Version of a JAX or PyTorch backend, or ``None`` (TensorFlow's version is always recorded)."""
    if backend in ("jax", "torch"):
        return __import__(backend).__version__
    return None


def _tensorflow_version() -> str | None:
    """TensorFlow's version if it is installed (a GPU machine running JAX may not have it), else None."""
    if importlib.util.find_spec("tensorflow") is None:
        return None
    import tensorflow as tf

    return tf.__version__


def _quiet() -> None:
    """Silence chatter that would otherwise land in every notebook's stored output."""
    if importlib.util.find_spec("tensorflow") is not None:
        import absl.logging
        import tensorflow as tf

        tf.get_logger().setLevel("ERROR")
        absl.logging.set_verbosity(absl.logging.ERROR)
    warnings.filterwarnings("ignore", message=r".*`input_shape`/`input_dim` argument to a layer.*")
    warnings.filterwarnings("ignore", message=r".*Your `PyDataset` class should call.*")
    # tqdm.auto falls back to text bars without ipywidgets and says so, with a machine path.
    warnings.filterwarnings("ignore", message=r"IProgress not found.*")
    # fit(shuffle=True) is the default; Keras 3 warns (with a machine path) that it cannot reshuffle a
    # tf.data pipeline. Our pipelines reshuffle themselves each epoch, so the note is noise.
    warnings.filterwarnings("ignore", message=r".*`shuffle=True` was passed.*")


def start(notebook: str, datasets: Sequence[str] = (), seed: int | None = None, *, banner: bool = True) -> Run:
    """Open a notebook run: seed, resolve ``datasets``, print the banner; return the :class:`Run`.

    >>> run = utils.start("2.1", datasets=["mnist"])   # doctest: +SKIP
    """
    with _quiet_fd2():
        import keras

        tf_version = _tensorflow_version()
        backend = keras.backend.backend()
        device = _device(backend)
    from . import data, seeding

    _quiet()
    precision = profile.precision()
    if precision != "float32":  # float32 is Keras's own default: nothing to set
        keras.mixed_precision.set_global_policy(precision)
    used_seed = seeding.seed_everything(seed)
    for name in datasets:
        if name in data.ROUTE_PROBES:  # the loader chooses official or substitute: say which it will use
            data.store.note_source(name, data.ROUTE_PROBES[name]())
        else:
            data.resolve(name)
    sources = data.sources()
    versions = {"python": platform.python_version(), "keras": keras.__version__}
    if tf_version:
        versions["tensorflow"] = tf_version
    backend_version = _backend_version(backend)
    if backend_version:
        versions[backend] = backend_version
    run = Run(
        notebook=str(notebook),
        profile=profile.current(),
        seed=used_seed,
        backend=backend,
        device=device,
        versions=versions,
        data={name: sources[name] for name in datasets},
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
        precision=precision,
        **_SETTINGS,
    )
    activate(run)
    if banner:
        print(format_banner(run))
    return run


def format_banner(run: Run) -> str:
    hint = "  (DLWP_PROFILE=quick for a short run)" if run.profile == "full" else "  (fewer epochs/samples)"
    cap = profile.epoch_cap(run.profile)
    if cap is not None:
        hint = f"  with epochs capped at {cap} (DLWP_EPOCH_CAP): a shortened run of the book's settings"
    # TensorFlow's version is on the line already (when installed); another backend's goes beside its name.
    backend_version = f" {run.versions[run.backend]}" if run.backend != "tensorflow" and run.backend in run.versions else ""
    tensorflow = f"TensorFlow {run.versions['tensorflow']} | " if "tensorflow" in run.versions else ""
    lines = [
        f"notebook : {run.notebook}",
        f"profile  : {run.profile}{hint}",
        f"versions : Python {run.versions['python']} | {tensorflow}"
        f"Keras {run.versions['keras']} (backend: {run.backend}{backend_version})",
        f"device   : {run.device}",
        f"seed     : {run.seed}",
    ]
    if run.precision != "float32":
        lines.append(f"precision: {run.precision} ({profile.PRECISION_ENV_VAR}); float32 unless set")
    for i, (name, how) in enumerate(run.data.items()):
        lines.append(f"{'data' if i == 0 else '':<9}: {name} <- {how}")
    return "\n".join(lines)
