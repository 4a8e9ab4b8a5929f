"""kzoo.course: the stored notebook format, the course pattern, and student versions."""
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from kzoo import course
from kzoo.course.install import is_install_cell, with_install_cells
from kzoo.errors import InputError

REPO = Path(__file__).resolve().parent.parent
NAME = "42_example_topic.ipynb"
BADGE = f"[![Open In Colab](badge.svg)]({course.COLAB_URL}{NAME})"
SOLUTION_CODE = """def double(x):
    ### BEGIN SOLUTION
    result = 2 * x
    return result
    ### END SOLUTION


questions["double"].check(double)"""


def _notebook(**changes):
    """A small source notebook that follows the course pattern; ``changes`` break parts of it."""
    v4 = nbformat.v4
    params = v4.new_code_cell("FAST = None")
    params.metadata["tags"] = ["parameters"]
    cells = [
        v4.new_markdown_cell(changes.get("title", f"# 42 · Example\n\n{BADGE}\n\nWhat you will learn.")),
        params,
        v4.new_code_cell(changes.get("resolve", 'import kzoo\n\nFAST = kzoo.config.fast_mode() if FAST is None '
                                                'else bool(FAST)\nprint("FAST mode:", FAST)')),
        v4.new_code_cell(changes.get("questions", 'questions = kzoo.exercises.for_notebook("42")')),
        v4.new_code_cell(changes.get("solution", SOLUTION_CODE)),
        v4.new_markdown_cell(changes.get("why", "Why?\n### BEGIN SOLUTION\nBecause the features transfer.\n"
                                                "### END SOLUTION")),
    ]
    return course.normalized(with_install_cells(v4.new_notebook(cells=cells), NAME))


def _write(nb, folder: Path, name: str = NAME) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(nbformat.writes(nb) + "\n")
    return path


# --- student versions --------------------------------------------------------------------------
def test_student_version_replaces_solutions_like_nbgrader():
    student = course.student_version(_notebook(), NAME)
    code, markdown = student.cells[6].source, student.cells[7].source
    assert code == ("def double(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n\n\n"
                    'questions["double"].check(double)')
    assert markdown == "Why?\nYOUR ANSWER HERE"
    assert f"{course.COLAB_URL}student/{NAME}" in student.cells[0].source
    assert course.STUDENT_NOTE in student.cells[0].source


def test_the_student_version_runs_to_the_stub():
    code = course.student_version(_notebook(), NAME).cells[6].source.replace("questions[", "# questions[")
    namespace = {}
    exec(code, namespace)  # noqa: S102 - our own generated code
    with pytest.raises(NotImplementedError):
        namespace["double"](3)


def test_solution_blocks_lists_every_solution():
    assert course.solution_blocks(_notebook()) == ["    result = 2 * x\n    return result",
                                                   "Because the features transfer."]


@pytest.mark.parametrize("source, fragment", [
    ("### BEGIN SOLUTION\nx = 1", "without a matching"),
    ("x = 1\n### END SOLUTION", "without a '### BEGIN SOLUTION' before it"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "inside another solution"),
])
def test_unbalanced_markers_are_reported_with_the_cell(source, fragment):
    with pytest.raises(InputError, match=fragment) as err:
        course.student_version(_notebook(solution=source), NAME)
    assert f"{NAME}: cell 6" in str(err.value)


def test_make_student_versions_and_the_up_to_date_check(tmp_path):
    src, out = tmp_path / "src", tmp_path / "student"
    _write(_notebook(), src)
    assert course.make_student_versions(src, out) == [out / NAME]
    assert course.student_versions_up_to_date(src, out)
    assert course.student_version_problems(src, out) == []

    # The source changes: the student version is stale.
    _write(_notebook(title=f"# 42 · Renamed\n\n{BADGE}"), src)
    assert any("out of date" in p for p in course.student_version_problems(src, out))

    # Solution text pasted into the student version is reported as such.
    course.make_student_versions(src, out)
    leaked = course.read_notebook(out / NAME)
    leaked.cells[6].source = SOLUTION_CODE.replace("### BEGIN SOLUTION\n", "").replace("    ### END SOLUTION\n", "")
    _write(leaked, out)
    assert any("contains solution text ('result = 2 * x')" in p for p in course.student_version_problems(src, out))

    # Missing and orphaned student versions.
    (out / NAME).unlink()
    _write(_notebook(), out, "43_gone.ipynb")
    problems = course.student_version_problems(src, out)
    assert any("is missing" in p for p in problems) and any("43_gone.ipynb has no source" in p for p in problems)
    assert not course.student_versions_up_to_date(src, out)


def test_a_bad_notebook_leaves_the_output_folder_untouched(tmp_path):
    src, out = tmp_path / "src", tmp_path / "student"
    _write(_notebook(), src)
    _write(_notebook(solution="### BEGIN SOLUTION\nx = 1"), src, "43_broken.ipynb")
    with pytest.raises(InputError, match="43_broken"):
        course.make_student_versions(src, out)
    assert not out.exists()


