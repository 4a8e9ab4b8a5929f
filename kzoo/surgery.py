"""Model surgery: keep the pre-trained weights of the lower layers, start the upper ones afresh.

Yosinski et al. (2014, *How transferable are features in deep neural networks?*) measured what
each depth of a network contributes to transfer by copying the first k layers of a pre-trained
network and re-initialising the rest. ``reinitialize`` does that to any Keras model, in place.
"""
from __future__ import annotations

import keras

from kzoo._checks import check_scalar
from kzoo._graph import weight_layers
from kzoo.errors import InputError, KzooError, did_you_mean


def _kept(layers: list[keras.layers.Layer], keep) -> int:
    """How many of ``layers`` (bottom to top) ``keep`` asks to leave untouched."""
    n = len(layers)
    if not isinstance(keep, str):
        return check_scalar(f"keep (a layer name, or a count of the model's {n} layers with weights)", keep, int,
                            min_val=0, max_val=n)
    names = [layer.name for layer in layers]
    if keep not in names:
        raise InputError(f"no layer with weights named {keep!r}.{did_you_mean(keep, names)} "
                         "[l.name for l in kzoo.leaf_layers(model) if l.weights] lists them.")
    return names.index(keep) + 1


def _fresh_weights(layer: keras.layers.Layer) -> list:
    """The weights a new layer with ``layer``'s config gets when built: its initial values."""
    try:
        fresh = type(layer).from_config(layer.get_config())
        fresh.build_from_config(layer.get_build_config())
    except Exception as err:  # noqa: BLE001 - any failure: this layer cannot be rebuilt from its config
        raise KzooError(f"could not rebuild layer {layer.name!r} ({type(layer).__name__}) from its config "
                        f"to draw new initial weights: {err}") from err
    if [tuple(w.shape) for w in fresh.weights] != [tuple(w.shape) for w in layer.weights]:
        raise KzooError(f"layer {layer.name!r} rebuilt from its config has weights of other shapes; "
                        "it cannot be re-initialised this way.")
    return fresh.weights


def reinitialize(model: keras.Model, keep: int | str = 0) -> keras.Model:
    """Keep the weights of the lowest layers and re-initialise every layer above them, in place.

    Layers are counted as in ``kzoo.unfreeze``: leaf layers that have weights, nested models
    flattened, bottom to top. Each re-initialised layer gets the weights a new layer of the same
    config would get (its own initialisers; BatchNorm's moving statistics back to 0 and 1).
    Trainability and compilation are left as they were. For reproducible draws call
    ``keras.utils.set_random_seed`` first.

    Args:
        model: any Keras model (functional, sequential or nested).
        keep: how many weight layers, from the bottom, keep their weights (``0`` re-initialises
            everything: the from-scratch baseline), or the name of the last layer to keep.

    Returns:
        The same model, with the layers above ``keep`` re-initialised.

    Raises:
        kzoo.InputError: ``keep`` out of range or not the name of a layer with weights.
        kzoo.KzooError: a layer that cannot be rebuilt from its config.

    Example:
        >>> import keras
        >>> from kzoo.surgery import reinitialize
        >>> m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, name="low"),
        ...                       keras.layers.Dense(2, name="top")])
        >>> before = m.get_layer("low").get_weights()[0].copy()
        >>> _ = reinitialize(m, keep="low")
        >>> bool((m.get_layer("low").get_weights()[0] == before).all())
        True
    """
    if not isinstance(model, keras.Model):
        raise InputError(f"model must be a keras.Model, got {type(model).__name__}.")
    layers = weight_layers(model)
    for layer in layers[_kept(layers, keep):]:
        for variable, value in zip(layer.weights, _fresh_weights(layer)):
            variable.assign(value)
    return model
