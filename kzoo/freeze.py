"""Freezing and unfreezing: which layers train, with BatchNorm kept in inference mode.

In Keras 3 a ``BatchNormalization`` layer whose ``trainable`` is False runs in inference mode (it
uses its moving statistics and does not update them). Fine-tuning a pre-trained network on a small
data set with BatchNorm in training mode wrecks those statistics, so ``unfreeze`` leaves every
BatchNorm layer frozen unless told otherwise.

Trainability is read by ``compile``: changing it on a compiled model without compiling again is
silently ignored by some backends. ``freeze`` and ``unfreeze`` therefore recompile a compiled model
with its own compile configuration (a fresh optimizer of the same kind and settings).
"""
from __future__ import annotations

import keras
import numpy as np

from kzoo._checks import check_scalar, whole_number
from kzoo._graph import layers_reaching_outputs, leaf_layers, weight_layers
from kzoo.errors import InputError, KzooError, did_you_mean
from kzoo.heads import find_head

_NORMALIZATION = (keras.layers.BatchNormalization,)


def _body_layers(model):
    """Weight-carrying leaf layers of the body (everything but the head) that reach the outputs, bottom to top.

    Weights off the path to the outputs (BERT's pooler under a mean-pooling head) get no gradient, so
    they are never trained.
    """
    head = find_head(model)
    reaching = {id(layer) for layer in layers_reaching_outputs(model)}
    return [layer for layer in weight_layers(model) if layer is not head and id(layer) in reaching]


def body_layers(model: keras.Model, top: int | float | str | None = None) -> list[keras.layers.Layer]:
    """The body layers with weights that ``unfreeze(model, top)`` makes trainable, bottom to top.

    Useful to preview a choice of ``top`` (and to check it before any training, as ``kzoo.fine_tune`` does).

    Args:
        model: a classifier whose head ``kzoo.find_head`` recognises.
        top: as in ``unfreeze``.

    Raises:
        kzoo.InputError: ``top`` out of range or not a layer name of the body.

    Example:
        >>> import keras
        >>> from kzoo.freeze import body_layers
        >>> m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(4, name="a"),
        ...                       keras.layers.Dense(4, name="b"), keras.layers.Dense(2)])
        >>> [layer.name for layer in body_layers(m, top=1)]
        ['b']
    """
    return _select(_body_layers(model), top)


def _recompile(model) -> None:
    if not getattr(model, "compiled", False):
        return
    try:
        # compile_from_config would skip models with their own compile() (KerasHub tasks): call compile.
        config = keras.saving.deserialize_keras_object(
            {k: v for k, v in model.get_compile_config().items() if k != "optimizer"})
        # The optimizer is cloned through its own class, which may be made on the fly
        # (kzoo.discriminative_optimizer) and so cannot be found by name in a serialized config.
        optimizer = type(model.optimizer).from_config(model.optimizer.get_config())
        model.compile(optimizer=optimizer, **config)
    except Exception as err:  # noqa: BLE001 - any failure means we cannot honour the change safely
        raise KzooError(
            "Trainability changed on a compiled model, and kzoo could not recompile it from its compile "
            f"config ({err}). Call model.compile(...) yourself after freezing/unfreezing; otherwise "
            "the change would be ignored.") from err


def freeze(model: keras.Model) -> keras.Model:
    """Freeze everything but the classification head (option 1: train the head only).

    Args:
        model: a classifier whose head ``kzoo.find_head`` recognises.

    Returns:
        The same model, with only the head trainable (recompiled if it was compiled).

    Example:
        >>> import keras, kzoo
        >>> m = kzoo.swap_head(keras.applications.MobileNetV2(weights=None), 2)
        >>> len(kzoo.freeze(m).trainable_weights)   # head kernel and bias
        2
    """
    head = find_head(model)
    model.trainable = True
    for layer in leaf_layers(model):
        layer.trainable = layer is head
    _recompile(model)
    return model


def _select(body, top):
    """The body layers that ``top`` asks to unfreeze."""
    n = len(body)
    if top is None:
        return body
    if isinstance(top, (int, np.integer)) and not isinstance(top, (bool, np.bool_)):
        top = check_scalar(f"top (the body has {n} layers with weights)", top, int, min_val=0, max_val=n)
        return body[n - top:] if top else []
    if isinstance(top, (float, np.floating)):
        top = check_scalar("a fractional top", top, min_val=0, max_val=1, include_boundaries="right")
        return body[n - max(1, round(top * n)):]
    if isinstance(top, str):
        names = [layer.name for layer in body]
        if top not in names:
            raise InputError(f"no layer with weights named {top!r} in the body.{did_you_mean(top, names)} "
                             "kzoo.leaf_layers(model) lists them.")
        return body[names.index(top):]
    raise InputError(f"top must be an int, a fraction, a layer name or None, got {type(top).__name__}.")


def unfreeze(model: keras.Model, top: int | float | str | None = None, *,
             train_batchnorm: bool = False) -> keras.Model:
    """Make the head and the top of the body trainable (option 2, or its second phase).

    Args:
        model: a classifier whose head ``kzoo.find_head`` recognises.
        top: which body layers (counting only layers with weights, nested models flattened) to
            unfreeze: ``None`` all of them; an int, the top N; a float in (0, 1], that fraction of
            them from the top; a layer name, that layer and everything above it.
        train_batchnorm: also train BatchNorm layers (off by default: they stay in inference mode).

    Returns:
        The same model (recompiled if it was compiled). Layers below ``top`` are frozen.

    Raises:
        kzoo.InputError: ``top`` out of range or not a layer name of the body.

    Example:
        >>> import keras, kzoo
        >>> m = kzoo.swap_head(keras.applications.MobileNetV2(weights=None), 2)
        >>> _ = kzoo.unfreeze(m, top=0.25)
    """
    head = find_head(model)
    chosen = {id(layer) for layer in body_layers(model, top)}
    model.trainable = True
    for layer in leaf_layers(model):
        is_norm = isinstance(layer, _NORMALIZATION)
        layer.trainable = layer is head or (id(layer) in chosen and (train_batchnorm or not is_norm))
    _recompile(model)
    return model


def layer_groups(model: keras.Model, n_groups: int = 3) -> list[list[keras.layers.Layer]]:
    """Split the body into ``n_groups`` consecutive groups of weight layers, bottom to top, plus the head.

    Used for discriminative learning rates: lower groups (generic features) learn slower than
    higher ones (task-specific features), the head fastest.

    Args:
        model: a classifier.
        n_groups: number of body groups (>= 1).

    Returns:
        ``n_groups + 1`` lists of layers; the last holds the head alone.

    Example:
        >>> import keras, kzoo
        >>> m = kzoo.swap_head(keras.applications.MobileNetV2(weights=None), 2)
        >>> len(kzoo.layer_groups(m, 3))
        4
    """
    n_groups = whole_number("n_groups", n_groups)
    body = _body_layers(model)
    n_groups = min(n_groups, max(1, len(body)))
    size, extra = divmod(len(body), n_groups)
    groups, start = [], 0
    for i in range(n_groups):
        stop = start + size + (1 if i < extra else 0)
        groups.append(body[start:stop])
        start = stop
    return [*groups, [find_head(model)]]
