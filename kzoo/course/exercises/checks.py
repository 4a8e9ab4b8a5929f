"""Checkers for the common kinds of answer: a number, a choice, a Keras model, a function.

Each factory returns a checker: a function ``answer -> (correct, message)`` for ``Question(check=...)``.
A wrong answer's message says what is wrong with it (the type, the direction it is off, which layer
still trains, which input the function got wrong), and ``mistakes`` maps the wrong answers students
commonly give to the misunderstanding behind them.
"""
from __future__ import annotations

import math
import numbers
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from kzoo.errors import InputError
from kzoo.course.exercises.question import Checker


def _describe(value: Any) -> str:
    """A short description of a value for messages (arrays by shape, long reprs cut)."""
    if isinstance(value, np.ndarray) and value.size > 8:
        return f"an array of shape {value.shape}"
    text = repr(value.tolist() if isinstance(value, np.ndarray) else value)
    return text if len(text) <= 80 else text[:77] + "..."


def _as_number(answer: Any) -> tuple[float | None, str]:
    """(the answer as a float, "") or (None, why it is not a number)."""
    if isinstance(answer, (bool, np.bool_)):
        return None, f"{answer!r} is a truth value; the answer is a number."
    if isinstance(answer, str):
        return None, f"{answer!r} is a string; give the number itself, without quotes."
    if isinstance(answer, np.ndarray) and answer.size == 1:
        answer = answer.reshape(()).item()
    elif hasattr(answer, "shape") and not isinstance(answer, np.ndarray) and tuple(answer.shape) == ():
        answer = float(answer)  # a 0-d backend tensor
    if not isinstance(answer, numbers.Real):
        return None, f"expected a single number, got {type(answer).__name__} {_describe(answer)}."
    if not math.isfinite(answer):
        return None, f"{answer} is not a finite number."
    return float(answer), ""


def _check_mistakes(mistakes: Mapping | None) -> dict:
    if mistakes is not None and not isinstance(mistakes, Mapping):
        raise InputError(f"mistakes must map wrong answers to explanations, got {type(mistakes).__name__}.")
    return dict(mistakes or {})


def _known_mistake(value: float, mistakes: dict, tol: float) -> str | None:
    for wrong, why in mistakes.items():
        if abs(value - float(wrong)) <= tol:
            return why
    return None


def close_to(expected: float, *, abs_tol: float = 0.0, rel_tol: float = 1e-9,
             mistakes: Mapping[float, str] | None = None) -> Checker:
    """A number equal to ``expected`` within a tolerance.

    Args:
        expected: the right value.
        abs_tol: allowed absolute difference.
        rel_tol: allowed difference relative to ``expected`` (the larger tolerance wins).
        mistakes: common wrong values -> the explanation to show (matched within the tolerance).

    Returns:
        A checker (``check.expected`` is the right value); a wrong answer is told whether it is too high or
        too low, not the answer.

    Raises:
        kzoo.InputError: a non-finite ``expected`` or a negative tolerance.

    Example:
        >>> check = close_to(1290, mistakes={1280: "you forgot the biases."})
        >>> check(1280)
        (False, '1280 is not right: you forgot the biases.')
    """
    value, why = _as_number(expected)
    if value is None or abs_tol < 0 or rel_tol < 0:
        raise InputError(f"close_to needs a finite expected value and tolerances >= 0 ({why or 'tolerance'}).")
    mistakes = _check_mistakes(mistakes)
    tol = max(abs_tol, rel_tol * abs(value))

    def check(answer):
        got, why = _as_number(answer)
        if got is None:
            return False, why
        if abs(got - value) <= tol:
            return True, f"{answer} is right." if abs_tol == 0 and rel_tol <= 1e-9 else \
                f"{answer} is right (within {tol:g} of the exact value)."
        known = _known_mistake(got, mistakes, tol)
        if known:
            return False, f"{answer} is not right: {known}"
        return False, f"{answer} is too {'high' if got > value else 'low'}."

    check.expected = value
    return check


