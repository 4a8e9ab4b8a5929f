"""The exercise rules (issue 13, item 5), checked over every course notebook.

- multiple-choice right answers are spread over the positions, and the right answer is not
  systematically the longest option;
- every notebook has an experiment exercise checked with a tolerance (``checks.in_range``);
- every notebook ends with a questionnaire: a ``## Questionnaire`` cell followed only by short checked questions;
- student stubs are ``answer = ...`` at the top level of a cell (``raise NotImplementedError()`` only
  inside a function body, where the check reports it as not answered yet);
- the answer of a numeric exercise is not printed before its check in the recorded full-mode run.
"""
import json
import re
from collections import Counter
from pathlib import Path

import pytest

import kzoo.exercises
from kzoo import course

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((REPO / "notebooks").glob(course.NOTEBOOK_PATTERN))
RECORDS = REPO / "bench" / "results" / "notebooks"
MAX_SHARE = 0.4  # of the course's multiple-choice right answers, at one position / being the longest option
QUESTIONNAIRE = "## Questionnaire"


def _kind(question) -> str:
    return question.checker.__qualname__.split(".")[0]


def options_of(question) -> list[str]:
    """The texts of a multiple-choice question's options, in order: the ``(a) ...; (b) ...`` parts of
    its prompt, or the options themselves when they are words (file names, say)."""
    options = [str(o) for o in question.checker.options]
    parts = re.split(r"\s*\(([a-z])\)\s+", question.prompt)
    texts = dict(zip(parts[1::2], (p.strip().rstrip(";.").strip() for p in parts[2::2])))
    return [texts[o] for o in options] if set(options) <= set(texts) else options


def right_position(question) -> int:
    """The index of the option the check accepts (the check is asked, not trusted to a field)."""
    right = [i for i, o in enumerate(question.checker.options) if question.check(o, quiet=True)]
    assert len(right) == 1, f"{question.id}: {len(right)} options are accepted as right"
    return right[0]


def _choice_questions():
    return [(number, q) for number in kzoo.exercises.notebooks()
            for q in kzoo.exercises.for_notebook(number).values() if _kind(q) == "choice"]


def test_right_answers_are_spread_over_the_positions():
    questions = _choice_questions()
    positions = Counter("abcdefgh"[right_position(q)] for _, q in questions)
    most, count = positions.most_common(1)[0]
    assert count <= MAX_SHARE * len(questions), (
        f"{count} of the course's {len(questions)} multiple-choice right answers are at position {most!r} "
        f"(at most {MAX_SHARE:.0%}): {dict(sorted(positions.items()))}; at {most!r}: "
        + ", ".join(f"nb{n} {q.id}" for n, q in questions if "abcdefgh"[right_position(q)] == most))


def test_the_right_answer_is_not_systematically_the_longest():
    questions = _choice_questions()
    longest = [f"nb{n} {q.id}" for n, q in questions
               if len(options_of(q)[right_position(q)]) == max(map(len, options_of(q)))]
    assert len(longest) <= MAX_SHARE * len(questions), (
        f"the right answer is the longest option in {len(longest)} of {len(questions)} multiple-choice "
        f"questions (at most {MAX_SHARE:.0%}): {', '.join(longest)}; write distractors as long and as plausible")


@pytest.mark.parametrize("number", kzoo.exercises.notebooks())
def test_every_notebook_has_an_experiment_checked_with_a_tolerance(number):
    kinds = {q.id: _kind(q) for q in kzoo.exercises.for_notebook(number).values()}
    assert "in_range" in kinds.values(), (f"notebook {number} has no experiment exercise checked with "
                                          f"checks.in_range (its checks: {kinds})")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_notebook_ends_with_a_questionnaire(path):
    cells = course.read_notebook(path).cells
    starts = [i for i, c in enumerate(cells) if c.cell_type == "markdown" and c.source.startswith(QUESTIONNAIRE)]
    assert starts, f"{path.name} has no {QUESTIONNAIRE!r} markdown cell after its exercises"
    after = cells[starts[-1] + 1:]
    checks = [c for c in after if c.cell_type == "code" and ".check(" in c.source]
    others = [c.source[:60] for c in after if c not in checks and c.cell_type != "markdown"]  # questions may sit between
    assert len(checks) >= 3 and not others, (
        f"{path.name}: the questionnaire must close the notebook with at least 3 checked questions; "
        f"it has {len(checks)}, followed by other cells {others}")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_student_stubs_are_answer_placeholders(path):
    student = course.student_version(course.read_notebook(path), path.name)
    for i, cell in enumerate(c for c in student.cells if c.cell_type == "code"):
        lines = cell.source.splitlines()
        for j, line in enumerate(lines):
            if line == course.ANSWER_STUB[0]:
                assert lines[j + 1] == course.ANSWER_STUB[1], f"{path.name} code cell {i}: top-level stub {lines[j + 1]!r}"
            assert line.strip() != "raise NotImplementedError()" or line.startswith(" "), (
                f"{path.name} code cell {i}: a top-level raise stops the cell before the check can speak")


def _numbers(line: str) -> list[float]:
    return [float(t) for t in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", line.replace(",", ""))]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_numeric_answers_are_not_printed_before_their_exercise(path):
    """In the recorded full-mode run, what a cell printed before the check's verdict must not hold the
    answer (checked for answers that cannot turn up by chance: not small whole numbers)."""
    number = path.name[:2]
    record_path = RECORDS / f"{number}.json"
    if number not in kzoo.exercises.notebooks() or not record_path.exists():
        pytest.skip(f"{path.name} has no exercises or no full-mode record")
    printed = json.loads(record_path.read_text(encoding="utf-8"))["printed"]
    shown = []
    for q in kzoo.exercises.for_notebook(number).values():
        expected = getattr(q.checker, "expected", None)
        verdict = next((i for i, line in enumerate(printed) if line.startswith(f"[{q.id}] ")), None)
        if expected is None or verdict is None or (expected == int(expected) and abs(expected) < 100):
            continue
        tol = 1e-6 * max(1.0, abs(expected))
        shown += [f"[{q.id}] answer {expected:g} in {line.strip()!r}" for line in printed[:verdict]
                  if not re.match(r"\[[\w-]+\] ", line) and any(abs(n - expected) <= tol for n in _numbers(line))]
    assert not shown, f"{path.name}: answers printed before their exercise:\n" + "\n".join(shown)


# --- the helpers' own logic ----------------------------------------------------------------------
def test_options_and_right_position_are_read_from_the_question():
    from kzoo.exercises import Question, checks

    q = Question("q", "Which? (a) one; (b) the longer one; (c) three.", check=checks.choice("abc", "b"),
                 hint="h", solution="s")
    assert options_of(q) == ["one", "the longer one", "three"] and right_position(q) == 1
    words = Question("w", "Which file?", check=checks.choice(["a.json", "README.md"], "README.md"),
                     hint="h", solution="s")
    assert options_of(words) == ["a.json", "README.md"] and right_position(words) == 1
