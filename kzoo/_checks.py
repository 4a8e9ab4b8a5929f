"""Argument checks shared by kzoo's public functions; each raises an InputError naming the argument."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from kzoo.errors import InputError


_BOUNDS = {"both": (True, True), "left": (True, False), "right": (False, True), "neither": (False, False)}


def check_scalar(name: str, value, target_type: type = float, *, min_val=None, max_val=None,
                 include_boundaries: str = "both"):
    """``value`` as an ``int`` or ``float`` if it is a finite number of ``target_type`` in range, else an InputError.

    scikit-learn's ``check_scalar`` in kzoo's words: numpy scalars are accepted, bools are refused,
    ``target_type=float`` takes ints too, and every message has one shape, e.g.
    ``lr == nan, must be a finite number > 0``.

    Args:
        name: the argument's name, as the user wrote it.
        value: what the user passed.
        target_type: ``int`` (whole numbers) or ``float`` (any real number).
        min_val: the lower bound, or None.
        max_val: the upper bound, or None.
        include_boundaries: which bounds are allowed values: ``"both"``, ``"left"``, ``"right"``, ``"neither"``.

    Example:
        >>> check_scalar("epochs", np.int64(3), int, min_val=0)
        3
        >>> check_scalar("lr", float("nan"), min_val=0, include_boundaries="neither")
        Traceback (most recent call last):
        kzoo.errors.InputError: lr == nan, must be a finite number > 0.
    """
    low_ok, high_ok = _BOUNDS[include_boundaries]
    wants = "an int" if target_type is int else "a finite number"
    if min_val is not None and max_val is not None:
        must = f"{wants} in {'[' if low_ok else '('}{min_val}, {max_val}{']' if high_ok else ')'}"
    elif min_val is not None:
        must = f"{wants} {'>=' if low_ok else '>'} {min_val}"
    elif max_val is not None:
        must = f"{wants} {'<=' if high_ok else '<'} {max_val}"
    else:
        must = wants
    kinds = (int, np.integer) if target_type is int else (int, float, np.integer, np.floating)
    ok = isinstance(value, kinds) and not isinstance(value, (bool, np.bool_)) and bool(np.isfinite(value))
    if ok and min_val is not None:
        ok = value >= min_val if low_ok else value > min_val
    if ok and max_val is not None:
        ok = value <= max_val if high_ok else value < max_val
    if not ok:
        shown = value if isinstance(value, (int, float, np.number)) else repr(value)
        raise InputError(f"{name} == {shown}, must be {must}.")
    return int(value) if target_type is int else float(value)


def whole_number(name: str, value, low: int = 1) -> int:
    """``value`` as an int if it is an int >= ``low`` (``check_scalar`` with ``int``).

    Example:
        >>> whole_number("epochs", np.int64(5)), whole_number("head_epochs", 0, low=0)
        (5, 0)
    """
    return check_scalar(name, value, int, min_val=low)


def positive_number(name: str, value) -> float:
    """``value`` as a float if it is a finite number > 0 (``check_scalar`` with ``min_val=0``, excluded).

    Example:
        >>> positive_number("lr", 0)
        Traceback (most recent call last):
        kzoo.errors.InputError: lr == 0, must be a finite number > 0.
    """
    return check_scalar(name, value, float, min_val=0, include_boundaries="neither")


def fraction(name: str, value) -> float:
    """``value`` as a float if it is a number in [0, 1).

    Example:
        >>> fraction("dropout", 0.2)
        0.2
    """
    return check_scalar(name, value, float, min_val=0, max_val=1, include_boundaries="left")


def class_names(names, num_classes=None, *, name: str = "class_names") -> list[str]:
    """Validated class names as a list of str: a non-string sequence, no duplicates, one per class.

    With ``num_classes`` and no ``names``, the defaults ``class_0`` ... are returned; with both,
    their lengths must agree.

    Example:
        >>> class_names(("cat", "dog"))
        ['cat', 'dog']
        >>> class_names(None, 2)
        ['class_0', 'class_1']
    """
    if names is not None:
        if isinstance(names, (str, bytes)) or not isinstance(names, Sequence):
            raise InputError(f"{name} must be a non-empty list of strings, e.g. ['cat', 'dog'], "
                             f"got {type(names).__name__}.")
        names = [str(n) for n in names]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise InputError(f"{name} has duplicates: {dup}. Each class needs its own name.")
    if num_classes is None:
        if names is None:
            raise InputError(f"give num_classes (an int >= 1) or a non-empty list of {name}.")
        if not names:
            raise InputError(f"{name} must be a non-empty list of strings, e.g. ['cat', 'dog'], got [].")
        return names
    num_classes = whole_number("num_classes", num_classes)
    if names is None:
        return [f"class_{i}" for i in range(num_classes)]
    if len(names) != num_classes:
        raise InputError(
            f"num_classes == {num_classes} but {len(names)} {name} were given; pass one name per "
            "class (or leave num_classes out and it follows the names).")
    return names


def labelled_pair(data, what: str = "data", *, class_indices: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """``data`` as ``(x, y)`` numpy arrays of one non-zero length with 1-D labels ``y``, else an InputError.

    With ``class_indices`` the labels must also be integers >= 0, what Keras's sparse losses take.

    Example:
        >>> x, y = labelled_pair(([[0.0], [1.0]], [0, 1]), "train", class_indices=True)
        >>> x.shape, y.tolist()
        ((2, 1), [0, 1])
        >>> labelled_pair(([[0.0], [1.0]], [0]), "train")
        Traceback (most recent call last):
        kzoo.errors.InputError: train: x has 2 examples but y has 1 labels; they must match.
    """
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise InputError(f"{what} must be an (x, y) pair of numpy arrays (e.g. from "
                         f"kzoo.datasets.load(..., as_numpy=True)), got {type(data).__name__}.")
    x, y = np.asarray(data[0]), np.asarray(data[1])
    if y.ndim != 1:
        raise InputError(f"{what}: y must be a 1-D array of labels, got shape {y.shape}.")
    if x.ndim == 0 or len(x) != len(y):
        raise InputError(f"{what}: x has {len(x) if x.ndim else 0} examples but y has {len(y)} labels; "
                         "they must match.")
    if len(y) == 0:
        raise InputError(f"{what} is empty: it has no examples.")
    if class_indices and (not np.issubdtype(y.dtype, np.integer) or y.min() < 0):
        raise InputError(f"{what}: labels must be integer class indices >= 0 (0 .. number of classes - 1), "
                         f"got dtype {y.dtype} with values from {y.min()!r} to {y.max()!r}.")
    return x, y
