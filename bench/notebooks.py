"""Run course notebooks in full mode and record their run time and printed figures.

Each notebook is executed top to bottom with ``KZOO_FAST=0`` (nothing is written back into the
notebook) and ``bench/results/notebooks/NN.json`` gets: wall seconds, the lines it printed (its key
figures), machine, backend, load average before and after, and the date.

    KZOO_ASSETS=../shared/assets python bench/notebooks.py 04 05
    KZOO_ASSETS=../shared/assets KERAS_BACKEND=jax python bench/notebooks.py --all
"""
import argparse
import datetime
import json
import os
import platform
import time
from pathlib import Path

import keras
from nbclient import NotebookClient

from kzoo import course

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"
MAX_LINES = 200


def _printed(nb) -> list[str]:
    lines = [line for cell in nb.cells if cell.cell_type == "code" for out in cell.get("outputs", [])
             if out.output_type == "stream" and out.get("name") == "stdout"
             for line in out.get("text", "").splitlines()]
    return [line for line in lines if line.strip() and "\r" not in line][:MAX_LINES]


def run(path: Path, out_dir: Path, cell_timeout: int) -> dict:
    nb = course.read_notebook(path)
    os.environ["KZOO_FAST"] = "0"
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    NotebookClient(nb, timeout=cell_timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    seconds = time.perf_counter() - start
    record = {
        "notebook": path.name,
        "mode": "full",
        "seconds": round(seconds, 1),
        "printed": _printed(nb),
        "machine": f"{platform.machine()} CPU, {os.cpu_count()} cores",
        "load_average_before_after": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        "backend": os.environ.get("KERAS_BACKEND", keras.backend.backend()),
        "keras": keras.__version__,
        "date": datetime.date.today().isoformat(),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / f"{path.name[:2]}.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return record


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("numbers", nargs="*", help="notebook numbers, e.g. 04 05")
    parser.add_argument("--all", action="store_true", help="every course notebook")
    parser.add_argument("--out", default=str(REPO / "bench" / "results" / "notebooks"))
    parser.add_argument("--cell-timeout", type=int, default=1800)
    args = parser.parse_args()
    paths = sorted(NOTEBOOKS.glob(course.NOTEBOOK_PATTERN))
    if not args.all:
        paths = [p for p in paths if p.name[:2] in set(args.numbers)]
    if not paths:
        parser.error("name notebook numbers (e.g. 04) or pass --all")
    for path in paths:
        record = run(path, Path(args.out), args.cell_timeout)
        print(f"{path.name}: {record['seconds']:.0f} s in full mode")


if __name__ == "__main__":
    main()
