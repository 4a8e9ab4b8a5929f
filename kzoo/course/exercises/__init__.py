"""Exercises for the course notebooks: ``Question`` objects whose ``check`` says why an answer is wrong.

Each notebook ``NN_name.ipynb`` has a module ``kzoo/course/exercises/nbNN.py`` defining ``QUESTIONS``, a tuple
of ``Question``. A notebook gets them with ``for_notebook("NN")``:

    questions = kzoo.exercises.for_notebook("01")
    questions["head_params"].check(1290)   # prints the verdict and returns it (truthy when right)
    questions["head_params"].hint()
    questions["head_params"].solution()

To add questions for notebook 02, write ``kzoo/course/exercises/nb02.py`` with ``QUESTIONS = (Question(...),
...)`` built from the checkers in ``kzoo.course.exercises.checks``; ``for_notebook("02")`` finds it.
"""
from __future__ import annotations

import importlib
import pkgutil
import re

from kzoo.errors import InputError, UnknownNameError
from kzoo.course.exercises import checks
from kzoo.course.exercises.question import Question, Verdict

__all__ = ["Question", "Verdict", "checks", "for_notebook", "notebooks"]


def notebooks() -> list[str]:
    """The notebook numbers that have exercises, e.g. ``["00", "01"]``.

    Example:
        >>> import kzoo.exercises
        >>> kzoo.exercises.notebooks()[:2]
        ['00', '01']
    """
    return sorted(m.name[2:] for m in pkgutil.iter_modules(__path__) if re.fullmatch(r"nb\d\d", m.name))


def for_notebook(number: str | int) -> dict[str, Question]:
    """The exercises of one notebook, by id, in the order the notebook asks them.

    Args:
        number: the notebook's number, ``"01"`` or ``1``.

    Returns:
        A dict ``id -> Question``.

    Raises:
        kzoo.InputError: ``number`` is not a notebook number (0-99).
        kzoo.UnknownNameError: that notebook has no exercises (the message lists those that do).

    Example:
        >>> import kzoo.exercises
        >>> list(kzoo.exercises.for_notebook("00"))
        ['head_params', 'preprocessing', 'top_k', 'new_head', 'scaled_twice', 'logits', 'offline', 'uniform']
    """
    if isinstance(number, bool) or not isinstance(number, (str, int)):
        raise InputError(f"number must be a notebook number such as '01' or 1, got {number!r}.")
    text = f"{number:02d}" if isinstance(number, int) else number.strip()
    if not re.fullmatch(r"\d\d", text):
        raise InputError(f"number must be two digits such as '01' (or an int 0-99), got {number!r}.")
    if text not in notebooks():
        raise UnknownNameError(f"Notebook {text} has no exercises; these do: {', '.join(notebooks())}.")
    questions = importlib.import_module(f"{__name__}.nb{text}").QUESTIONS
    by_id = {q.id: q for q in questions}
    if len(by_id) != len(questions):
        raise InputError(f"kzoo/course/exercises/nb{text}.py defines two questions with the same id.")
    return by_id
