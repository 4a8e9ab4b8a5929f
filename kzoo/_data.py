"""Turning what users pass as data ((x, y) arrays, lists of strings, tf.data datasets) into batches."""
from __future__ import annotations

import numpy as np

from kzoo.errors import InputError


def is_dataset(data) -> bool:
    """True for a ``tf.data.Dataset`` (checked without importing TensorFlow for other data)."""
    return type(data).__module__.startswith("tensorflow") and hasattr(data, "element_spec")


def _arrays(data):
    """``(x, y)`` numpy arrays (``y`` None for bare ``x``), with the tuple's shape checked."""
    if isinstance(data, tuple):
        if len(data) != 2:
            raise InputError(f"data as a tuple must be (x, y), got a tuple of {len(data)} items.")
        x, y = (np.asarray(a) for a in data)
        if len(x) != len(y):
            raise InputError(f"x has {len(x)} examples but y has {len(y)} labels; they must match.")
        return x, y
    return np.asarray(data), None


def to_dataset(data, *, batch_size: int = 32, preprocessor=None, shuffle: bool = False, seed: int = 0):
    """A batched ``tf.data.Dataset`` of ``x`` or ``(x, y)`` from arrays, a tuple, or a (batched) dataset.

    A KerasHub preprocessor, when given, is mapped over the batches (tokenising strings, for example).
    """
    import tensorflow as tf

    if is_dataset(data):
        ds = data
    else:
        x, y = _arrays(data)
        ds = tf.data.Dataset.from_tensor_slices(x if y is None else (x, y))
        if shuffle:
            ds = ds.shuffle(len(x), seed=seed)
        ds = ds.batch(batch_size)
    if preprocessor is not None:
        ds = ds.map(preprocessor, num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)


def wants_tf_data(data) -> bool:
    """Whether ``data`` goes through tf.data: a dataset, or arrays on the TensorFlow backend (where Keras
    would rebuild a pipeline from arrays every epoch). Elsewhere arrays are batched in numpy, so the JAX
    and PyTorch backends run without TensorFlow installed."""
    import keras

    return is_dataset(data) or keras.backend.backend() == "tensorflow"


def batches(data, *, batch_size: int = 32, preprocessor=None):
    """Numpy batches of ``x`` or ``(x, y)``, in order, through tf.data only where ``wants_tf_data`` says so.

    A KerasHub preprocessor is applied to each batch's ``x`` (mapped over the dataset on tf.data).
    """
    if wants_tf_data(data):
        yield from to_dataset(data, batch_size=batch_size, preprocessor=preprocessor).as_numpy_iterator()
        return
    import keras

    x, y = _arrays(data)
    for start in range(0, len(x), batch_size):
        part = x[start:start + batch_size]
        if preprocessor is not None:
            part = keras.tree.map_structure(keras.ops.convert_to_numpy, preprocessor(part.tolist()))
        yield part if y is None else (part, y[start:start + batch_size])


_PEEK_BATCHES = 4  # a tf.data pipeline is checked on its first batches: reading it all could cost an epoch


def _examples(data):
    """``(x, y)`` numpy pairs to check: the data itself, or the first batches of a dataset."""
    if not is_dataset(data):
        if isinstance(data, tuple) and len(data) == 2:
            return [(data[0], np.asarray(data[1]))]
        return [(data, None)]
    batches = []
    for batch in data.take(_PEEK_BATCHES).as_numpy_iterator():
        batches.append(batch[:2] if isinstance(batch, tuple) else (batch, None))
    return batches


def _count(x) -> int:
    first = next(iter(x.values())) if isinstance(x, dict) and x else x
    return len(first) if np.ndim(first) else 0


def check_training_data(data, num_classes: int, what: str = "train") -> None:
    """Refuse data a classifier of ``num_classes`` cannot train on, before any training starts.

    The checks: at least one example; labels present, 1-D integer class indices in
    ``0 .. num_classes - 1``; numeric inputs finite (no NaN or inf). Arrays are checked whole, a
    ``tf.data`` pipeline on its first batches.

    Example:
        >>> check_training_data((np.zeros((2, 4)), np.array([0, 1])), num_classes=2)
        >>> check_training_data((np.zeros((2, 4)), np.array([0, 2])), num_classes=2)
        Traceback (most recent call last):
        kzoo.errors.InputError: train: labels [2] are outside the head, which has 2 classes (0..1). ...
    """
    batches = _examples(data)
    if sum(_count(x) for x, _ in batches) == 0:
        raise InputError(f"{what} is empty: it has no examples. Check the data set, split or filter that made it.")
    for x, y in batches:
        if y is None:
            raise InputError(f"{what} needs labels: pass (x, y) arrays or a dataset of (x, y) batches.")
        if y.ndim == 0 and is_dataset(data):
            raise InputError(f"{what} yields single examples, not batches: call .batch(32) on the dataset.")
        if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
            raise InputError(f"{what}: labels must be a 1-D array of integer class indices, got dtype {y.dtype} "
                             f"and shape {y.shape}.")
        bad = y[(y < 0) | (y >= num_classes)]
        if bad.size:
            raise InputError(
                f"{what}: labels {sorted(set(bad.tolist()))[:10]} are outside the head, which has {num_classes} "
                f"classes (0..{num_classes - 1}). Swap the head for the right size (kzoo.swap_head) or add "
                "classes (kzoo.add_classes).")
        check_finite(x, what)


def check_finite(x, what: str = "x") -> None:
    """Refuse numeric inputs holding NaN or inf (text and other non-numeric inputs pass).

    Example:
        >>> check_finite(np.array(["a review", "another"]))
        >>> check_finite(np.array([1.0, np.nan]), "train")
        Traceback (most recent call last):
        kzoo.errors.InputError: train: x holds 1 NaN or infinite value(s); training on them gives NaN weights. ...
    """
    for name, array in (x.items() if isinstance(x, dict) else [("x", x)]):
        array = np.asarray(array)
        if np.issubdtype(array.dtype, np.number) and not np.isfinite(array).all():
            count = int(array.size - np.isfinite(array).sum())
            raise InputError(f"{what}: {name} holds {count} NaN or infinite value(s); training on them gives "
                             "NaN weights. Clean or impute them first (np.nan_to_num, or drop those examples).")


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
