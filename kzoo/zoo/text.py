"""A sentence classifier on a BERT-style encoder: mean-pooled token states, dropout, a named head.

It is a KerasHub ``TextClassifier`` task, so its tokenizer travels with it: ``fit``, ``predict`` and
``evaluate`` take raw strings on every backend (the preprocessor runs in the input pipeline).
"""
from __future__ import annotations

from typing import Sequence

import keras
import keras_hub

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
        >>> import kzoo
        >>> model = kzoo.load("minilm_l6", class_names=["negative", "positive"])  # doctest: +SKIP
        >>> model.predict(["a gripping, beautiful film"])                        # doctest: +SKIP
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
        """The same encoder and tokenizer with a new, randomly initialised head."""
        return SentenceClassifier(self.backbone, class_names, preprocessor=self.preprocessor,
                                  dropout=self.dropout if dropout is None else dropout, name=self.name,
                                  compile=False)

    def get_config(self):
        return {**super().get_config(), "class_names": self.class_names, "dropout": self.dropout}
