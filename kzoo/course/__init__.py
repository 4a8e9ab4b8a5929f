"""The course around the library: notebook tooling, the exercises, and the ``kzoo demo`` experiment.

- ``kzoo.course.notebooks``: the notebooks' stored format and structure, and their student versions
  (its names are re-exported here: ``from kzoo import course; course.make_student_versions(...)``);
- ``kzoo.course.source``: where the project lives (repository, docs site, Colab), read from pyproject.toml;
- ``kzoo.course.install``: the install cells that open every notebook (Colab, fresh kernels);
- ``kzoo.course.executed``: the executed copies the docs site renders, and when they are stale;
- ``kzoo.course.exercises``: the notebooks' questions and checkers (also importable as ``kzoo.exercises``,
  the name the notebooks use);
- ``kzoo.course.demo``: ``kzoo demo``, scratch vs option 1 vs option 2 on real handwritten digits.

``kzoo.compare`` stays a library module: ``data_efficiency`` measures any zoo model on any data, and
the demo and notebook 04 are two of its users.
"""
from kzoo.course.notebooks import (BEGIN_SOLUTION, CODE_STUB, COLAB_URL, END_SOLUTION, FAST_MARKER,
                                   MARKDOWN_STUB, NOTEBOOK_METADATA, NOTEBOOK_PATTERN, STUDENT_NOTE,
                                   fix_install_cells, format_problems, make_student_versions, normalize_file,
                                   normalized, read_notebook, solution_blocks, structure_problems,
                                   student_version, student_version_problems, student_versions_up_to_date)

__all__ = [
    "BEGIN_SOLUTION", "CODE_STUB", "COLAB_URL", "END_SOLUTION", "FAST_MARKER", "MARKDOWN_STUB",
    "NOTEBOOK_METADATA", "NOTEBOOK_PATTERN", "STUDENT_NOTE", "fix_install_cells", "format_problems",
    "make_student_versions", "normalize_file", "normalized", "read_notebook", "solution_blocks",
    "structure_problems", "student_version", "student_version_problems", "student_versions_up_to_date",
]
