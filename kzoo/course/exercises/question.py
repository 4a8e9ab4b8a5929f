"""``Question`` and ``Verdict``: one exercise, and what its check says about an answer."""
from __future__ import annotations

import dataclasses
from typing import Any, Callable

from kzoo.errors import InputError

# What a student leaves in an answer cell before answering.
_PLACEHOLDERS = (None, Ellipsis)
NOT_ANSWERED = "No answer yet: replace the ... (or None) with your answer and run the cell again."


@dataclasses.dataclass(frozen=True)
class Verdict:
    """The result of checking one answer.

    It is truthy exactly when the answer is right, so ``assert q.check(answer)`` works.

    Attributes:
        correct: whether the answer is right.
        message: why (for a wrong answer, what is wrong and what to look at).
        question_id: the question it answers.
        printed: whether ``Question.check`` printed it already (so a notebook does not show it twice).

    Example:
        >>> from kzoo.exercises import Question, checks
        >>> q = Question("two", "What is 1 + 1?", check=checks.close_to(2), hint="Count.", solution="2")
        >>> verdict = q.check(3, quiet=True)
        >>> verdict
        Verdict(correct=False, message='3 is too high.', question_id='two')
        >>> print(verdict)
        [two] Not yet: 3 is too high.
        >>> bool(verdict), bool(q.check(2, quiet=True))
        (False, True)
    """

    correct: bool
    message: str
    question_id: str = ""
    printed: bool = dataclasses.field(default=False, repr=False, compare=False)

    def __bool__(self) -> bool:
        return self.correct

    def _ipython_display_(self) -> None:
        if not self.printed:
            print(self)

    def __str__(self) -> str:
        mark = "Correct" if self.correct else "Not yet"
        label = f"[{self.question_id}] " if self.question_id else ""
        return f"{label}{mark}: {self.message}"


# A checker takes the answer and returns (correct, message): for a right answer what was checked,
# for a wrong one why it is wrong.
Checker = Callable[[Any], "tuple[bool, str]"]


class Question:
    """One exercise: a prompt, a checker, a hint and a worked solution.

    Args:
        id: short name, unique within its notebook (e.g. ``"head_params"``).
        prompt: the question as the student reads it.
        check: a checker from ``kzoo.course.exercises.checks``, or any function ``answer -> (correct,
            message)`` whose message says, for a wrong answer, why it is wrong.
        hint: a nudge that does not give the answer away.
        solution: a worked solution (code or prose).

    Raises:
        kzoo.InputError: an empty id/prompt/hint/solution or a ``check`` that is not callable.

    Example:
        >>> from kzoo.exercises import Question, checks
        >>> q = Question("two", "What is 1 + 1?", check=checks.close_to(2), hint="Count.", solution="2")
        >>> bool(q.check(3, quiet=True))
        False
        >>> bool(q.check(2, quiet=True))
        True
    """

    def __init__(self, id: str, prompt: str, *, check: Checker, hint: str, solution: str):
        for name, value in (("id", id), ("prompt", prompt), ("hint", hint), ("solution", solution)):
            if not isinstance(value, str) or not value.strip():
                raise InputError(f"Question {name} must be a non-empty string, got {value!r}.")
        if not callable(check):
            raise InputError(f"Question {id!r}: check must be a function answer -> (correct, message), "
                             f"got {type(check).__name__}.")
        self.id = id
        self.prompt = prompt
        self._check = check
        self._hint = hint
        self._solution = solution

    def __repr__(self) -> str:
        return f"Question({self.id!r}: {self.prompt})"

    @property
    def checker(self) -> Checker:
        """The checker this question was built with (``checks.choice`` ones list their ``options``).

        Example:
            >>> from kzoo.exercises import for_notebook
            >>> for_notebook("00")["head_params"].checker.expected
            1281000.0
        """
        return self._check

    def check(self, answer: Any, *, quiet: bool = False) -> Verdict:
        """Check an answer, print the verdict (unless ``quiet``) and return it.

        Args:
            answer: the student's answer (a number, a choice, a model, a function...).
            quiet: do not print.

        Returns:
            A ``Verdict``, truthy when the answer is right. Errors raised while checking (a
            student function that crashes, say) become a wrong verdict that names them.

        Example:
            >>> from kzoo.exercises import Question, checks
            >>> q = Question("n", "Pick a number near 1.", check=checks.close_to(1, abs_tol=0.1),
            ...              hint="1", solution="1")
            >>> q.check(..., quiet=True).message
            'No answer yet: replace the ... (or None) with your answer and run the cell again.'
        """
        if any(answer is p for p in _PLACEHOLDERS):
            correct, message = False, NOT_ANSWERED
        else:
            try:
                correct, message = self._check(answer)
            except NotImplementedError:  # a student function whose body is still the stub
                correct, message = False, ("No answer yet: replace the '# YOUR CODE HERE' part of the "
                                           "function with your code and run the cell again.")
            except Exception as err:  # noqa: BLE001 - any crash while checking is a wrong answer
                correct, message = False, f"checking it raised {type(err).__name__}: {err}"
        verdict = Verdict(bool(correct), message, self.id, printed=not quiet)
        if not quiet:
            print(verdict)
        return verdict

    def hint(self) -> None:
        """Print the hint.

        Example:
            >>> from kzoo.exercises import for_notebook
            >>> for_notebook("00")["uniform"].hint()
            Hint [uniform]: The probabilities of all classes sum to 1.
        """
        print(f"Hint [{self.id}]: {self._hint}")

    def solution(self) -> None:
        """Print the worked solution.

        Example:
            >>> from kzoo.exercises import for_notebook
            >>> for_notebook("00")["preprocessing"].solution()  # doctest: +ELLIPSIS
            Solution [preprocessing]:
            (c): kzoo puts a Rescaling...
        """
        print(f"Solution [{self.id}]:\n{self._solution}")
