"""What the machine offers (CPUs, GPUs, TPUs) and the two choices kzoo makes from it automatically:
mixed precision on a GPU and data parallelism across several devices (``keras.distribution``)."""
from __future__ import annotations

import contextlib

import keras
import numpy as np

from kzoo.errors import InputError


def accelerators() -> list[str]:
    """Names of the GPU/TPU devices Keras can use on the current backend (empty on a CPU machine).

    Example:
        >>> import kzoo
        >>> isinstance(kzoo.devices.accelerators(), list)
        True
    """
    return [d for d in keras.distribution.list_devices() if not d.lower().startswith("cpu")]


def auto_dtype_policy() -> str:
    """``"mixed_bfloat16"`` on a GPU/TPU (half the memory traffic, same range as float32), else ``"float32"``.

    Example:
        >>> from kzoo.devices import accelerators, auto_dtype_policy
        >>> auto_dtype_policy() == ("mixed_bfloat16" if accelerators() else "float32")
        True
    """
    return "mixed_bfloat16" if accelerators() else "float32"


@contextlib.contextmanager
def build_scope(mixed_precision: bool | None = None):
    """Build models inside this block to get kzoo's automatic device choices.

    * ``mixed_precision=None`` (auto): mixed bfloat16 when an accelerator is present. Heads stay float32.
    * Several devices on the JAX backend and no distribution set: ``keras.distribution.DataParallel``
      over all of them, so ``fit`` splits each batch across the devices.

    Raises:
        kzoo.InputError: ``mixed_precision`` is not True, False or None (a string such as ``"false"``
            would otherwise count as on).

    Example:
        >>> import keras, kzoo
        >>> with kzoo.devices.build_scope(mixed_precision=False):
        ...     layer = keras.layers.Dense(2)
        >>> layer.dtype_policy.name
        'float32'
    """
    if mixed_precision is not None and not isinstance(mixed_precision, (bool, np.bool_)):
        raise InputError(f"mixed_precision == {mixed_precision!r}, must be True, False or None (auto).")
    if keras.backend.backend() == "jax" and keras.distribution.distribution() is None:
        devices = keras.distribution.list_devices()
        if len(devices) > 1:
            keras.distribution.set_distribution(keras.distribution.DataParallel(devices=devices))
    policy = auto_dtype_policy() if mixed_precision is None else (
        "mixed_bfloat16" if mixed_precision else "float32")
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(policy)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)
