"""Argument checks shared by kzoo's public functions; each raises an InputError naming the argument."""
from __future__ import annotations

import numpy as np

from kzoo.errors import InputError


def _is_real(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def whole_number(name: str, value, low: int = 1) -> int:
    """``value`` as an int if it is an int >= ``low`` (bools refused), else an InputError."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise InputError(f"{name} must be an int >= {low}, got {value!r}.")
    return int(value)


def positive_number(name: str, value) -> float:
    """``value`` as a float if it is a number > 0 (bools refused), else an InputError."""
    if not _is_real(value) or not value > 0:
        raise InputError(f"{name} must be a positive number, got {value!r}.")
    return float(value)


def fraction(name: str, value) -> float:
    """``value`` as a float if it is a number in [0, 1) (bools refused), else an InputError."""
    if not _is_real(value) or not 0 <= value < 1:
        raise InputError(f"{name} must be a number in [0, 1), got {value!r}.")
    return float(value)


def labelled_pair(data, what: str = "data", *, class_indices: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """``data`` as ``(x, y)`` numpy arrays of one non-zero length with 1-D labels ``y``, else an InputError.

    With ``class_indices`` the labels must also be integers >= 0, what Keras's sparse losses take.
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
