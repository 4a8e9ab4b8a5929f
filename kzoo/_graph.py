"""The one place that walks Keras graphs and reads Keras private attributes (``_keras_history``,
``_inbound_nodes``): heads, features, freezing, surgery and model cards ask it, so a Keras upgrade
that moves these attributes is fixed here alone.
"""
from __future__ import annotations

import keras

from kzoo.errors import InputError


def producer(tensor):
    """(layer, its input tensors) for a symbolic tensor of a functional graph."""
    layer, node_index, _ = tensor._keras_history
    return layer, layer._inbound_nodes[node_index].input_tensors


def output_chain(model):
    """``(layer, its input tensors)`` from the model's first output back along first inputs to an Input."""
    tensor = model.outputs[0]
    while True:
        layer, inputs = producer(tensor)
        yield layer, inputs
        if not inputs:
            return
        tensor = inputs[0]


def head_input(model: keras.Model, head: keras.layers.Layer):
    """The tensor feeding ``head`` inside ``model`` (the features a new head would read)."""
    for layer, inputs in output_chain(model):
        if layer is head:
            return inputs[0]
    raise InputError(f"{head.name!r} is not on the path from {model.name!r}'s output back to its inputs; "
                     "pass the model's own head (kzoo.find_head(model)).")


def output_activation(model: keras.Model, head: keras.layers.Layer) -> str | None:
    """Name of the first non-linear activation between ``head``'s logits and the model's output, or None."""
    if head.activation not in (None, keras.activations.linear):
        return head.activation.__name__
    for layer, _ in output_chain(model):
        if layer is head:
            return None
        if isinstance(layer, keras.layers.Softmax):
            return "softmax"
        if getattr(layer, "activation", keras.activations.linear) is not keras.activations.linear:
            return layer.activation.__name__
    return None


def leaf_layers(model: keras.Model) -> list[keras.layers.Layer]:
    """Every layer of ``model`` in order, nested models flattened, containers left out.

    Example:
        >>> import keras, kzoo
        >>> inner = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2)])
        >>> outer = keras.Sequential([keras.Input((2,)), inner, keras.layers.Dense(1)])
        >>> [type(l).__name__ for l in kzoo.leaf_layers(outer)]
        ['Dense', 'Dense']
    """
    out = []
    for layer in model.layers:
        if isinstance(layer, keras.Model) or (hasattr(layer, "layers") and layer.layers):
            out.extend(leaf_layers(layer))
        else:
            out.append(layer)
    return out


def weight_layers(model: keras.Model) -> list[keras.layers.Layer]:
    """Leaf layers that carry weights, bottom to top: the layers freezing, surgery and model cards count."""
    return [layer for layer in leaf_layers(model) if layer.weights]


def is_task(model) -> bool:
    """True for a KerasHub task (a functional model that may own a preprocessor)."""
    try:
        import keras_hub
    except ImportError:  # pragma: no cover - keras_hub is a dependency
        return False
    return isinstance(model, keras_hub.models.Task)
