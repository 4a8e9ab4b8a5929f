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


def layers_reaching_outputs(model: keras.Model) -> list[keras.layers.Layer]:
    """The leaf layers of ``model`` whose outputs reach its outputs, in ``leaf_layers`` order.

    Nested functional models are walked from the outputs the outer graph uses, so a branch of a
    backbone nobody reads (BERT's ``pooled_dense`` under a mean-pooling head) is left out: training
    it would give it no gradient. A model without a graph (subclassed) counts whole.

    Example:
        >>> import keras, kzoo
        >>> inputs = keras.Input((2,))
        >>> unused = keras.layers.Dense(3, name="unused")(inputs)
        >>> m = keras.Model(inputs, keras.layers.Dense(1, name="out")(inputs))
        >>> [layer.name for layer in layers_reaching_outputs(m) if layer.weights]
        ['out']
    """
    outputs = getattr(model, "outputs", None)
    if not outputs:
        return leaf_layers(model)
    reached = set()
    _mark_reaching(model, outputs, reached)
    return [layer for layer in leaf_layers(model) if id(layer) in reached]


def _mark_reaching(model, tensors, reached: set) -> None:
    stack, seen = list(tensors), set()
    while stack:
        tensor = stack.pop()
        if id(tensor) in seen:
            continue
        seen.add(id(tensor))
        layer, node_index, tensor_index = tensor._keras_history
        inner_outputs = getattr(layer, "outputs", None) if isinstance(layer, keras.Model) else None
        if inner_outputs:
            _mark_reaching(layer, [inner_outputs[tensor_index]], reached)
        else:
            reached.update(id(leaf) for leaf in [layer, *(leaf_layers(layer) if getattr(layer, "layers", None) else [])])
        stack.extend(layer._inbound_nodes[node_index].input_tensors)


def is_task(model) -> bool:
    """True for a KerasHub task (a functional model that may own a preprocessor)."""
    try:
        import keras_hub
    except ImportError:  # pragma: no cover - keras_hub is a dependency
        return False
    return isinstance(model, keras_hub.models.Task)
