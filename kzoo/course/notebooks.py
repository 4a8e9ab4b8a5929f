"""The course notebooks: their stored format, their structure rules, and the student versions.

Source notebooks (``notebooks/NN_name.ipynb``) hold the exercise solutions between nbgrader's
markers. A student version is the same notebook with each solution replaced as nbgrader does it:
in a code cell by ``# YOUR CODE HERE`` and ``raise NotImplementedError()``, in a markdown cell by
``YOUR ANSWER HERE``. The student versions are committed (``notebooks/student/``) and CI checks they
are up to date and hold no solution text.

Every notebook is stored nbstripout-style: no outputs, execution counts null, and only the minimal
notebook metadata below, so diffs show what changed in the teaching and nothing else.
"""
from __future__ import annotations

import copy
import os
import re
from pathlib import Path

from kzoo._files import write_text_atomically
from kzoo.course.install import install_cell_problems, with_install_cells
from kzoo.course.source import COLAB_URL
from kzoo.errors import InputError

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
CODE_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
MARKDOWN_STUB = "YOUR ANSWER HERE"
NOTEBOOK_PATTERN = "[0-9][0-9]_*.ipynb"
# What the cell after the parameters cell prints; CI looks for "FAST mode: True" in the outputs.
FAST_MARKER = "FAST mode:"
STUDENT_NOTE = ("*Student version: the exercise solutions are replaced by `# YOUR CODE HERE`. Run "
                "each exercise's check cell to test your answer; `.hint()` and `.solution()` help "
                "when you are stuck.*")
