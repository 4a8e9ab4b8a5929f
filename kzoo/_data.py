"""Turning what users pass as data ((x, y) arrays, lists of strings, tf.data datasets) into batches."""
from __future__ import annotations

import numpy as np

from kzoo.errors import InputError


def is_dataset(data) -> bool:
    """True for a ``tf.data.Dataset`` (checked without importing TensorFlow for other data)."""
    return type(data).__module__.startswith("tensorflow") and hasattr(data, "element_spec")


def to_dataset(data, *, batch_size: int = 32, preprocessor=None, shuffle: bool = False, seed: int = 0):
    """A batched ``tf.data.Dataset`` of ``x`` or ``(x, y)`` from arrays, a tuple, or a (batched) dataset.

    A KerasHub preprocessor, when given, is mapped over the batches (tokenising strings, for example).
    """
    import tensorflow as tf

    if is_dataset(data):
        ds = data
    else:
        if isinstance(data, tuple):
            if len(data) != 2:
                raise InputError(f"data as a tuple must be (x, y), got a tuple of {len(data)} items.")
            x, y = (np.asarray(a) for a in data)
            if len(x) != len(y):
                raise InputError(f"x has {len(x)} examples but y has {len(y)} labels; they must match.")
            ds = tf.data.Dataset.from_tensor_slices((x, y))
        else:
            ds = tf.data.Dataset.from_tensor_slices(np.asarray(data))
        if shuffle:
            ds = ds.shuffle(len(data[0]) if isinstance(data, tuple) else len(data), seed=seed)
        ds = ds.batch(batch_size)
    if preprocessor is not None:
        ds = ds.map(preprocessor, num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)


def labels_of(data) -> np.ndarray | None:
    """The labels of ``(x, y)`` data as a numpy array (None for unlabelled or dataset input)."""
    if isinstance(data, tuple) and len(data) == 2:
        return np.asarray(data[1])
    return None


def check_inputs(model, data) -> None:
    """Refuse array input whose example shape differs from what ``model`` takes, saying how to fix it."""
    if getattr(model, "preprocessor", None) is not None or len(model.inputs) != 1 or is_dataset(data):
        return
    x = data[0] if isinstance(data, tuple) else data
    expected, got = tuple(model.inputs[0].shape[1:]), np.shape(x)[1:]
    if len(got) == len(expected) and all(e is None or e == g for e, g in zip(expected, got)):
        return
    hint = ""
    if len(expected) == 3 and len(got) == 3 and expected[-1] != got[-1]:
        hint = (f" The model wants {expected[-1]} channel(s) and got {got[-1]}: convert the images "
                "(grey to RGB: np.repeat(x, 3, axis=-1)).")
    raise InputError(f"{model.name} takes examples of shape {expected} but got {tuple(got)}.{hint} "
                     "kzoo.info(name).input_shape says what a zoo model takes; resize images to it.")
