"""Executed copies of the notebooks (docs/course/, what the site renders): present, current, with figures."""
import base64
import copy
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

from kzoo import course
from kzoo.course import executed, install
from kzoo.errors import InputError

REPO = Path(__file__).resolve().parent.parent
COPIES = REPO / "docs" / "course"
SOURCES = sorted((REPO / "notebooks").glob(course.NOTEBOOK_PATTERN))
NAME = "98_tiny.ipynb"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name[:2])
def test_every_notebook_has_a_current_executed_copy(path):
    assert executed.executed_copy_problems(path, COPIES) == []
    kept = course.read_notebook(COPIES / path.name)
    run = kept.metadata["kzoo"]
    assert run["backend"] in ("tensorflow", "jax", "torch") and run["seconds"] > 0
    assert all(cell.execution_count is not None for cell in kept.cells
               if cell.cell_type == "code" and not install.is_install_cell(cell))


def test_no_executed_copy_without_a_source():
    assert {p.name for p in COPIES.glob("*.ipynb")} <= {p.name for p in SOURCES}


def _source():
    v4 = nbformat.v4
    cells = [v4.new_markdown_cell("# 98 · Tiny"),
             v4.new_code_cell("import matplotlib.pyplot as plt\nprint('value', 1.5)"),
             v4.new_markdown_cell("A plot:"),
             v4.new_code_cell("plt.plot([0, 1, 4]); plt.title('squares')")]
    return install.with_install_cells(v4.new_notebook(cells=cells), NAME)