NOTEBOOK_METADATA = {
    "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}
CELL_METADATA_KEYS = {"tags"}


# --- reading and writing -----------------------------------------------------------------------
def read_notebook(path: str | os.PathLike):
    """Read a notebook file (nbformat 4).

    Raises:
        kzoo.InputError: the file is missing or is not a valid notebook.

    Example:
        >>> import nbformat
        >>> cell = nbformat.v4.new_code_cell("### BEGIN SOLUTION\\nx = 1\\n### END SOLUTION", execution_count=1)
        >>> nbformat.write(nbformat.v4.new_notebook(cells=[cell]), "01_intro.ipynb")
        >>> read_notebook("01_intro.ipynb").cells[0].execution_count
        1
    """
    import nbformat

    try:
        return nbformat.read(str(path), as_version=4)
    except (OSError, ValueError) as err:  # nbformat's NotJSONError is a ValueError
        raise InputError(f"{path} is not a readable notebook ({err}).") from err


def _serialise(nb) -> str:
    import nbformat

    return nbformat.writes(nb) + "\n"


# --- format ------------------------------------------------------------------------------------
def normalized(nb):
    """A copy of ``nb`` in the stored format: outputs and execution counts cleared, metadata minimal.

    Example:
        >>> import nbformat
        >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1", execution_count=3)])
        >>> normalized(nb).cells[0].execution_count is None
        True
    """
    nb = copy.deepcopy(nb)
    nb.metadata = copy.deepcopy(NOTEBOOK_METADATA)
    nb.nbformat, nb.nbformat_minor = 4, 5
    for cell in nb.cells:
        cell.metadata = {k: v for k, v in cell.metadata.items() if k in CELL_METADATA_KEYS and v}
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nb


def format_problems(path: str | os.PathLike) -> list[str]:
    """What keeps a notebook file from the stored format (empty when it is fine).

    Args:
        path: a ``.ipynb`` file.

    Returns:
        One message per problem, naming the cell; ``scripts/check_notebooks.py --fix`` fixes them.

    Example:
        >>> import nbformat
        >>> cell = nbformat.v4.new_code_cell("### BEGIN SOLUTION\\nx = 1\\n### END SOLUTION", execution_count=1)
        >>> nbformat.write(nbformat.v4.new_notebook(cells=[cell]), "01_intro.ipynb")
        >>> for problem in format_problems("01_intro.ipynb"):
        ...     print(problem)
        01_intro.ipynb: notebook metadata is not minimal (expected {'kernelspec': ...})
        01_intro.ipynb: cell 0 has an execution count
        >>> normalize_file("01_intro.ipynb"), format_problems("01_intro.ipynb")
        (True, [])
    """
    path = Path(path)
    nb = read_notebook(path)
    problems = []
    if dict(nb.metadata) != NOTEBOOK_METADATA:
        extra = sorted(set(nb.metadata) - set(NOTEBOOK_METADATA))
        problems.append(f"{path.name}: notebook metadata is not minimal"
                        + (f" (extra keys {extra})" if extra else f" (expected {NOTEBOOK_METADATA})"))
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and cell.get("outputs"):
            problems.append(f"{path.name}: cell {i} has outputs")
        if cell.cell_type == "code" and cell.get("execution_count") is not None:
            problems.append(f"{path.name}: cell {i} has an execution count")
        extra = sorted(set(cell.metadata) - CELL_METADATA_KEYS)
        if extra:
            problems.append(f"{path.name}: cell {i} has metadata {extra} (only {sorted(CELL_METADATA_KEYS)} is kept)")
    if not problems and path.read_text(encoding="utf-8") != _serialise(normalized(nb)):
        problems.append(f"{path.name}: not in nbformat's standard layout (indent 1, sorted keys)")
    return problems


def normalize_file(path: str | os.PathLike) -> bool:
    """Rewrite a notebook file in the stored format; True when it changed.

    Example:
        >>> import nbformat
        >>> cell = nbformat.v4.new_code_cell("### BEGIN SOLUTION\\nx = 1\\n### END SOLUTION", execution_count=1)
        >>> nbformat.write(nbformat.v4.new_notebook(cells=[cell]), "01_intro.ipynb")
        >>> normalize_file("01_intro.ipynb")   # execution count and metadata cleared
        True
        >>> normalize_file("01_intro.ipynb")   # already in the stored format
        False
    """
    path = Path(path)
    text = _serialise(normalized(read_notebook(path)))
    if path.read_text(encoding="utf-8") == text:
        return False
    write_text_atomically(path, text)
    return True


def fix_install_cells(path: str | os.PathLike) -> bool:
    """Write the generated install cells (``kzoo.course.install``) into a source notebook; True when it changed.

    Example:
        >>> import nbformat
        >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 01 · Intro")])
        >>> nbformat.write(nb, "01_intro.ipynb")
        >>> fix_install_cells("01_intro.ipynb"), fix_install_cells("01_intro.ipynb")
        (True, False)
    """
    path = Path(path)
    nb = read_notebook(path)
    if not install_cell_problems(nb, path.name):
        return False
    write_text_atomically(path, _serialise(normalized(with_install_cells(nb, path.name))))
    return True


# --- structure of a course notebook ------------------------------------------------------------
def _source_lines(cell) -> list[str]:
    return cell.source.splitlines()


def structure_problems(path: str | os.PathLike) -> list[str]:
    """What a source notebook lacks of the course pattern (see ``notebooks/README.md``).

    The pattern: a first markdown cell with a ``# title`` and the Colab badge for this file; the
    generated install cells (``kzoo.course.install``); a code
    cell tagged ``parameters`` holding ``FAST = None``; right after it a cell that resolves FAST
    with ``kzoo.config.fast_mode()`` and prints ``FAST mode: ...``; exercises from
    ``kzoo.exercises.for_notebook("NN")``; solutions between balanced solution markers.

    Args:
        path: a source notebook ``NN_name.ipynb``.

    Returns:
        One message per problem (empty when the notebook follows the pattern).

    Example:
        >>> import nbformat
        >>> cell = nbformat.v4.new_code_cell("### BEGIN SOLUTION\\nx = 1\\n### END SOLUTION", execution_count=1)
        >>> nbformat.write(nbformat.v4.new_notebook(cells=[cell]), "01_intro.ipynb")
        >>> for problem in structure_problems("01_intro.ipynb"):
        ...     print(problem)
        01_intro.ipynb: the first cell must be markdown starting with '# Title'
        01_intro.ipynb: the install cells (tagged kzoo-install) after the title cell are missing or differ from the generated ones: run `python scripts/check_notebooks.py --fix`
        01_intro.ipynb: needs exactly one code cell tagged 'parameters' containing 'FAST = None'
        01_intro.ipynb: the exercises must come from kzoo.exercises.for_notebook("01")
    """
    path = Path(path)
    if not re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", path.name):
        return [f"{path.name}: a course notebook is named NN_words_in_snake_case.ipynb"]
    nb = read_notebook(path)
    problems = []
    first = nb.cells[0] if nb.cells else None
    if first is None or first.cell_type != "markdown" or not first.source.startswith("# "):
        problems.append(f"{path.name}: the first cell must be markdown starting with '# Title'")
    elif COLAB_URL + path.name not in first.source:
        problems.append(f"{path.name}: the first cell needs the Open-in-Colab badge linking {COLAB_URL + path.name}")
    problems += install_cell_problems(nb, path.name)
    code = [c for c in nb.cells if c.cell_type == "code"]
    params = [i for i, c in enumerate(code) if "parameters" in c.metadata.get("tags", [])]
    if len(params) != 1 or not any(line.split("#")[0].strip() == "FAST = None"
                                   for line in _source_lines(code[params[0]])):
        problems.append(f"{path.name}: needs exactly one code cell tagged 'parameters' containing 'FAST = None'")
    elif params[0] + 1 >= len(code) or not all(
            s in code[params[0] + 1].source for s in ("fast_mode()", f'"{FAST_MARKER}"')):
        problems.append(f"{path.name}: the code cell after the parameters cell must resolve FAST with "
                        f"kzoo.config.fast_mode() and print(\"{FAST_MARKER}\", FAST)")
    number = path.name[:2]
    if f'for_notebook("{number}")' not in "".join(c.source for c in code):
        problems.append(f'{path.name}: the exercises must come from kzoo.exercises.for_notebook("{number}")')
    try:
        if not solution_blocks(nb):
            problems.append(f"{path.name}: no exercise solution between {BEGIN_SOLUTION!r} and {END_SOLUTION!r}")
    except InputError as err:
        problems.append(f"{path.name}: {err}")
    return problems


# --- solutions and student versions ------------------------------------------------------------
def _split_solutions(cell, index: int):
    """(lines outside solutions with a stub where each solution was, [solution texts])."""
    kept, solutions, inside, indent = [], [], None, ""
    for line in _source_lines(cell):
        stripped = line.strip()
        if stripped == BEGIN_SOLUTION:
            if inside is not None:
                raise InputError(f"cell {index}: {BEGIN_SOLUTION!r} inside another solution")
            inside, indent = [], line[: len(line) - len(line.lstrip())]
        elif stripped == END_SOLUTION:
            if inside is None:
                raise InputError(f"cell {index}: {END_SOLUTION!r} without a {BEGIN_SOLUTION!r} before it")
            solutions.append("\n".join(inside))
            stub = CODE_STUB if cell.cell_type == "code" else (MARKDOWN_STUB,)
            kept.extend(indent + s for s in stub)
            inside = None
        elif inside is not None:
            inside.append(line)
        else:
            kept.append(line)
    if inside is not None:
        raise InputError(f"cell {index}: {BEGIN_SOLUTION!r} without a matching {END_SOLUTION!r}")
    return kept, solutions


def solution_blocks(nb) -> list[str]:
    """The text of every solution (between the markers) in a notebook, in order.

    Raises:
        kzoo.InputError: unbalanced or nested markers (the message names the cell).

    Example:
        >>> import nbformat
        >>> cell = nbformat.v4.new_code_cell("### BEGIN SOLUTION\\nx = 1\\n### END SOLUTION")
        >>> solution_blocks(nbformat.v4.new_notebook(cells=[cell]))
        ['x = 1']
    """
    return [s for i, cell in enumerate(nb.cells) for s in _split_solutions(cell, i)[1]]


def student_version(nb, name: str):
    """The student version of a source notebook: solutions replaced, badge pointing at the student copy.

    Args:
        nb: the source notebook (not modified).
        name: its file name, e.g. ``"01_what_pretraining_is.ipynb"``.

    Returns:
        A new notebook in the stored format.

    Raises:
        kzoo.InputError: unbalanced solution markers (the message names the notebook and cell).

    Example:
        >>> import nbformat
        >>> cell = nbformat.v4.new_code_cell("### BEGIN SOLUTION\\nx = 1\\n### END SOLUTION")
        >>> student_version(nbformat.v4.new_notebook(cells=[cell]), "99_x.ipynb").cells[0].source
        '# YOUR CODE HERE\\nraise NotImplementedError()'
    """
    out = normalized(nb)
    for i, cell in enumerate(out.cells):
        try:
            kept, _ = _split_solutions(cell, i)
        except InputError as err:
            raise InputError(f"{name}: {err}. Fix the markers in the source notebook.") from err
        cell.source = "\n".join(kept)
    if out.cells and out.cells[0].cell_type == "markdown":
        first = out.cells[0]
        first.source = first.source.replace(COLAB_URL + name, COLAB_URL + "student/" + name)
        first.source += "\n\n" + STUDENT_NOTE
    return out


def _sources(src_dir) -> list[Path]:
    src = Path(src_dir)
    if not src.is_dir():
        raise InputError(f"{src} is not a folder of notebooks (expected e.g. the repository's notebooks/).")
    found = sorted(src.glob(NOTEBOOK_PATTERN))
    if not found:
        raise InputError(f"{src} holds no course notebooks named {NOTEBOOK_PATTERN}.")
    return found


def make_student_versions(src_dir: str | os.PathLike, out_dir: str | os.PathLike) -> list[Path]:
    """Write the student version of every source notebook ``NN_*.ipynb`` of ``src_dir`` into ``out_dir``.

    All versions are made in memory first, so a bad notebook leaves ``out_dir`` untouched; each file
    is written to a temporary name and renamed.

    Args:
        src_dir: folder of the source notebooks (with solutions).
        out_dir: where the student versions go (created if needed), under the same file names.

    Returns:
        The paths written, sorted.

    Raises:
        kzoo.InputError: ``src_dir`` has no course notebooks, or a notebook's markers are unbalanced.

    Example:
        >>> import os, nbformat
        >>> os.mkdir("course")
        >>> cell = nbformat.v4.new_code_cell("### BEGIN SOLUTION\\nx = 1\\n### END SOLUTION")
        >>> nbformat.write(nbformat.v4.new_notebook(cells=[cell]), "course/01_intro.ipynb")
        >>> make_student_versions("course", "course/student")
        [PosixPath('course/student/01_intro.ipynb')]
        >>> read_notebook("course/student/01_intro.ipynb").cells[0].source
        '# YOUR CODE HERE\\nraise NotImplementedError()'
    """
    out = Path(out_dir)
    texts = {out / p.name: _serialise(student_version(read_notebook(p), p.name)) for p in _sources(src_dir)}
    for path, text in texts.items():
        write_text_atomically(path, text)
    return sorted(texts)


def _leaked_lines(source_nb, student_nb) -> list[str]:
    """Solution lines of the source found in the same cell of the student version (or markers anywhere)."""
    leaked = [marker for cell in student_nb.cells for marker in (BEGIN_SOLUTION, END_SOLUTION)
              if marker in cell.source]
    for i, cell in enumerate(source_nb.cells[: len(student_nb.cells)]):
        student_lines = {line.strip() for line in _source_lines(student_nb.cells[i])}
        for block in _split_solutions(cell, i)[1]:
            leaked += [line.strip() for line in block.splitlines()
                       if line.strip() and not line.strip().startswith("#") and line.strip() in student_lines]
    return leaked


def student_version_problems(src_dir: str | os.PathLike, student_dir: str | os.PathLike) -> list[str]:
    """Why the committed student versions do not match the sources (empty when they do).

    Reports missing, stale and extra student notebooks, and any solution text left in one.

    Example:
        >>> import os, nbformat
        >>> os.mkdir("checked")
        >>> cell = nbformat.v4.new_code_cell("### BEGIN SOLUTION\\nx = 1\\n### END SOLUTION")
        >>> nbformat.write(nbformat.v4.new_notebook(cells=[cell]), "checked/01_intro.ipynb")
        >>> student_version_problems("checked", "checked/student")
        ['checked/student/01_intro.ipynb is missing: run `kzoo course student checked/student` and commit the result']
        >>> _ = make_student_versions("checked", "checked/student")
        >>> student_version_problems("checked", "checked/student")
        []
    """
    student = Path(student_dir)
    fix = f"run `kzoo course student {student}` and commit the result"
    problems = []
    sources = _sources(src_dir)
    for src in sources:
        path = student / src.name
        source_nb = read_notebook(src)
        if not path.exists():
            problems.append(f"{path} is missing: {fix}")
            continue
        text = path.read_text(encoding="utf-8")
        if text != _serialise(student_version(source_nb, src.name)):
            problems.append(f"{path} is out of date with {src}: {fix}")
        leaked = _leaked_lines(source_nb, read_notebook(path))
        if leaked:
            problems.append(f"{path} contains solution text ({leaked[0]!r}): {fix}")
    extra = sorted({p.name for p in student.glob(NOTEBOOK_PATTERN)} - {p.name for p in sources})
    problems += [f"{student / name} has no source notebook: delete it" for name in extra]
    return problems


def student_versions_up_to_date(src_dir: str | os.PathLike, student_dir: str | os.PathLike) -> bool:
    """True when every student version matches its source and holds no solution text.

    Example:
        >>> import os, nbformat
        >>> os.mkdir("fresh")
        >>> cell = nbformat.v4.new_code_cell("### BEGIN SOLUTION\\nx = 1\\n### END SOLUTION")
        >>> nbformat.write(nbformat.v4.new_notebook(cells=[cell]), "fresh/01_intro.ipynb")
        >>> _ = make_student_versions("fresh", "fresh/student")
        >>> student_versions_up_to_date("fresh", "fresh/student")
        True
    """
    return not student_version_problems(src_dir, student_dir)
