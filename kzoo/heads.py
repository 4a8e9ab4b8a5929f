"""Classifier heads on any Keras model: find the head, swap it for a new one, grow it by new classes.

Works on functional and Sequential models (``keras.applications`` with ``include_top=True``, models
from ``kzoo.load``, your own) and on KerasHub tasks (which are functional models with a preprocessor).
The new model shares the body's layers, and so their weights, with the model it came from, exactly as
in the Keras transfer-learning guide.
"""
from __future__ import annotations

import warnings
from typing import Sequence

import keras
import numpy as np

from kzoo._checks import class_names as check_class_names
from kzoo._checks import fraction
from kzoo._graph import head_input, is_task, output_activation, output_chain
from kzoo.errors import InputError
from kzoo.layers import ClassifierHead

# Layers that may sit between the head and the output without changing what the head is.
_PASS_THROUGH = (keras.layers.Activation, keras.layers.Softmax)


def _require_graph(model) -> None:
    if not isinstance(model, keras.Model):
        raise InputError(f"expected a keras.Model, got {type(model).__name__}.")
    try:
        outputs = model.outputs
    except (AttributeError, ValueError):
        outputs = None
    if not outputs:
        raise InputError(
            f"{model.name!r} has no symbolic inputs/outputs (a subclassed or unbuilt model). kzoo edits "
            "heads of functional and Sequential models: build it first (call it on data or give the "
            "Sequential an Input), or replace the output layer in your own subclass.")
    if len(outputs) != 1:
        raise InputError(f"{model.name!r} has {len(outputs)} outputs; a classifier head needs exactly one.")


def find_head(model: keras.Model) -> keras.layers.Dense:
    """The classification layer of a model: the ``Dense`` layer that produces its output.

    Activation or Softmax layers after it are looked through.

    Args:
        model: a functional or Sequential classifier, or a KerasHub task.

    Returns:
        The head layer (a ``keras.layers.Dense``, often a ``kzoo.ClassifierHead``).

    Raises:
        kzoo.InputError: the model is not a graph model or its output is not made by a Dense layer.

    Example:
        >>> import keras, kzoo
        >>> m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8), keras.layers.Dense(3)])
        >>> kzoo.find_head(m).units
        3
    """
    _require_graph(model)
    for layer, inputs in output_chain(model):
        if isinstance(layer, keras.layers.Dense):
            return layer
        if isinstance(layer, _PASS_THROUGH) and len(inputs) == 1:
            continue
        raise InputError(
            f"{model.name!r} has no recognisable classification head: its output comes from "
            f"{type(layer).__name__} {layer.name!r}, not from a Dense layer. Give the model a Dense "
            "output layer, or build the new head yourself on the features you want.")


def class_names(model: keras.Model) -> list[str]:
    """The class names of a classifier (``class_0``, ... when the head does not carry names).

    Example:
        >>> import kzoo
        >>> kzoo.class_names(kzoo.load("glyphnet"))[:3]
        ['A', 'B', 'C']
    """
    head = find_head(model)
    names = getattr(head, "class_names", None) or getattr(model, "class_names", None)
    return list(names) if names else [f"class_{i}" for i in range(head.units)]


def _rebuild(model, names, dropout, kernel=None, bias=None, head_name=None):
    """``model`` with its head replaced by a ClassifierHead over ``names`` (weights optional)."""
    head = find_head(model)
    task = is_task(model) and getattr(model, "preprocessor", None) is not None
    if task and hasattr(model, "with_head"):
        new = model.with_head(names, dropout=dropout or None)
    else:
        features = head_input(model, head)
        x = keras.layers.Dropout(dropout, name=f"{head.name}_dropout")(features) if dropout else features
        new_head = ClassifierHead(names, name=head_name or "head")
        new = keras.Model(model.inputs, new_head(x), name=model.name)
        if task:
            warnings.warn(
                f"{type(model).__name__} is a KerasHub task; the model returned is a plain functional "
                "model that takes preprocessed inputs. Apply the task's preprocessor in your data "
                "pipeline (dataset.map(task.preprocessor)).", stacklevel=3)
    if kernel is not None:
        find_head(new).set_weights([kernel, bias])
    return new


