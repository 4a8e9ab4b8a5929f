"""The course notebooks: each runs top to bottom in fast mode; the student versions are up to date.

Executing needs the offline mirror (``$KZOO_ASSETS``): the notebooks load real models and photos.
Run just these with ``pytest -m notebooks tests/test_notebooks.py``.
"""
import re
import time
from pathlib import Path

import pytest

from kzoo import config, course

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
SOURCES = sorted(NOTEBOOKS.glob(course.NOTEBOOK_PATTERN))
CELL_TIMEOUT_S = 300  # generous for a loaded 2-core CI machine; fast-mode cells take seconds
FAST_ON = f"{course.FAST_MARKER} True"


def _streams(nb) -> str:
    return "".join(out.get("text", "") for cell in nb.cells if cell.cell_type == "code"
                   for out in cell.get("outputs", []) if out.output_type == "stream")


@pytest.fixture
def kernel_env(monkeypatch):
    """The environment the notebook kernel inherits: the mirror, fast mode, inline plots."""
    if config.assets_dir() is None:
        pytest.skip("the notebooks load real models and data: set KZOO_ASSETS to the offline mirror")
    monkeypatch.setenv("KZOO_FAST", "1")
    monkeypatch.delenv("MPLBACKEND", raising=False)  # CI's Agg would hide the figures from the outputs


def _execute(nb):
    from nbclient import NotebookClient

    NotebookClient(nb, timeout=CELL_TIMEOUT_S, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    return nb


def test_there_are_course_notebooks():
    assert [p.name[:2] for p in SOURCES][:2] == ["00", "01"]


@pytest.mark.notebooks
@pytest.mark.parametrize("path", SOURCES, ids=[p.stem for p in SOURCES])
def test_notebook_runs_in_fast_mode(path, kernel_env):
    start = time.perf_counter()
    nb = _execute(course.read_notebook(path))  # raises CellExecutionError, with the cell, on any error
    seconds = time.perf_counter() - start
    assert FAST_ON in _streams(nb), f"{path.name} did not run in fast mode (no {FAST_ON!r} in its output)"
    figures = [out for cell in nb.cells if cell.cell_type == "code" for out in cell.get("outputs", [])
               if "image/png" in out.get("data", {})]
    assert figures, f"{path.name} shows no plot"
    # The solution notebooks must answer their own exercises right: one "Correct" verdict per check.
    checks = sum(cell.source.count(".check(") for cell in nb.cells if cell.cell_type == "code")
    verdicts = re.findall(r"^\[[\w-]+\] (Correct|Not yet)", _streams(nb), flags=re.MULTILINE)
    assert verdicts == ["Correct"] * checks, f"{path.name}: exercise verdicts {verdicts}, {checks} checks"
    print(f"{path.name}: {seconds:.0f} s in fast mode")


@pytest.mark.notebooks
def test_papermill_parameter_turns_fast_mode_on(kernel_env, monkeypatch):
    """``papermill -p FAST True`` works too: the injected cell goes after the ``parameters`` cell."""
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    monkeypatch.delenv("KZOO_FAST")
    nb = parameterize_notebook(load_notebook_node(str(SOURCES[0])), {"FAST": True})
    injected = next(i for i, c in enumerate(nb.cells) if "injected-parameters" in c.metadata.get("tags", []))
    resolve = next(i for i, c in enumerate(nb.cells) if i > injected and c.cell_type == "code")
    nb.cells = nb.cells[: resolve + 1]  # up to the cell that resolves and prints FAST
    assert FAST_ON in _streams(_execute(nb))


def test_student_versions_are_up_to_date_and_hold_no_solutions():
    problems = course.student_version_problems(NOTEBOOKS, NOTEBOOKS / "student")
    assert problems == [], "\n".join(problems)
