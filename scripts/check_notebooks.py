"""Check the course notebooks' stored format and structure (see notebooks/README.md).

    python scripts/check_notebooks.py            # check notebooks/ (sources and student/)
    python scripts/check_notebooks.py --fix      # strip outputs and metadata, write the install cells, then check
    python scripts/check_notebooks.py a.ipynb    # check given files

Format (every notebook): no outputs, execution counts null, minimal metadata. Structure (source
notebooks NN_*.ipynb outside student/): title and Colab badge, the generated install cells
(``kzoo.course.install``; ``--fix`` writes them and the student versions), the FAST parameters cell, exercises
with solutions between markers. Exits 1 and lists the problems when there are any.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kzoo.course import (fix_install_cells, format_problems, make_student_versions, normalize_file,
                         structure_problems)

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def main(argv: list[str] | None = None) -> int:
    """Check (and with ``--fix`` normalise) notebooks; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, help="notebooks to check (default: all of notebooks/)")
    parser.add_argument("--fix", action="store_true", help="rewrite notebooks in the stored format first")
    args = parser.parse_args(argv)
    paths = args.paths or sorted(NOTEBOOKS.rglob("*.ipynb"))
    sources = [p for p in paths if p.parent.name != "student" and p.name[:2].isdigit()]
    if args.fix:
        for path in paths:
            if normalize_file(path):
                print(f"normalised {path}")
        changed = [path for path in sources if fix_install_cells(path)]
        for path in changed:
            print(f"wrote the install cells of {path}")
        if changed and not args.paths:
            make_student_versions(NOTEBOOKS, NOTEBOOKS / "student")
            print("rewrote the student versions")
    problems = [problem for path in paths for problem in format_problems(path)]
    problems += [problem for path in sources for problem in structure_problems(path)]
    for problem in problems:
        print(problem)
    print(f"{len(paths)} notebooks checked, {len(problems)} problems"
          + ("" if not problems or args.fix else " (run with --fix to strip outputs and metadata)"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
