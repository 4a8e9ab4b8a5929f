"""Sharing a trained model: a folder with the model and a README model card, and loading it back.

``save_model`` writes a KerasHub preset for KerasHub tasks (tokenizer, encoder and head together, so
``from_preset`` rebuilds the whole task) and a single ``model.keras`` file for any other model; next to
it goes ``README.md``, the model card (Mitchell et al., 2019, "Model Cards for Model Reporting",
FAT* 2019) that ``model_card`` writes from the model's own facts plus what you tell it about the
training. The folder appears complete or not at all.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping

import keras
import numpy as np

from kzoo._checks import check_scalar
from kzoo._files import atomic_path
from kzoo._graph import is_task, leaf_layers, weight_layers
from kzoo.errors import InputError
from kzoo.heads import class_names
from kzoo.layers import ImagePreprocessing

CARD_FILE = "README.md"
KERAS_FILE = "model.keras"
_PREPROCESSING = (ImagePreprocessing, keras.layers.Rescaling, keras.layers.Normalization, keras.layers.Resizing)
_MAX_LISTED = 12


def model_card(model: keras.Model, *, name: str, data: str | None = None,
               metrics: Mapping[str, float] | None = None, intended_use: str | None = None,
               limitations: str | None = None) -> str:
    """A markdown model card: what the model is, what it takes and gives, and how it was trained.

    The architecture, parameter counts, input, class names and trainable layers are read from the
    model; data, metrics, intended use and limitations are yours to state (a card says "not stated"
    rather than guess).

    Args:
        model: a built ``keras.Model`` (a classifier, a KerasHub task, or any other model).
        name: the model's name, the card's title.
        data: what it was trained on (data set, split, how many examples, labels per class).
        metrics: measured results, e.g. ``{"val accuracy": 0.93}``.
        intended_use: what it is for and who should use it.
        limitations: where it fails or was not tested.

    Returns:
        The card as a markdown string.

    Raises:
        kzoo.InputError: ``model`` is not a built Keras model, ``name`` is empty, a text field is not
            a string, or a metric is not a number.

    Example:
        >>> import keras, kzoo.share
        >>> m = kzoo.swap_head(keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)]),
        ...                    class_names=["cat", "dog"])
        >>> card = kzoo.share.model_card(m, name="pets", metrics={"val accuracy": 0.9})
        >>> card.splitlines()[0]
        '# pets'
        >>> "cat, dog" in card and "| val accuracy | 0.9 |" in card
        True
    """
    _check_model(model)
    if not isinstance(name, str) or not name.strip():
        raise InputError("name must be a non-empty string: the model's name, used as the card's title.")
    texts = {"data": data, "intended_use": intended_use, "limitations": limitations}
    for key, value in texts.items():
        if value is not None and not isinstance(value, str):
            raise InputError(f"{key} must be a string (or None), got {type(value).__name__}.")
    metrics = _check_metrics(metrics)
    import keras_hub  # imported on use: `import kzoo` stays light

    lines = [f"# {name.strip()}", "", "## Model", "",
             f"- Architecture: {_architecture(model)}",
             f"- Input: {_input(model)}",
             f"- Output: {_output(model)}",
             f"- Trainable layers: {_trainable(model)}",
             f"- Saved with: Keras {keras.__version__} ({keras.config.backend()} backend), "
             f"KerasHub {keras_hub.__version__}", ""]
    lines += ["## Training data", "", data or "Not stated.", ""]
    lines += ["## Evaluation", ""]
    lines += (["| metric | value |", "|---|---|", *(f"| {k} | {v:.4g} |" for k, v in metrics.items())]
              if metrics else ["Not stated."])
    lines += ["", "## Intended use", "", intended_use or "Not stated.", ""]
    lines += ["## Limitations", "", limitations or "Not stated.", ""]
    lines += ["## How to load", "", "```python", "import kzoo", "",
              'model = kzoo.share.load_model("path/to/this/folder")', "```", ""]
    return "\n".join(lines)


def save_model(model: keras.Model, directory: str | os.PathLike, *, card: str | None = None) -> Path:
    """Save a model and its model card into a new folder, atomically.

    KerasHub tasks (e.g. the text classifiers ``kzoo.load("minilm_l6", ...)`` returns) are written
    as a KerasHub preset (``model.save_to_preset``); any other model as ``model.keras``. The files go
    to a temporary folder beside ``directory`` that is renamed into place only when everything is
    written, so a failure leaves nothing behind.

    Args:
        model: a built ``keras.Model``.
        directory: the folder to create (it may exist if it is empty).
        card: the README's markdown (default: ``model_card(model, name=<folder name>)``).

    Returns:
        The folder's path.

    Raises:
        kzoo.InputError: ``model`` is not a built Keras model, ``card`` is not a string, or
            ``directory`` exists and is not an empty folder.

    Example:
        >>> import keras, kzoo.share
        >>> m = kzoo.swap_head(keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)]),
        ...                    class_names=["cat", "dog"])
        >>> folder = kzoo.share.save_model(m, "pets")
        >>> sorted(p.name for p in folder.iterdir())
        ['README.md', 'model.keras']
        >>> kzoo.class_names(kzoo.share.load_model(folder))
        ['cat', 'dog']
    """
    _check_model(model)
    if card is not None and not isinstance(card, str):
        raise InputError(f"card must be a markdown string (see kzoo.share.model_card), got {type(card).__name__}.")
    directory = Path(directory).expanduser()
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise InputError(f"{directory} exists and is not an empty folder; choose a new folder or remove it.")
    card = model_card(model, name=directory.name) if card is None else card
    with atomic_path(directory) as staging:
        staging.mkdir()
        if is_task(model):
            model.save_to_preset(str(staging))
        else:
            model.save(staging / KERAS_FILE)
        (staging / CARD_FILE).write_text(card, encoding="utf-8")
    return directory


def load_model(directory: str | os.PathLike) -> keras.Model:
    """Load a model saved by ``save_model`` (a KerasHub preset folder or a folder with ``model.keras``).

    Args:
        directory: the folder ``save_model`` wrote (or any KerasHub preset folder).

    Returns:
        The model, with its class names, weights and (for KerasHub tasks) its preprocessor.

    Raises:
        kzoo.InputError: the folder does not exist or holds neither a preset nor ``model.keras``.

    Example:
        A KerasHub text classifier comes back as a preset, with its tokenizer:

        >>> import kzoo, kzoo.share
        >>> text = kzoo.load("minilm_l6", class_names=["negative", "positive"])  # doctest: +ASSETS
        >>> folder = kzoo.share.save_model(text, "my_sentiment_model")  # doctest: +ASSETS
        >>> "task.json" in {p.name for p in folder.iterdir()}  # doctest: +ASSETS
        True
        >>> model = kzoo.share.load_model(folder)  # doctest: +ASSETS
        >>> kzoo.class_names(model), model.predict(["a gripping, funny film"], verbose=0).shape  # doctest: +ASSETS
        (['negative', 'positive'], (1, 2))
    """
    import keras_hub
    from keras_hub.src.utils.preset_utils import CONFIG_FILE, TASK_CONFIG_FILE, check_config_class, load_json

    directory = Path(directory).expanduser()
    if (directory / KERAS_FILE).is_file():
        return keras.saving.load_model(directory / KERAS_FILE)
    if (directory / TASK_CONFIG_FILE).is_file():
        task_cls = check_config_class(load_json(str(directory), TASK_CONFIG_FILE))
        return task_cls.from_preset(str(directory))
    if (directory / CONFIG_FILE).is_file():
        return keras_hub.models.Backbone.from_preset(str(directory))
    raise InputError(f"{directory} holds neither {KERAS_FILE} nor a KerasHub preset ({CONFIG_FILE}); "
                     "pass a folder written by kzoo.share.save_model.")


# --- the facts a card reads from the model -----------------------------------------------------
def _check_model(model) -> None:
    if not isinstance(model, keras.Model):
        raise InputError(f"model must be a keras.Model, got {type(model).__name__}.")
    if not model.built:
        raise InputError(f"{model.name!r} is not built yet; call it on a batch (or give it an Input) first.")


def _check_metrics(metrics) -> dict[str, float]:
    if metrics is None:
        return {}
    if not isinstance(metrics, Mapping):
        raise InputError(f"metrics must be a dict of name -> number, got {type(metrics).__name__}.")
    return {str(key): check_scalar(f"metric {key!r}", value) for key, value in metrics.items()}


def _count(weights) -> int:
    return int(sum(np.prod(w.shape) for w in weights))


def _architecture(model) -> str:
    total, trainable = _count(model.weights), _count(model.trainable_weights)
    with_weights = weight_layers(model)
    return (f"`{model.name}` ({type(model).__name__}), {len(with_weights)} layers with weights, "
            f"{total:,} parameters ({trainable:,} trainable, {total - trainable:,} frozen)")


def _input(model) -> str:
    preprocessor = getattr(model, "preprocessor", None)
    if is_task(model) and preprocessor is not None:
        tokenizer = getattr(preprocessor, "tokenizer", None)
        length = getattr(preprocessor, "sequence_length", None)
        return (f"raw {'strings' if tokenizer is not None else 'inputs'}; its preprocessor "
                f"({type(preprocessor).__name__}"
                + (f", {type(tokenizer).__name__}" if tokenizer is not None else "")
                + (f", sequence length {length}" if length else "") + ") is saved with the model")
    inside = [f"{type(layer).__name__}" + (f"({layer.mode!r})" if isinstance(layer, ImagePreprocessing) else "")
              for layer in leaf_layers(model) if isinstance(layer, _PREPROCESSING)]
    shape = f"shape {model.input_shape} (batch first)"
    return shape + (f"; preprocessing inside the model: {', '.join(inside)}" if inside else "")


def _output(model) -> str:
    try:
        names = class_names(model)
    except InputError:  # not a classifier (e.g. an encoder or an autoencoder)
        return f"shape {model.output_shape} (no classification head)"
    shown = ", ".join(names[:_MAX_LISTED]) + (f", ... ({len(names)} in all)" if len(names) > _MAX_LISTED else "")
    return f"logits over {len(names)} classes ({shown}); softmax gives probabilities"


def _trainable(model) -> str:
    layers = weight_layers(model)
    trainable = [layer.name for layer in layers if layer.trainable and layer.trainable_weights]
    if not trainable:
        return "none (the whole model is frozen)"
    if len(trainable) == len(layers):
        return f"all {len(layers)}"
    shown = ", ".join(trainable[:_MAX_LISTED]) + (", ..." if len(trainable) > _MAX_LISTED else "")
    return f"{len(trainable)} of {len(layers)} ({shown})"