def in_range(low: float, high: float, *, mistakes: Mapping[float, str] | None = None) -> Checker:
    """A number in the closed interval ``[low, high]`` (for measured values that vary by run).

    Args:
        low: smallest right value.
        high: largest right value.
        mistakes: common wrong values -> the explanation to show.

    Returns:
        A checker (``check.range`` is ``(low, high)``).

    Raises:
        kzoo.InputError: ``low > high`` or non-numbers.

    Example:
        >>> in_range(0.0, 1.0)(95)
        (False, '95 is above the range of sensible answers [0, 1]: a fraction, not a percentage?')
    """
    lo, _ = _as_number(low)
    hi, _ = _as_number(high)
    if lo is None or hi is None or lo > hi:
        raise InputError(f"in_range needs numbers low <= high, got {low!r}, {high!r}.")
    mistakes = _check_mistakes(mistakes)

    def check(answer):
        got, why = _as_number(answer)
        if got is None:
            return False, why
        if lo <= got <= hi:
            return True, f"{answer} is in the range of right answers [{lo:g}, {hi:g}]."
        known = _known_mistake(got, mistakes, 0.0)
        if known:
            return False, f"{answer} is not right: {known}"
        side = "above" if got > hi else "below"
        message = f"{answer} is {side} the range of sensible answers [{lo:g}, {hi:g}]"
        if side == "above" and hi <= 1 < got <= 100:
            message += ": a fraction, not a percentage?"
        return False, message + ("" if message.endswith("?") else ".")

    check.range = (lo, hi)
    return check


def _normalise_choice(value: Any) -> Any:
    return value.strip().strip("()").lower() if isinstance(value, str) else value


def choice(options: Sequence, correct: Any, *, why_not: Mapping | None = None) -> Checker:
    """One of a fixed set of options (letters such as ``"a"``, or words; case and spaces ignored).

    Args:
        options: the valid answers, e.g. ``["a", "b", "c", "d"]``.
        correct: the right option.
        why_not: wrong option -> why it is wrong (shown when it is picked).

    Returns:
        A checker (``check.options`` lists the options).

    Raises:
        kzoo.InputError: ``correct`` or a ``why_not`` key is not among ``options``.

    Example:
        >>> check = choice("abc", "b", why_not={"a": "that would normalise twice."})
        >>> check("A")
        (False, "'A' is not right: that would normalise twice.")
    """
    valid = [_normalise_choice(o) for o in options]
    why_not = {_normalise_choice(k): v for k, v in (why_not or {}).items()}
    if _normalise_choice(correct) not in valid or not set(why_not) <= set(valid):
        raise InputError(f"choice: correct={correct!r} and every why_not key must be among the options {list(options)}.")

    def check(answer):
        picked = _normalise_choice(answer)
        if picked not in valid:
            return False, f"{answer!r} is not one of the options {', '.join(map(str, options))}."
        if picked == _normalise_choice(correct):
            return True, f"{answer!r} is right."
        return False, f"{answer!r} is not right" + (f": {why_not[picked]}" if picked in why_not else ".")

    check.options = list(options)
    return check


