"""Argument checks shared by kzoo's public functions; each raises an InputError naming the argument."""
from __future__ import annotations

import numpy as np

from kzoo.errors import InputError


def whole_number(name: str, value, low: int = 1) -> int:
    """``value`` as an int if it is a whole number >= ``low`` (bools refused), else an InputError."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise InputError(f"{name} must be a whole number >= {low}, got {value!r}.")
    return int(value)
