"""Run course notebooks in full mode, record their run time and printed figures, keep the executed copy.

Each notebook is executed top to bottom with ``KZOO_FAST=0`` (nothing is written back into the
source notebook) and ``bench/results/notebooks/NN.json`` gets: wall seconds, the lines it printed (its
key figures), machine, backend, load average before and after, and the date. The executed notebook,
outputs and figures (PNG at 72 dpi) included, is kept as ``docs/course/NN_name.ipynb``, the page the
docs site renders (``kzoo.course.executed``: it records the hash of the code it ran).

    KZOO_ASSETS=../shared/assets python bench/notebooks.py 04 05
    KZOO_ASSETS=../shared/assets KERAS_BACKEND=jax python bench/notebooks.py --all
    python bench/notebooks.py --sync-markdown 04   # prose edited, code unchanged: no re-run needed
"""
import argparse
import datetime
import json
import os
import platform
import tempfile
import time
from pathlib import Path

import keras
import nbformat
from nbclient import NotebookClient

from kzoo import course
from kzoo.course import executed
from kzoo.errors import InputError

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"
COPIES = REPO / "docs" / "course"
MAX_LINES = 200
FIGURE_DPI = 72  # keeps an executed copy's PNGs small (the site's pages, the repository's size)


def _printed(nb) -> list[str]:
    lines = [line for cell in nb.cells if cell.cell_type == "code" for out in cell.get("outputs", [])
             if out.output_type == "stream" and out.get("name") == "stdout"
             for line in out.get("text", "").splitlines()]
    return [line for line in lines if line.strip() and "\r" not in line][:MAX_LINES]


def _write_notebook(nb, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")


def _execute(nb, folder: Path, cell_timeout: int) -> None:
    """Run ``nb`` in place, in ``folder``, in a kernel that draws figures inline at FIGURE_DPI."""
    with tempfile.TemporaryDirectory() as rc_dir:
        Path(rc_dir, "matplotlibrc").write_text(f"figure.dpi: {FIGURE_DPI}\n", encoding="utf-8")
        saved = {k: os.environ.get(k) for k in ("MPLBACKEND", "MATPLOTLIBRC")}
        # A headless MPLBACKEND=Agg from the shell would keep the figures out of the outputs.
        os.environ.update(MPLBACKEND="module://matplotlib_inline.backend_inline", MATPLOTLIBRC=rc_dir)
        try:
            NotebookClient(nb, timeout=cell_timeout, kernel_name="python3",
                           resources={"metadata": {"path": str(folder)}}).execute()
        finally:
            for key, value in saved.items():
                if value is None:
                    del os.environ[key]
                else:
                    os.environ[key] = value


def run(path: Path, out_dir: Path, copy_dir: Path, cell_timeout: int) -> dict:
    source = course.read_notebook(path)
    nb = course.read_notebook(path)
    os.environ["KZOO_FAST"] = "0"
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    _execute(nb, path.parent, cell_timeout)
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
    _write_notebook(executed.executed_copy(source, nb, backend=record["backend"], seconds=seconds,
                                           date=record["date"]), copy_dir / path.name)
    return record


def sync_markdown(path: Path, copy_dir: Path) -> None:
    """Bring the source's markdown and install cells into its executed copy (refused if the code changed)."""
    copy_path = copy_dir / path.name
    if not copy_path.is_file():
        raise SystemExit(f"{copy_path} is missing: run bench/notebooks.py {path.name[:2]} first")
    try:
        synced = executed.sync_markdown(course.read_notebook(path), course.read_notebook(copy_path))
    except InputError as err:
        raise SystemExit(f"{copy_path}: {err}") from err
    _write_notebook(synced, copy_path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("numbers", nargs="*", help="notebook numbers, e.g. 04 05")
    parser.add_argument("--all", action="store_true", help="every course notebook")
    parser.add_argument("--sync-markdown", action="store_true",
                        help="copy the sources' markdown and install cells into the executed copies, no run")
    parser.add_argument("--out", default=str(REPO / "bench" / "results" / "notebooks"))
    parser.add_argument("--copies", default=str(COPIES), help="folder of the executed copies")
    parser.add_argument("--notebooks", default=str(NOTEBOOKS), help="folder of the source notebooks")
    parser.add_argument("--cell-timeout", type=int, default=1800)
    args = parser.parse_args()
    paths = sorted(Path(args.notebooks).glob(course.NOTEBOOK_PATTERN))
    if not args.all:
        paths = [p for p in paths if p.name[:2] in set(args.numbers)]
    if not paths:
        parser.error("name notebook numbers (e.g. 04) or pass --all")
    for path in paths:
        if args.sync_markdown:
            sync_markdown(path, Path(args.copies))
            print(f"{path.name}: markdown and install cells synced into {args.copies}")
            continue
        record = run(path, Path(args.out), Path(args.copies), args.cell_timeout)
        print(f"{path.name}: {record['seconds']:.0f} s in full mode")


if __name__ == "__main__":
    main()
