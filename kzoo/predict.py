"""Readable predictions: class names and probabilities instead of a logits array."""
from __future__ import annotations

import keras
import numpy as np

from kzoo import _text_batches
from kzoo._checks import whole_number
from kzoo._data import check_inputs
from kzoo.heads import class_names, find_head


def predict(model: keras.Model, x, *, top: int = 5, batch_size: int = 32) -> list[list[tuple[str, float]]]:
    """The ``top`` most likely classes of each input, as ``(class name, probability)`` pairs.

    Args:
        model: a classifier (its head's logits or probabilities are read).
        x: a batch of raw inputs (images 0-255, strings, waveforms), as the model takes them.
        top: how many classes per input.
        batch_size: prediction batch size. Texts for a KerasHub text classifier are tokenized once
            and batched by length, each batch padded only to its longest (``kzoo._text_batches``).

    Returns:
        One list per input, most likely first.

    Raises:
        kzoo.InputError: ``x`` does not have the shape the model takes (the message says which).

    Example:
        >>> import kzoo
        >>> model = kzoo.load("glyphnet")   # pre-trained on 52 letters
        >>> x, y = kzoo.datasets.load("glyphs", "test", n_per_class=1, as_numpy=True)
        >>> kzoo.class_names(model)[y[0]], kzoo.predict(model, x[:1], top=2)
        ('b', [[('b', 0.99...), (...)]])
    """
    top = whole_number("top", top)
    probs = probabilities(model, x, batch_size=batch_size)
    names = class_names(model)
    order = np.argsort(-probs, axis=1)[:, :top]
    return [[(names[i], float(p[i])) for i in row] for row, p in zip(order, probs)]


def probabilities(model: keras.Model, x, *, batch_size: int = 32) -> np.ndarray:
    """Class probabilities of a classifier: its outputs, with a softmax if its head gives logits.

    Args:
        model: a classifier (its head's logits or probabilities are read).
        x: a batch of raw inputs, as the model takes them (texts for a KerasHub text classifier
            are batched by length, as in ``predict``).
        batch_size: prediction batch size.

    Returns:
        ``(examples, classes)`` float32, each row summing to 1.

    Raises:
        kzoo.InputError: ``x`` does not have the shape the model takes (the message says which).

    Example:
        >>> import kzoo
        >>> from kzoo.predict import probabilities
        >>> model = kzoo.load("glyphnet")
        >>> x, _ = kzoo.datasets.load("glyphs", "test", n_per_class=1, as_numpy=True)
        >>> probabilities(model, x[:2]).shape
        (2, 52)
    """
    batch_size = whole_number("batch_size", batch_size)
    check_inputs(model, x)
    if _text_batches.applies(model, x):
        outputs = np.asarray(_text_batches.predict(model, x, batch_size), dtype="float32")
    else:
        outputs = np.asarray(model.predict(x, batch_size=batch_size, verbose=0), dtype="float32")
    if find_head(model).activation is keras.activations.softmax:
        return outputs
    return np.asarray(keras.ops.softmax(outputs, axis=-1), dtype="float32")