def test_make_student_versions_needs_a_folder_of_course_notebooks(tmp_path):
    with pytest.raises(InputError, match="not a folder"):
        course.make_student_versions(tmp_path / "nope", tmp_path / "out")
    with pytest.raises(InputError, match="no course notebooks"):
        course.make_student_versions(tmp_path, tmp_path / "out")


# --- stored format -----------------------------------------------------------------------------
def test_format_problems_finds_outputs_counts_and_metadata(tmp_path):
    nb = _notebook()
    nb.metadata["widgets"] = {"state": {}}
    nb.cells[4].outputs = [nbformat.v4.new_output("stream", text="FAST mode: True\n")]
    nb.cells[4].execution_count = 7
    nb.cells[5].metadata["collapsed"] = True
    path = _write(nb, tmp_path)
    problems = course.format_problems(path)
    assert any("metadata is not minimal (extra keys ['widgets'])" in p for p in problems)
    assert any("cell 4 has outputs" in p for p in problems)
    assert any("cell 4 has an execution count" in p for p in problems)
    assert any("cell 5 has metadata ['collapsed']" in p for p in problems)

    assert course.normalize_file(path) is True
    assert course.format_problems(path) == []
    assert course.normalize_file(path) is False
    stored = json.loads(path.read_text())
    assert stored["metadata"] == course.NOTEBOOK_METADATA
    assert stored["cells"][3]["metadata"] == {"tags": ["parameters"]}


def test_format_problems_finds_a_non_standard_layout(tmp_path):
    path = _write(_notebook(), tmp_path)
    path.write_text(json.dumps(json.loads(path.read_text()), indent=4))
    assert course.format_problems(path) == [f"{NAME}: not in nbformat's standard layout (indent 1, sorted keys)"]


# --- structure ---------------------------------------------------------------------------------
def test_a_notebook_that_follows_the_pattern_has_no_structure_problems(tmp_path):
    assert course.structure_problems(_write(_notebook(), tmp_path)) == []


@pytest.mark.parametrize("changes, fragment", [
    ({"title": "Example without a heading"}, "first cell must be markdown"),
    ({"title": "# 42 · Example, no badge"}, "Open-in-Colab badge"),
    ({"resolve": 'FAST = True\nprint("FAST mode:", FAST)'}, "resolve FAST with kzoo.config.fast_mode()"),
    ({"questions": 'questions = kzoo.exercises.for_notebook("01")'}, 'for_notebook("42")'),
    ({"solution": "answer = 1", "why": "Why?"}, "no exercise solution"),
    ({"solution": "### END SOLUTION"}, "without a '### BEGIN SOLUTION'"),
])
def test_structure_problems_name_what_is_missing(tmp_path, changes, fragment):
    problems = course.structure_problems(_write(_notebook(**changes), tmp_path))
    assert len(problems) == 1 and fragment in problems[0]


def test_structure_needs_one_parameters_cell_and_a_course_name(tmp_path):
    nb = _notebook()
    nb.cells[3].metadata = {}
    assert "tagged 'parameters'" in course.structure_problems(_write(nb, tmp_path))[0]
    assert "NN_words_in_snake_case" in course.structure_problems(_write(_notebook(), tmp_path, "Example.ipynb"))[0]


# --- the script --------------------------------------------------------------------------------
def _script():
    import importlib.util

    spec = importlib.util.spec_from_file_location("check_notebooks", REPO / "scripts" / "check_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_check_notebooks_script_fails_then_fixes(tmp_path, capsys):
    nb = _notebook()
    nb.cells[4].outputs = [nbformat.v4.new_output("stream", text="hi\n")]
    path = _write(nb, tmp_path)
    script = _script()
    assert script.main([str(path)]) == 1
    assert "cell 4 has outputs" in capsys.readouterr().out
    assert script.main(["--fix", str(path)]) == 0
    out = capsys.readouterr().out
    assert "normalised" in out and "1 notebooks checked, 0 problems" in out


def test_check_notebooks_fix_writes_missing_install_cells(tmp_path, capsys):
    nb = _notebook()
    nb.cells = [cell for cell in nb.cells if not is_install_cell(cell)]
    path = _write(nb, tmp_path)
    script = _script()
    assert script.main([str(path)]) == 1
    assert "install cells (tagged kzoo-install)" in capsys.readouterr().out
    assert script.main(["--fix", str(path)]) == 0
    assert "wrote the install cells" in capsys.readouterr().out
    assert [is_install_cell(cell) for cell in course.read_notebook(path).cells[:3]] == [False, True, True]


def test_the_repository_notebooks_are_stored_stripped_and_follow_the_pattern():
    script = subprocess.run([sys.executable, str(REPO / "scripts" / "check_notebooks.py")],
                            capture_output=True, text=True)
    assert script.returncode == 0, script.stdout + script.stderr