def swap_head(model: keras.Model, num_classes: int | None = None,
              class_names: Sequence[str] | None = None, *, dropout: float = 0.0) -> keras.Model:
    """Replace a classifier's output layer by a new, randomly initialised one.

    The new head is a ``kzoo.ClassifierHead`` (logits, class names saved with the model). The body
    layers are shared with ``model``; the old head is dropped.

    Args:
        model: any functional/Sequential classifier or a kzoo model.
        num_classes: size of the new head. May be left out when ``class_names`` is given.
        class_names: one name per class (default ``class_0`` ...).
        dropout: rate of a Dropout layer inserted in front of the new head (0 for none).

    Returns:
        A new ``keras.Model`` from the same inputs to the new head (not compiled).

    Raises:
        kzoo.InputError: bad ``num_classes``/``class_names``, or no recognisable head.

    Example:
        >>> import keras, kzoo
        >>> m = keras.applications.MobileNetV2(weights=None)   # 1000-way ImageNet head
        >>> m10 = kzoo.swap_head(m, 10)
        >>> m10.output_shape
        (None, 10)
    """
    names = check_class_names(class_names, num_classes)
    dropout = fraction("dropout", dropout)
    return _rebuild(model, names, dropout)


def add_classes(model: keras.Model, new_class_names: Sequence[str], *, init: str = "mean") -> keras.Model:
    """Grow a classifier's head from N to N + k classes, keeping what it learned.

    The old rows of the head (kernel columns and biases) are copied exactly, so before any training
    the new model's logits for the old classes equal the old model's. The k new rows start from the
    mean of the old rows (``init="mean"``: new logits start on the old scale) or small random values
    (``init="small"``).

    The returned model is not compiled: the head's variables change shape, so optimizer state for
    the model cannot be carried over and a compiled model's optimizer starts afresh (a warning says so).

    Args:
        model: a classifier whose head ``kzoo.find_head`` recognises.
        new_class_names: names of the k new classes (k >= 1, none already in the model).
        init: ``"mean"`` or ``"small"``.

    Returns:
        A new ``keras.Model`` with an (N + k)-way ``ClassifierHead``; the body is shared with ``model``.

    Raises:
        kzoo.InputError: empty or duplicate names, names the model has already, unknown ``init``.

    Example:
        >>> import keras, kzoo
        >>> m = kzoo.swap_head(keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)]),
        ...                    class_names=["a", "b"])
        >>> kzoo.class_names(kzoo.add_classes(m, ["c"]))
        ['a', 'b', 'c']
    """
    if init not in ("mean", "small"):
        raise InputError(f"init must be 'mean' or 'small', got {init!r}.")
    new = check_class_names(new_class_names, name="new_class_names")
    head = find_head(model)
    activation = output_activation(model, head)
    if activation is not None:
        raise InputError(
            f"{model.name!r} applies {activation} to the output of its head {head.name!r}; add_classes "
            "needs a logits head (use kzoo.swap_head first, or a model from kzoo.load).")
    old = class_names(model)
    clash = sorted(set(old) & set(new))
    if clash:
        raise InputError(f"classes {clash} exist already in the model; new_class_names must be new.")
    names = old + new
    kernel, bias = (np.asarray(w) for w in head.get_weights()) if head.use_bias else (
        np.asarray(head.get_weights()[0]), np.zeros(head.units, dtype="float32"))
    k = len(new)
    if init == "mean":
        extra_k = np.repeat(kernel.mean(axis=1, keepdims=True), k, axis=1)
        extra_b = np.full(k, bias.mean(), dtype=bias.dtype)
    else:
        rng = np.random.default_rng(0)
        extra_k = rng.normal(0.0, 0.01, size=(kernel.shape[0], k)).astype(kernel.dtype)
        extra_b = np.zeros(k, dtype=bias.dtype)
    if getattr(model, "optimizer", None) is not None and getattr(model, "compiled", False):
        warnings.warn("add_classes returns an uncompiled model: the head changed shape, so the optimizer "
                      "state is reset. Compile the new model (kzoo.fine_tune does it for you).", stacklevel=2)
    # Keep the dropout in front of the old head, if any: the features are read where the head read them.
    return _rebuild(model, names, 0.0, np.concatenate([kernel, extra_k], axis=1),
                    np.concatenate([bias, extra_b]), head_name=head.name)
