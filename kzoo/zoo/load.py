"""From a zoo name to a ready ``keras.Model``: preprocessing inside, frozen body, a named head.

``load(name)`` gives the classifier as published (e.g. the 1000-way ImageNet head with its label
names) taking raw inputs. ``load(name, num_classes=...)`` gives the same body, frozen, with a new
head: pooling, dropout, a ``ClassifierHead`` of the right size. Either way the model carries its
preprocessing, so it takes what a person has: images as 0-255 RGB arrays, text as strings, audio as
16 kHz waveforms.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

import keras

from kzoo import config
from kzoo._checks import fraction
from kzoo.devices import build_scope
from kzoo.errors import CorruptFileError, InputError, NotAvailableError, UnknownNameError
from kzoo.freeze import freeze
from kzoo.heads import _head_input, _names, find_head, swap_head
from kzoo.heads import class_names as class_names_of
from kzoo.layers import ClassifierHead, ImagePreprocessing
from kzoo.zoo.catalog import ZooEntry, info

DEFAULT_DROPOUT = 0.2


def _imagenet_names() -> list[str]:
    from keras_hub.src.utils.imagenet.imagenet_utils import IMAGENET_NAMES

    return [IMAGENET_NAMES[i][1] for i in range(1000)]


def _assemble(entry, preprocess, body, shape, names, dropout, head_weights=None):
    """Input (raw) -> preprocessing -> body (inference mode) -> dropout -> ClassifierHead."""
    inputs = keras.Input(shape, name="inputs")
    x = body(preprocess(inputs) if preprocess is not None else inputs, training=False)
    if dropout:
        x = keras.layers.Dropout(dropout, name="head_dropout")(x)
    head = ClassifierHead(names, name="head")
    model = keras.Model(inputs, head(x), name=entry.name)
    if head_weights is not None:
        head.set_weights(head_weights)
    return model


def _keras_application(entry, weights, names, shape, dropout):
    from kzoo.zoo.resolve import find_local

    fn = getattr(keras.applications, entry.builder)
    if weights == "imagenet" and config.offline() and find_local(entry) is None:
        raise NotAvailableError(
            f"{entry.name}: its ImageNet weights are not in the Keras cache (~/.keras/models) and "
            "KZOO_OFFLINE=1 forbids downloading them. Run `kzoo fetch "
            f"{entry.name}` on a machine with internet, or unset KZOO_OFFLINE.")
    mode = "none" if entry.preprocessing == "built-in" else entry.preprocessing
    try:
        if names is None:
            net = fn(include_top=True, weights=weights, classifier_activation=None)
            head = find_head(net)
            body = keras.Model(net.inputs, _head_input(net, head), name=f"{entry.name}_body")
            return _assemble(entry, ImagePreprocessing(mode), body, entry.input_shape, _imagenet_names(), 0,
                             head.get_weights())
        body = fn(include_top=False, weights=weights, input_shape=shape, pooling="avg")
    except (OSError, ValueError, Exception) as err:  # urllib/HTTP errors surface as plain Exceptions
        if isinstance(err, InputError):
            raise
        raise NotAvailableError(
            f"{entry.name}: Keras could not get its ImageNet weights ({err}). On a machine with internet "
            f"run `kzoo fetch {entry.name}`; offline, copy the weight file into ~/.keras/models.") from err
    return _assemble(entry, ImagePreprocessing(mode), body, shape, names, dropout)


def _keras_hub_image(entry, location, weights, names, shape, dropout):
    import keras_hub

    task = keras_hub.models.ImageClassifier.from_preset(str(location), load_weights=weights is not None)
    converter = task.preprocessor.image_converter
    size = tuple(converter.image_size) if converter.image_size else (224, 224)
    shape = shape or (*size, 3)
    rescale = keras.layers.Rescaling(scale=converter.scale, offset=converter.offset, name="rescale")
    head = find_head(task)
    body = keras.Model(task.inputs, _head_input(task, head), name=f"{entry.name}_body")
    if names is None:
        return _assemble(entry, rescale, body, shape, _imagenet_names(), 0, head.get_weights())
    return _assemble(entry, rescale, body, shape, names, dropout)


def _keras_hub_text(entry, location, weights, names, dropout, sequence_length):
    import keras_hub

    from kzoo.zoo.text import SentenceClassifier

    if names is None:
        raise InputError(
            f"{entry.name} is a text encoder without a published classifier head. Pass num_classes "
            "(or class_names) for a new head; kzoo.extract_features(model, texts) then gives its "
            "mean-pooled sentence embeddings.")
    backbone = keras_hub.models.Backbone.from_preset(str(location), load_weights=weights is not None)
    preprocessor = keras_hub.models.TextClassifierPreprocessor.from_preset(
        str(location), sequence_length=sequence_length)
    return SentenceClassifier(backbone, names, preprocessor=preprocessor, dropout=dropout, name=entry.name,
                              compile=False)


def _kzoo_model(entry, location, weights, names):
    if entry.builder == "glyphnet":
        from kzoo.zoo.glyphnet import build_glyphnet

        if weights is None:
            from kzoo.datasets.glyphs import LETTERS

            return build_glyphnet(names or list(LETTERS))
        path = Path(location) / "glyphnet.keras" if Path(location).is_dir() else Path(location)
        try:
            return keras.saving.load_model(path)
        except (OSError, ValueError) as err:
            raise CorruptFileError(
                f"{path} could not be read as a Keras model ({err}). Restore it from the repository "
                "(git checkout data/) or re-create it with scripts/pretrain_glyphnet.py.") from err
    if entry.builder == "musicnn":
        from kzoo.audio import build_tagger, load_tagger

        return build_tagger(entry.name) if weights is None else load_tagger(entry.name, location)
    if entry.builder == "speech_embedding":
        from kzoo.audio.speech_convert import load_speech_embedding

        return load_speech_embedding(names, location, pretrained=weights is not None)
    raise InputError(f"unknown kzoo builder {entry.builder!r} for {entry.name!r}.")


def load(name: str | os.PathLike, num_classes: int | None = None, class_names: Sequence[str] | None = None, *,
         weights: str | os.PathLike | None = "pretrained", input_shape: tuple | None = None,
         dropout: float | None = None, sequence_length: int = 128, mixed_precision: bool | None = None
         ) -> keras.Model:
    """Load a zoo model, as published or with a new head for your classes.

    Args:
        name: a zoo name (``kzoo.list_models()``), e.g. ``"efficientnet_lite0"``, ``"minilm_l6"``, or
            a folder written by ``kzoo.share.save_model`` (zoo names take precedence over folders).
        num_classes: size of a new head. Leave out (with ``class_names``) for the published classifier.
        class_names: names of your classes (default ``class_0`` ...); sets ``num_classes`` if that is omitted.
        weights: ``"pretrained"`` (resolved offline-first, see ``kzoo.fetch``), ``None`` for random
            initialisation (the "from scratch" baseline), or a local path to the files.
        input_shape: shape of one raw input example, for image models that accept other sizes.
        dropout: dropout rate in front of a new head (default 0.2; kzoo's own models keep the rate
            they were trained with unless this is given).
        sequence_length: token length for text models.
        mixed_precision: None = automatic (mixed bfloat16 on a GPU), or force True/False.

    Returns:
        A ``keras.Model``. With a new head its body is frozen (train it with ``kzoo.fine_tune``);
        text models are KerasHub tasks that take strings.

    Raises:
        kzoo.UnknownNameError: no such model (close names are suggested).
        kzoo.NotAvailableError: the weights are nowhere on this machine and cannot be downloaded.
        kzoo.InputError: bad ``num_classes``/``class_names``/``weights``.

    Example:
        >>> import kzoo
        >>> model = kzoo.load("efficientnet_lite0", class_names=["ants", "bees"])  # doctest: +SKIP
        >>> model.output_shape                                                     # doctest: +SKIP
        (None, 2)
    """
    names = None if num_classes is None and class_names is None else _names(num_classes, class_names)
    try:
        entry = info(name)
    except UnknownNameError:  # not a zoo name (zoo names win over folders): a saved model's folder?
        if not (isinstance(name, os.PathLike) or (isinstance(name, str) and Path(name).expanduser().is_dir())):
            raise
        from kzoo.share import load_model

        model = load_model(name)
        return model if names is None else freeze(swap_head(model, class_names=names))
    if dropout is not None:
        dropout = fraction("dropout", dropout)
    if input_shape is not None and entry.modality != "image":
        raise InputError(f"input_shape applies to image models; {name} is a {entry.modality} model.")
    if weights not in ("pretrained", None) and not Path(weights).exists():
        raise InputError(f"weights must be 'pretrained', None or an existing path; {weights!r} does not exist.")
    with build_scope(mixed_precision):
        model = _build(entry, weights, names, input_shape, dropout, sequence_length)
    if names is not None:
        freeze(model)
    return model


def _location(entry: ZooEntry, weights):
    from kzoo.zoo.resolve import fetch, find_local

    if weights == "pretrained":
        return fetch(entry)
    if weights is None:  # architecture only: any local copy of the config, else the hub handle
        return find_local(entry) or entry.sources[-1]
    return Path(weights)


def _build(entry, weights, names, input_shape, dropout, sequence_length):
    new_head_dropout = DEFAULT_DROPOUT if dropout is None else dropout
    if entry.family == "keras_applications":
        keras_weights = None if weights is None else "imagenet" if weights == "pretrained" else str(weights)
        return _keras_application(entry, keras_weights, names, input_shape or entry.input_shape, new_head_dropout)
    location = _location(entry, weights)
    if entry.family == "keras_hub" and entry.modality == "image":
        return _keras_hub_image(entry, location, weights, names, input_shape, new_head_dropout)
    if entry.family == "keras_hub" and entry.modality == "text":
        return _keras_hub_text(entry, location, weights, names, new_head_dropout, sequence_length)
    published = _kzoo_model(entry, location, weights, names)
    # Builders that take class names (glyphnet) already have the right head; the others get one here.
    model = published if names is None or class_names_of(published) == names else swap_head(
        published, class_names=names)
    if dropout is not None:
        _set_head_dropout(model, dropout)
    return model


def _set_head_dropout(model: keras.Model, rate: float) -> None:
    """kzoo's own models end in Dropout -> head: set that rate (dropout reads it at call time)."""
    layers = model.layers
    before_head = layers[layers.index(find_head(model)) - 1]
    if not isinstance(before_head, keras.layers.Dropout):
        raise InputError(f"{model.name} has no dropout layer in front of its head, so dropout={rate} "
                         "cannot be applied; leave dropout out.")
    before_head.rate = rate
