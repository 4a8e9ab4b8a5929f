"""From a zoo name to a ready ``keras.Model``: preprocessing inside, frozen body, a named head.

``load(name)`` gives the classifier as published (e.g. the 1000-way ImageNet head with its label
names) taking raw inputs. ``load(name, num_classes=...)`` gives the same body, frozen, with a new
head: pooling, dropout, a ``ClassifierHead`` of the right size. Either way the model carries its
preprocessing, so it takes what a person has: images as 0-255 RGB arrays, text as strings, audio as
16 kHz waveforms.

The steps: look the entry up in the registry, resolve its files through ``kzoo.hub``, call the
entry's builder, freeze the body under a new head. Keras is imported when a model is built, not
when this module is.
"""
from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Sequence

import numpy as np

from kzoo._checks import class_names as check_class_names
from kzoo._checks import fraction, whole_number
from kzoo.errors import InputError, UnknownNameError
from kzoo.hub import fetch, find_local
from kzoo.zoo.catalog import BuildRequest, ZooEntry, info


def load(name: str | os.PathLike, num_classes: int | None = None, class_names: Sequence[str] | None = None, *,
         weights: str | os.PathLike | None = "pretrained", input_shape: tuple | None = None,
         dropout: float | None = None, sequence_length: int = 128, mixed_precision: bool | None = None):
    """Load a zoo model, as published or with a new head for your classes.

    Args:
        name: a zoo name (``kzoo.list_models()``), e.g. ``"efficientnet_lite0"``, ``"minilm_l6"``, or
            a folder written by ``kzoo.share.save_model`` (zoo names take precedence over folders).
        num_classes: size of a new head. Leave out (with ``class_names``) for the published classifier.
        class_names: names of your classes (default ``class_0`` ...); sets ``num_classes`` if that is omitted.
        weights: ``"pretrained"`` (resolved offline-first, see ``kzoo.fetch``), ``None`` for random
            initialisation (the "from scratch" baseline), or a local path to the files.
        input_shape: shape of one raw input example, for image models that accept other sizes
            (models trained on one fixed size, such as glyphnet, refuse any other).
        dropout: dropout rate in front of a new head (default 0.2; kzoo's own models keep the rate
            they were trained with unless this is given).
        sequence_length: token length for text models (an int >= 1).
        mixed_precision: None = automatic (mixed bfloat16 on a GPU), or force True/False.

    Returns:
        A ``keras.Model``. With a new head its body is frozen (train it with ``kzoo.fine_tune``);
        text models are KerasHub tasks that take strings.

    Raises:
        kzoo.UnknownNameError: no such model (close names are suggested).
        kzoo.NotAvailableError: the weights are nowhere on this machine and cannot be downloaded.
        kzoo.CorruptFileError: the weights exist but are truncated or not weights (the message names
            the file and the fix).
        kzoo.InputError: a bad argument (the message names it).

    Example:
        >>> import kzoo
        >>> model = kzoo.load("glyphnet", class_names=["0", "1", "2"])
        >>> model.output_shape
        (None, 3)
    """
    if isinstance(name, str) and not name.strip() or not isinstance(name, (str, os.PathLike)):
        raise InputError(f"name must be a zoo name (see kzoo.list_models()) or a saved model's folder, "
                         f"got {name!r}.")
    names = None if num_classes is None and class_names is None else check_class_names(class_names, num_classes)
    try:
        entry = info(name) if isinstance(name, str) else None
    except UnknownNameError:  # not a zoo name (zoo names win over folders): a saved model's folder?
        if not Path(name).expanduser().is_dir():
            raise
        entry = None
    if entry is None:
        return _saved_model(name, names)
    request = BuildRequest(
        weights=_check_weights(weights), location=None, class_names=names,
        input_shape=_check_input_shape(entry, input_shape),
        dropout=None if dropout is None else fraction("dropout", dropout),
        sequence_length=whole_number("sequence_length", sequence_length))
    if not (mixed_precision is None or isinstance(mixed_precision, (bool, np.bool_))):
        raise InputError(f"mixed_precision must be True, False or None (automatic), got {mixed_precision!r}.")
    request = _with_location(entry, request)
    from kzoo.devices import build_scope
    from kzoo.freeze import freeze

    with build_scope(None if mixed_precision is None else bool(mixed_precision)):
        model = entry.builder(entry, request)
    if names is not None:
        freeze(model)
    return model


def _saved_model(folder, names):
    from kzoo.freeze import freeze
    from kzoo.heads import swap_head
    from kzoo.share import load_model

    model = load_model(folder)
    return model if names is None else freeze(swap_head(model, class_names=names))


def _check_weights(weights):
    if weights is None or (isinstance(weights, str) and weights == "pretrained"):
        return weights
    if not isinstance(weights, (str, os.PathLike)) or not os.fspath(weights).strip():
        raise InputError(f"weights must be 'pretrained', None or an existing path, got {weights!r}.")
    if not Path(weights).expanduser().exists():
        raise InputError(f"weights must be 'pretrained', None or an existing path; {weights!r} does not exist.")
    return Path(weights).expanduser()


def _check_input_shape(entry: ZooEntry, input_shape) -> tuple[int, ...] | None:
    if input_shape is None:
        return None
    if entry.modality != "image":
        raise InputError(f"input_shape applies to image models; {entry.name} is a {entry.modality} model.")
    if not isinstance(input_shape, (tuple, list)) or not input_shape:
        raise InputError(f"input_shape must be a tuple such as (224, 224, 3), got {input_shape!r}.")
    return tuple(whole_number(f"input_shape[{i}]", d) for i, d in enumerate(input_shape))


def _with_location(entry: ZooEntry, request: BuildRequest) -> BuildRequest:
    """The request with the entry's files resolved through the hub."""
    if request.weights == "pretrained":
        location = fetch(entry)
    elif request.weights is None:  # architecture only: any local copy of the config, else the hub handle
        location = find_local(entry) or entry.sources[-1]
    else:
        location = request.weights
    return dataclasses.replace(request, location=location)
