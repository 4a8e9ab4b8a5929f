"""Shared steps of the zoo's builders: raw input -> preprocessing -> body -> dropout -> named head.

Builders import this module when they run (it imports Keras); the registry and the family modules
do not.
"""
from __future__ import annotations

from pathlib import Path

import keras

from kzoo.errors import CorruptFileError, InputError
from kzoo._graph import head_input
from kzoo.heads import find_head, swap_head
from kzoo.heads import class_names as class_names_of
from kzoo.layers import ClassifierHead

DEFAULT_DROPOUT = 0.2


def imagenet_names() -> list[str]:
    """The 1000 ImageNet class names, in label order."""
    from keras_hub.src.utils.imagenet.imagenet_utils import IMAGENET_NAMES

    return [IMAGENET_NAMES[i][1] for i in range(1000)]


def assemble(entry, preprocess, body, shape, names, dropout, head_weights=None) -> keras.Model:
    """Input (raw) -> preprocessing -> body (inference mode) -> dropout -> ``ClassifierHead``."""
    inputs = keras.Input(shape, name="inputs")
    x = body(preprocess(inputs) if preprocess is not None else inputs, training=False)
    if dropout:
        x = keras.layers.Dropout(dropout, name="head_dropout")(x)
    head = ClassifierHead(names, name="head")
    model = keras.Model(inputs, head(x), name=entry.name)
    if head_weights is not None:
        head.set_weights(head_weights)
    return model


def split_published(task: keras.Model, name: str) -> tuple[keras.Model, list]:
    """A published classifier's body (up to its head's input) and the head's weights."""
    head = find_head(task)
    return keras.Model(task.inputs, head_input(task, head), name=f"{name}_body"), head.get_weights()


def with_head(published: keras.Model, names: list[str] | None, dropout: float | None) -> keras.Model:
    """kzoo's own models: a new head when ``names`` differ from the published ones, and the dropout
    in front of the head set when asked (dropout reads its rate at call time)."""
    model = published if names is None or class_names_of(published) == names else swap_head(
        published, class_names=names)
    if dropout is not None:
        layers = model.layers
        before_head = layers[layers.index(find_head(model)) - 1]
        if not isinstance(before_head, keras.layers.Dropout):
            raise InputError(f"{model.name} has no dropout layer in front of its head, so dropout={dropout} "
                             "cannot be applied; leave dropout out.")
        before_head.rate = dropout
    return model


def corrupt(path, err: Exception, fix: str) -> CorruptFileError:
    """The error for weights that exist but cannot be read: names the file(s), the cause and the fix."""
    path = Path(path)
    where = str(path)
    if path.is_dir():  # a preset folder: name the files a reader may have choked on
        where += f" ({', '.join(sorted(p.name for p in path.iterdir() if p.is_file())) or 'empty'})"
    return CorruptFileError(f"{where} could not be read as model weights ({type(err).__name__}: "
                            f"{err}). It is truncated, damaged or not a weights file. {fix}")


def check_shape(entry, input_shape) -> None:
    """Refuse an ``input_shape`` other than the one a fixed-size model was trained on."""
    if input_shape is not None and tuple(input_shape) != tuple(entry.input_shape):
        raise InputError(f"{entry.name} takes inputs of shape {tuple(entry.input_shape)} only; got "
                         f"input_shape={tuple(input_shape)}. Resize your data to "
                         f"{tuple(entry.input_shape)}, or leave input_shape out.")
