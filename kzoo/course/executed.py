"""Executed copies of the course notebooks: what the docs site renders, outputs and figures included.

``bench/notebooks.py`` runs a source notebook in full mode and keeps the executed notebook as its
copy (``docs/course/NN_name.ipynb``); the sources stay stripped. A copy records, under its
``kzoo`` metadata key, the sha256 of the source's code cells (install cells excluded, so the
generated install cell can change without a re-run), the backend, the date and the run's seconds.
A copy is stale when that hash, a markdown cell or an install cell differs from the source;
``sync_markdown`` brings prose and install cells over while the code is unchanged.

To keep pages light, a copy drops stderr streams (a machine's log noise: TensorFlow's CUDA probe,
library warnings) and stores a figure over ``JPEG_ABOVE_BYTES`` as JPEG when that is smaller
(photographs; line plots stay PNG).
"""
from __future__ import annotations

import base64
import copy
import hashlib
import io
import json
import os
from pathlib import Path

from kzoo.course.install import is_install_cell
from kzoo.course.notebooks import NOTEBOOK_METADATA, read_notebook
from kzoo.errors import InputError

RUN_KEY = "kzoo"
KEPT_CELL_METADATA = ("tags",)
JPEG_ABOVE_BYTES = 100_000
JPEG_QUALITY = 80


def code_hash(nb) -> str:
    """sha256 of the sources of a notebook's code cells, install cells excluded.

    Example:
        >>> import nbformat
        >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
        >>> before = code_hash(nb)
        >>> nb.cells.insert(0, nbformat.v4.new_markdown_cell("Prose does not count."))
        >>> code_hash(nb) == before
        True
        >>> nb.cells[1].source = "x = 2"
        >>> code_hash(nb) == before
        False
    """
    sources = [cell.source for cell in nb.cells if cell.cell_type == "code" and not is_install_cell(cell)]
    return hashlib.sha256(json.dumps(sources).encode("utf-8")).hexdigest()


def _as_jpeg_if_smaller(data: dict) -> None:
    """Replace a large ``image/png`` in an output's data by an ``image/jpeg`` when that is smaller."""
    from PIL import Image

    png = base64.b64decode(data["image/png"])
    if len(png) <= JPEG_ABOVE_BYTES:
        return
    image = Image.open(io.BytesIO(png)).convert("RGBA")
    flat = Image.new("RGB", image.size, "white")
    flat.paste(image, mask=image.getchannel("A"))
    jpeg = io.BytesIO()
    flat.save(jpeg, "JPEG", quality=JPEG_QUALITY, optimize=True)
    if jpeg.tell() < len(png):
        del data["image/png"]
        data["image/jpeg"] = base64.b64encode(jpeg.getvalue()).decode("ascii")


def executed_copy(source_nb, executed_nb, *, backend: str, seconds: float, date: str):
    """The copy to keep of ``executed_nb`` (``source_nb`` run top to bottom): outputs kept, run recorded.

    Cell metadata other than tags (execution timings) and stderr streams are dropped, large
    figures stored as JPEG; the notebook metadata is the course's minimal one plus the run record
    under ``"kzoo"``.

    Raises:
        kzoo.InputError: ``executed_nb`` has other code than ``source_nb``.

    Example:
        >>> import nbformat
        >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1)")])
        >>> ran = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1)", execution_count=1)])
        >>> ran.cells[0].outputs = [nbformat.v4.new_output("stream", text="1\\n")]
        >>> kept = executed_copy(nb, ran, backend="jax", seconds=3.2, date="2026-11-30")
        >>> kept.metadata["kzoo"]["backend"], kept.cells[0].outputs[0].text
        ('jax', '1\\n')
    """
    if code_hash(source_nb) != code_hash(executed_nb):
        raise InputError("the executed notebook's code differs from its source: run the source as it is.")
    out = copy.deepcopy(executed_nb)
    out.metadata = {**copy.deepcopy(NOTEBOOK_METADATA),
                    RUN_KEY: {"source_code_sha256": code_hash(source_nb), "backend": backend,
                              "date": date, "seconds": round(float(seconds), 1)}}
    for cell in out.cells:
        cell.metadata = {k: v for k, v in cell.metadata.items() if k in KEPT_CELL_METADATA and v}
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if not (o.output_type == "stream" and o.name == "stderr")]
            for output in cell.outputs:
                if "image/png" in output.get("data", {}):
                    _as_jpeg_if_smaller(output.data)
    return out


