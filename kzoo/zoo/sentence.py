"""A sentence classifier on a BERT-style encoder: mean-pooled token states, dropout, a named head.

It is a KerasHub ``TextClassifier`` task, so its tokenizer travels with it: ``fit``, ``predict`` and
``evaluate`` take raw strings on every backend (the preprocessor runs in the input pipeline).

Reloading a saved preset goes through ``SentenceClassifier.from_preset(dir)``. KerasHub's generic
``TextClassifier.from_preset(dir)`` cannot return it: that method picks the task class from the
*backbone* (a ``BertBackbone`` gives ``BertTextClassifier``), not from the saved ``task.json``.
"""
from __future__ import annotations

import os
from typing import Sequence

import keras
import keras_hub
from keras_hub.src.utils.preset_utils import TASK_CONFIG_FILE, check_file_exists, get_preset_loader, load_json

from kzoo.errors import InputError
from kzoo.layers import ClassifierHead, MaskedMeanPooling


@keras.saving.register_keras_serializable(package="kzoo")
class SentenceClassifier(keras_hub.models.TextClassifier):
    """Encoder -> masked mean pooling -> dropout -> ``ClassifierHead`` (logits).

    Mean pooling over tokens is how sentence-transformers models such as all-MiniLM-L6-v2 were
    trained to embed sentences, so the features the head reads are the published sentence embeddings.

    Args:
        backbone: a KerasHub text backbone whose output has ``"sequence_output"``.
        class_names: one name per class.
        preprocessor: the matching KerasHub ``TextClassifierPreprocessor`` (tokenizer).
        dropout: dropout rate in front of the head.

    Example:
        A tiny BERT with a nine-word vocabulary shows the wiring; ``kzoo.load`` builds the real one:

        >>> import keras_hub
        >>> vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "good", "bad", "film"]
        >>> preprocessor = keras_hub.models.BertTextClassifierPreprocessor(
        ...     keras_hub.models.BertTokenizer(vocabulary=vocab), sequence_length=8)
        >>> backbone = keras_hub.models.BertBackbone(len(vocab), num_layers=1, num_heads=1, hidden_dim=4,
        ...                                          intermediate_dim=8, max_sequence_length=8)
        >>> model = SentenceClassifier(backbone, ["negative", "positive"], preprocessor=preprocessor)
        >>> tuple(model(preprocessor(["a good film", "bad"])).shape)  # fit/predict tokenize by themselves
        (2, 2)
        >>> import kzoo
        >>> model = kzoo.load("minilm_l6", class_names=["negative", "positive"])  # doctest: +ASSETS
        >>> model.predict(["a gripping, beautiful film"], verbose=0).shape  # doctest: +ASSETS
        (1, 2)
    """

    def __init__(self, backbone, class_names: Sequence[str], preprocessor=None, dropout: float = 0.1,
                 **kwargs):
        self.backbone = backbone
        self.preprocessor = preprocessor
        self.pooling = MaskedMeanPooling(name="mean_pool")
        self.output_dropout = keras.layers.Dropout(dropout, name="head_dropout")
        self.output_dense = ClassifierHead(class_names, name="head")
        inputs = backbone.input
        sequence = backbone(inputs)["sequence_output"]
        x = self.output_dropout(self.pooling(sequence, inputs["padding_mask"]))
        super().__init__(inputs=inputs, outputs=self.output_dense(x), **kwargs)
        self.class_names = list(class_names)
        self.dropout = dropout

    def with_head(self, class_names: Sequence[str], *, dropout: float | None = None) -> "SentenceClassifier":
        """The same encoder and tokenizer with a new, randomly initialised head.

        Example:
            >>> import kzoo
            >>> model = kzoo.load("minilm_l6", class_names=["neg", "pos"])  # doctest: +ASSETS
            >>> model.with_head(["sad", "calm", "happy"]).class_names  # doctest: +ASSETS
            ['sad', 'calm', 'happy']
        """
        return SentenceClassifier(self.backbone, class_names, preprocessor=self.preprocessor,
                                  dropout=self.dropout if dropout is None else dropout, name=self.name,
                                  compile=False)

    def get_config(self):
        return {**super().get_config(), "class_names": self.class_names, "dropout": self.dropout}

    @classmethod
    def from_preset(cls, preset: str | os.PathLike, load_weights: bool = True, **kwargs) -> "SentenceClassifier":
        """Reload a classifier saved with ``save_to_preset``: tokenizer, encoder, head and class names.

        KerasHub's own ``Task.from_preset`` looks for a subclass registered for the preset's backbone
        class, and ``SentenceClassifier`` serves every text backbone, so it is never found that way;
        the preset's ``task.json`` names this class, and the loader rebuilds the task from it.

        Args:
            preset: a folder (or KerasHub handle) written by ``model.save_to_preset``.
            load_weights: False for the architecture with freshly initialised weights.
            **kwargs: passed to KerasHub's loader (e.g. ``dtype``).

        Returns:
            The reloaded ``SentenceClassifier``.

        Raises:
            kzoo.InputError: the preset holds no saved ``SentenceClassifier`` (e.g. a bare encoder).

        Example:
            A tiny BERT stands in for ``kzoo.load("minilm_l6", class_names=["neg", "pos"])``:

            >>> import keras_hub
            >>> from pathlib import Path
            >>> vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "good", "film"]
            >>> preprocessor = keras_hub.models.BertTextClassifierPreprocessor(
            ...     keras_hub.models.BertTokenizer(vocabulary=vocab), sequence_length=8)
            >>> backbone = keras_hub.models.BertBackbone(len(vocab), num_layers=1, num_heads=1,
            ...     hidden_dim=4, intermediate_dim=8, max_sequence_length=8)
            >>> model = SentenceClassifier(backbone, ["neg", "pos"], preprocessor=preprocessor)
            >>> model.save_to_preset("my_classifier")
            >>> SentenceClassifier.from_preset("my_classifier").class_names
            ['neg', 'pos']
            >>> Path("empty").mkdir()
            >>> SentenceClassifier.from_preset("empty")
            Traceback (most recent call last):
            ...
            kzoo.errors.InputError: empty holds no saved SentenceClassifier ...
        """
        preset = os.fspath(preset)
        task_config = load_json(preset, TASK_CONFIG_FILE) if check_file_exists(preset, TASK_CONFIG_FILE) else {}
        if task_config.get("registered_name") != keras.saving.get_registered_name(cls):
            raise InputError(
                f"{preset} holds no saved {cls.__name__} (its task.json is missing or names another "
                "class). For a new classifier on a published encoder use kzoo.load(name, class_names=...).")
        return get_preset_loader(preset).load_task(cls, load_weights, True, **kwargs)