def _ran(source):
    """``source`` as a kernel leaves it: counts, a printed line, a figure (no kernel needed here)."""
    ran = copy.deepcopy(source)
    for count, cell in enumerate((c for c in ran.cells if c.cell_type == "code"), 1):
        cell.execution_count = count
        cell.metadata["execution"] = {"iopub.status.busy": "2026-11-30T13:00:00"}
    ran.cells[3].outputs = [nbformat.v4.new_output("stream", text="value 1.5\n")]
    ran.cells[5].outputs = [nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo="})]
    return ran


def _kept(source):
    return executed.executed_copy(source, _ran(source), backend="jax", seconds=12.34, date="2026-11-30")


def test_the_copy_records_the_run_and_keeps_outputs_but_no_timings():
    source = _source()
    kept = _kept(source)
    assert kept.metadata["kzoo"] == {"source_code_sha256": executed.code_hash(source), "backend": "jax",
                                     "date": "2026-11-30", "seconds": 12.3}
    assert kept.cells[5].outputs[0].data["image/png"] == "iVBORw0KGgo="
    assert all("execution" not in cell.metadata for cell in kept.cells)
    assert executed.staleness(source, kept) == []


def _png(pixels) -> str:
    from PIL import Image

    out = io.BytesIO()
    Image.fromarray(pixels).save(out, "PNG")
    return base64.b64encode(out.getvalue()).decode("ascii")


def test_the_copy_drops_stderr_and_stores_large_photos_as_jpeg():
    source = _source()
    ran = _ran(source)
    photo = _png(np.random.default_rng(0).integers(0, 256, (300, 400, 3), dtype=np.uint8))
    plot = _png(np.full((300, 400, 3), 255, dtype=np.uint8))
    assert len(base64.b64decode(photo)) > executed.JPEG_ABOVE_BYTES > len(base64.b64decode(plot))
    ran.cells[5].outputs = [nbformat.v4.new_output("stream", name="stderr", text="E0000 cuInit failed\n"),
                            nbformat.v4.new_output("display_data", data={"image/png": photo}),
                            nbformat.v4.new_output("display_data", data={"image/png": plot})]
    kept = executed.executed_copy(source, ran, backend="jax", seconds=1, date="2026-11-30")
    first, second = kept.cells[5].outputs
    assert list(first.data) == ["image/jpeg"] and len(first.data["image/jpeg"]) < len(photo) / 2
    assert second.data["image/png"] == plot


def test_the_copy_must_come_from_the_same_code():
    other = _source()
    other.cells[5].source = "plt.plot([0, 1, 8])"
    with pytest.raises(InputError, match="code differs"):
        executed.executed_copy(_source(), _ran(other), backend="jax", seconds=1, date="2026-11-30")


@pytest.mark.parametrize("change, fragment", [
    (lambda nb: setattr(nb.cells[5], "source", "plt.plot([0, 1, 8])"), "code changed"),
    (lambda nb: nb.cells.append(nbformat.v4.new_code_cell("print(2)")), "code changed"),
    (lambda nb: setattr(nb.cells[4], "source", "A better plot:"), "markdown or install cells differ"),
    (lambda nb: nb.cells.insert(4, nbformat.v4.new_markdown_cell("More prose.")), "markdown or install cells differ"),
    (lambda nb: setattr(nb.cells[2], "source", nb.cells[2].source + "\n# edited"), "install cells differ"),
])
def test_a_stale_copy_is_reported(change, fragment):
    source = _source()
    kept = _kept(source)
    change(source)
    problems = executed.staleness(source, kept)
    assert len(problems) == 1 and fragment in problems[0]


def test_the_install_cell_does_not_count_in_the_code_hash():
    source = _source()
    before = executed.code_hash(source)
    source.cells[2].source += "\n# another install template"
    assert executed.code_hash(source) == before


def test_sync_markdown_brings_prose_and_install_cells_and_keeps_outputs():
    source = _source()
    kept = _kept(source)
    source.cells[4].source = "A better plot:"
    source.cells.insert(3, nbformat.v4.new_markdown_cell("New prose."))
    source.cells[2].source += "\n# new install template"
    synced = executed.sync_markdown(source, kept)
    assert executed.staleness(source, synced) == []
    assert [c.source for c in synced.cells] == [c.source for c in source.cells]
    assert synced.cells[6].outputs == kept.cells[5].outputs and synced.metadata == kept.metadata


def test_sync_markdown_refuses_when_the_code_changed():
    source = _source()
    kept = _kept(source)
    source.cells[3].source = "print('value', 2.5)"
    with pytest.raises(InputError, match="re-run"):
        executed.sync_markdown(source, kept)


def test_missing_or_unrecorded_copies_are_reported(tmp_path):
    path = tmp_path / NAME
    nbformat.write(_source(), str(path))
    (problem,) = executed.executed_copy_problems(path, tmp_path / "site")
    assert "missing" in problem and "bench/notebooks.py 98" in problem
    (tmp_path / "site").mkdir()
    nbformat.write(_ran(_source()), str(tmp_path / "site" / NAME))  # executed, but not by bench/notebooks.py
    (problem,) = executed.executed_copy_problems(path, tmp_path / "site")
    assert "records no run" in problem


@pytest.mark.slow
def test_bench_notebooks_runs_keeps_the_figure_and_syncs_markdown(tmp_path):
    sources, copies = tmp_path / "notebooks", tmp_path / "copies"
    sources.mkdir()
    nbformat.write(_source(), str(sources / NAME))
    env = {**os.environ, "PYTHONPATH": str(REPO), "MPLBACKEND": "Agg"}  # the script must override Agg

    def bench(*args):
        return subprocess.run([sys.executable, str(REPO / "bench" / "notebooks.py"), "98", "--notebooks",
                               str(sources), "--copies", str(copies), "--out", str(tmp_path / "results"), *args],
                              capture_output=True, text=True, timeout=300, env=env)

    assert bench().returncode == 0
    kept = course.read_notebook(copies / NAME)
    assert executed.executed_copy_problems(sources / NAME, copies) == []
    assert "value 1.5" in kept.cells[3].outputs[0].text
    assert any("image/png" in out.get("data", {}) for out in kept.cells[5].outputs)
    assert json.loads((tmp_path / "results" / "98.json").read_text())["printed"] == ["value 1.5"]

    source = course.read_notebook(sources / NAME)
    source.cells[4].source = "A better plot:"
    nbformat.write(source, str(sources / NAME))
    assert executed.executed_copy_problems(sources / NAME, copies) != []
    assert bench("--sync-markdown").returncode == 0
    assert executed.executed_copy_problems(sources / NAME, copies) == []

    source.cells[5].source = "plt.plot([0, 1, 8])"
    nbformat.write(source, str(sources / NAME))
    refused = bench("--sync-markdown")
    assert refused.returncode != 0 and "re-run" in refused.stderr