def _prose(nb) -> list[tuple[str, str]]:
    return [(cell.cell_type, cell.source) for cell in nb.cells if cell.cell_type == "markdown" or is_install_cell(cell)]


def staleness(source_nb, copy_nb) -> list[str]:
    """Why ``copy_nb`` no longer shows ``source_nb`` (empty when it is current).

    Example:
        >>> import nbformat
        >>> source = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Intro"),
        ...                                          nbformat.v4.new_code_cell("x = 1")])
        >>> kept = executed_copy(source, source, backend="tensorflow", seconds=1, date="2026-11-30")
        >>> staleness(source, kept)
        []
        >>> source.cells[0].source = "# Introduction"
        >>> staleness(source, kept)
        ['its markdown or install cells differ from the source (bench/notebooks.py --sync-markdown NN)']
    """
    recorded = copy_nb.metadata.get(RUN_KEY, {}).get("source_code_sha256")
    if recorded is None:
        return ["it records no run (make it with bench/notebooks.py NN)"]
    problems = []
    if recorded != code_hash(source_nb) or code_hash(copy_nb) != recorded:
        problems.append("the source's code changed since the run (re-run: bench/notebooks.py NN)")
    if _prose(copy_nb) != _prose(source_nb):
        problems.append("its markdown or install cells differ from the source (bench/notebooks.py --sync-markdown NN)")
    return problems


def sync_markdown(source_nb, copy_nb):
    """``copy_nb`` with the markdown and install cells of ``source_nb`` and its own executed code cells.

    Raises:
        kzoo.InputError: the source's code changed since the copy was run (re-run it instead).

    Example:
        >>> import nbformat
        >>> source = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
        >>> kept = executed_copy(source, source, backend="tensorflow", seconds=1, date="2026-11-30")
        >>> source.cells.insert(0, nbformat.v4.new_markdown_cell("# New title"))
        >>> [cell.source for cell in sync_markdown(source, kept).cells]
        ['# New title', 'x = 1']
    """
    if copy_nb.metadata.get(RUN_KEY, {}).get("source_code_sha256") != code_hash(source_nb):
        raise InputError("the source's code changed since this copy was run: re-run the notebook "
                         "(bench/notebooks.py NN) instead of syncing its markdown.")
    executed = iter([cell for cell in copy_nb.cells if cell.cell_type == "code" and not is_install_cell(cell)])
    out = copy.deepcopy(copy_nb)
    out.cells = [copy.deepcopy(cell) if cell.cell_type == "markdown" or is_install_cell(cell) else next(executed)
                 for cell in source_nb.cells]
    return out


def executed_copy_problems(source: str | os.PathLike, copy_dir: str | os.PathLike) -> list[str]:
    """Why the executed copy in ``copy_dir`` of source notebook ``source`` is missing or stale.

    Example:
        >>> import nbformat
        >>> nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]), "01_a.ipynb")
        >>> executed_copy_problems("01_a.ipynb", "site")
        ['site/01_a.ipynb is missing: run bench/notebooks.py 01 (full mode) and commit the copy']
    """
    source = Path(source)
    path = Path(copy_dir) / source.name
    if not path.is_file():
        return [f"{path} is missing: run bench/notebooks.py {source.name[:2]} (full mode) and commit the copy"]
    return [f"{path} is stale: {problem.replace(' NN', ' ' + source.name[:2])}"
            for problem in staleness(read_notebook(source), read_notebook(path))]
