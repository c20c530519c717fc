"""What one training iteration of a long notebook costs in float32 and under mixed_bfloat16 (#27).

For each precision, in its own fresh kernel (``DLWP_PRECISION`` set for it, full profile), this runs the
notebook's own cells up to its training loop, runs the loop once with ``DLWP_EPOCH_CAP=<warm>`` (tracing
and compiling happen there), then again with ``DLWP_EPOCH_CAP=<timed>``, and prints the second run's wall
time per iteration and the lines Keras or tqdm printed in it. The cells after the loop (the band checks)
do not run, so no figure is recorded. The notebook's code is the notebook's, not a copy. Run from the
checkout, on an idle machine::

    python results/evidence/bf16/loop_cost.py notebooks/08.5-*.ipynb "for step in tqdm" 2 12
    python results/evidence/bf16/loop_cost.py notebooks/08.1-*.ipynb "for epoch in range" 1 2

Precisions to measure may follow (default: both). A notebook that fails in one prints where and why.
"""

from __future__ import annotations

import os
import platform
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))  # the checkout, for toolkit
from toolkit.runner import kernel_env  # noqa: E402

PRECISIONS = ("float32", "mixed_bfloat16")


def cpu() -> str:
    text = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = re.search(r"model name\s*:\s*(.+)", text)
    flags = set((re.search(r"flags\s*:\s*(.+)", text) or re.search("", "")).group(0).split())
    units = [u for u in ("avx512f", "avx512_bf16", "amx_bf16") if u in flags]
    return f"{model.group(1) if model else platform.processor()}, {os.cpu_count()} cores, {' '.join(units) or 'no AVX-512'}"


def text_of(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")


def measure(path: Path, marker: str, warm: int, timed: int, precision: str) -> None:
    nb = nbformat.read(path, as_version=4)
    loop = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code" and marker in c.source)
    env = {"DLWP_PRECISION": precision, "DLWP_PROFILE": "full", "DLWP_EPOCH_CAP": str(warm), "MPLBACKEND": "Agg"}
    try:
        with kernel_env(**env):
            client = NotebookClient(nb, timeout=-1, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
            with client.setup_kernel():
                for i in range(loop + 1):
                    client.execute_cell(nb.cells[i], i)
                client.execute_cell(nbformat.v4.new_code_cell(f"import os; os.environ['DLWP_EPOCH_CAP'] = '{timed}'"), 0)
                t0 = time.perf_counter()
                client.execute_cell(nb.cells[loop], loop)
                seconds = time.perf_counter() - t0
    except CellExecutionError as exc:  # the notebook cannot run in this precision: say where and why
        plain = re.sub(r"\x1b\[[0-9;]*m", "", str(exc))  # the traceback comes coloured
        where = [ln.strip() for ln in plain.splitlines() if ln.startswith("Cell In")]
        where = where[-1] + " (" + " <- ".join(reversed(where[:-1])) + ")" if len(where) > 1 else "".join(where)
        print(f"\n## {path.name}, {precision}: FAILED in {where or 'a cell'}: {exc.ename}: {exc.evalue}")
        return
    lines = [ln.split("\r")[-1].strip() for ln in text_of(nb.cells[loop]).splitlines()]
    shown = [ln for ln in lines if re.search(r"ms/step|s/it|it/s|capped", ln)]
    print(f"\n## {path.name}, {precision}: {timed} iterations after {warm} to warm up")
    print(f"loop cell: {seconds:.1f} s, {seconds / timed:.2f} s per iteration")
    for ln in shown:
        print(f"    {ln}")
    sys.stdout.flush()


def main() -> None:
    path, marker, warm, timed = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    precisions = sys.argv[5:] or PRECISIONS
    print(f"# {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC, {cpu()}, "
          f"TF_ENABLE_ONEDNN_OPTS={os.environ.get('TF_ENABLE_ONEDNN_OPTS', 'unset')}, load {os.getloadavg()[0]:.2f}")
    for precision in precisions:
        measure(path, marker, warm, timed, precision)


if __name__ == "__main__":
    main()