def model_with(*, output_shape: tuple | None = None, class_names: Sequence[str] | None = None,
               trainable: Sequence[str] | None = None) -> Checker:
    """A ``keras.Model`` with the given properties.

    Args:
        output_shape: the model's ``output_shape``, e.g. ``(None, 10)``.
        class_names: the classifier's class names (``kzoo.class_names(model)``).
        trainable: the names of exactly the layers that must train (every other layer with weights
            must be frozen), e.g. ``["head"]`` for a frozen body with a trainable head.

    Returns:
        A checker; a wrong model is told which property differs, and for trainability which layers
        train that should not (or the reverse).

    Raises:
        kzoo.InputError: no property given.

    Example:
        >>> import keras
        >>> check = model_with(output_shape=(None, 2))
        >>> check(keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)]))[1]
        'the output shape is (None, 3), not (None, 2): check the size of the new head.'
    """
    if output_shape is None and class_names is None and trainable is None:
        raise InputError("model_with needs at least one of output_shape, class_names, trainable.")

    def check(answer):
        import keras

        from kzoo._graph import weight_layers

        if not isinstance(answer, keras.Model):
            return False, f"expected a keras.Model, got {type(answer).__name__} {_describe(answer)}."
        if output_shape is not None and tuple(answer.output_shape) != tuple(output_shape):
            return False, (f"the output shape is {tuple(answer.output_shape)}, not {tuple(output_shape)}: "
                           "check the size of the new head.")
        if class_names is not None:
            from kzoo.heads import class_names as names_of

            got = names_of(answer)
            if got != list(class_names):
                return False, (f"the class names are {_describe(got)}, expected {_describe(list(class_names))} "
                               "(in that order).")
        if trainable is not None:
            trains = {id(w) for w in answer.trainable_weights}
            layers = weight_layers(answer)
            training = {layer.name for layer in layers if any(id(w) in trains for w in layer.weights)}
            missing = sorted(set(trainable) - {layer.name for layer in layers})
            if missing:
                return False, f"the model has no layer with weights named {missing}."
            frozen_wrongly = sorted(set(trainable) - training)
            if frozen_wrongly:
                return False, f"{frozen_wrongly} should train but {'is' if len(frozen_wrongly) == 1 else 'are'} frozen."
            extra = [name for name in (layer.name for layer in layers) if name in training - set(trainable)]
            if extra:
                shown = ", ".join(extra[:3]) + (f" and {len(extra) - 3} more" if len(extra) > 3 else "")
                return False, (f"{len(extra)} layer(s) train that should be frozen ({shown}); only "
                               f"{list(trainable)} should train (kzoo.freeze freezes all but the head).")
        return True, "the model has the right " + ", ".join(
            name for name, want in (("output shape", output_shape), ("class names", class_names),
                                    ("trainable layers", trainable)) if want is not None) + "."

    return check


def _equal(result, expected) -> bool:
    """Whether a function's result equals the expected value: numbers within np.allclose, sequences element
    by element in order (a list, a tuple or a numpy array of the same elements are equal), anything else ==."""
    if isinstance(expected, (list, tuple)):
        items = result.tolist() if isinstance(result, np.ndarray) else result
        return (isinstance(items, (list, tuple)) and len(items) == len(expected)
                and all(_equal(r, e) for r, e in zip(items, expected)))
    if isinstance(expected, (np.ndarray, float)) or isinstance(result, np.ndarray):
        try:
            return np.shape(result) == np.shape(expected) and bool(np.allclose(result, expected))
        except (TypeError, ValueError):
            return False
    return bool(result == expected)


def function_of(cases: Sequence[tuple[tuple, Any]], *,
                verify: Callable[[Any, tuple], str | None] | None = None) -> Checker:
    """A function that gives the right result on each test input.

    Args:
        cases: ``(args, expected)`` pairs; the answer is called as ``answer(*args)``. Results are
            compared with ``np.allclose`` for numbers and arrays, element by element and in order for
            sequences (a list, tuple or numpy array of the right elements is right), ``==`` otherwise.
        verify: instead of comparing with ``expected``, call ``verify(result, args)``: None when
            right, else why it is wrong (for answers with many right results, e.g. random samples).

    Returns:
        A checker; a wrong function is told the first input it got wrong, what it returned and
        what was expected (or what ``verify`` said), or what it raised.

    Raises:
        kzoo.InputError: no cases.

    Example:
        >>> check = function_of([((2, 3), 5), ((0, 0), 0)])
        >>> check(lambda a, b: a * b)
        (False, 'for input (2, 3) it returned 6, expected 5.')
    """
    cases = list(cases)
    if not cases or not all(isinstance(c, tuple) and len(c) == 2 and isinstance(c[0], tuple) for c in cases):
        raise InputError("function_of needs a non-empty list of (args_tuple, expected) pairs.")

    def check(answer):
        if not callable(answer):
            return False, f"expected a function, got {type(answer).__name__} {_describe(answer)}."
        for args, expected in cases:
            shown = "(" + ", ".join(_describe(a) for a in args) + ")"
            try:
                result = answer(*args)
            except NotImplementedError:
                raise
            except Exception as err:  # noqa: BLE001 - the student's code may raise anything
                return False, f"for input {shown} it raised {type(err).__name__}: {err}"
            problem = verify(result, args) if verify else (
                None if _equal(result, expected) else
                f"it returned {_describe(result)}, expected {_describe(expected)}.")
            if problem:
                return False, f"for input {shown} {problem}"
        return True, f"it gives the right result on all {len(cases)} test inputs."

    return check
