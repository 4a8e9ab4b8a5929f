"""The KerasHub family: its ImageNet image-classifier and text presets (enumerated lazily), and
``efficientnet_lite0`` (timm's EfficientNet-Lite0 weights, which KerasHub reads).

Importing this module registers them; ``keras_hub`` (which imports TensorFlow) is imported only
when the presets are enumerated or a model is built.
"""
from __future__ import annotations

from kzoo.zoo.catalog import BuildRequest, ZooEntry, register, register_family
from kzoo.zoo.text import build_text

FAMILY = "keras_hub"


def _rows(modality: str) -> list[dict]:
    import keras_hub

    registry = (keras_hub.models.ImageClassifier if modality == "image" else keras_hub.models.TextClassifier)
    found = []
    for preset, record in registry.presets.items():
        meta = record.get("metadata", {})
        if modality == "image" and "imagenet" not in preset and "in1k" not in preset:
            continue  # segmentation / multimodal encoders are not classifiers to fine-tune here
        found.append({
            "name": preset, "modality": modality, "family": FAMILY, "sources": [record["kaggle_handle"]],
            "input_shape": None, "input_range": "RGB 0-255" if modality == "image" else "strings",
            "preprocessing": "preset image converter" if modality == "image" else "tokenizer",
            "license": "see the preset's model card on Kaggle", "params": meta.get("params"),
            "num_classes": 1000 if modality == "image" else 0,
            "labels": "imagenet" if modality == "image" else None,
            "description": meta.get("description", ""),
        })
    return found


def image_rows() -> list[dict]:
    """KerasHub's ImageNet image-classifier presets, as catalog rows (imports keras_hub).

    Example:
        >>> "resnet_50_imagenet" in [r["name"] for r in image_rows()]
        True
    """
    return _rows("image")


def text_rows() -> list[dict]:
    """KerasHub's text-classifier presets, as catalog rows (imports keras_hub).

    Example:
        >>> "bert_base_en_uncased" in [r["name"] for r in text_rows()]
        True
    """
    return _rows("text")


def build_image(entry: ZooEntry, request: BuildRequest):
    """A KerasHub ``ImageClassifier`` preset: published head, or its body under a new head.

    Example:
        >>> import kzoo
        >>> kzoo.info("efficientnet_lite0").builder is build_image
        True
    """
    import keras
    import keras_hub

    from kzoo.errors import KzooError
    from kzoo.zoo._assemble import DEFAULT_DROPOUT, assemble, imagenet_names, preset_failure, split_published

    try:
        task = keras_hub.models.ImageClassifier.from_preset(str(request.location),
                                                            load_weights=request.weights is not None)
    except KzooError:
        raise
    except Exception as err:  # safetensors, json, h5 and zip readers each raise their own errors
        raise preset_failure(request.location, err, f"Delete it and run `kzoo fetch {entry.name}` again, or "
                      "pass weights= a complete copy.") from err
    converter = task.preprocessor.image_converter
    size = tuple(converter.image_size) if converter.image_size else (224, 224)
    shape = request.input_shape or (*size, 3)
    rescale = keras.layers.Rescaling(scale=converter.scale, offset=converter.offset, name="rescale")
    body, head_weights = split_published(task, entry.name)
    if request.class_names is None:
        return assemble(entry, rescale, body, shape, imagenet_names(), 0, head_weights)
    dropout = DEFAULT_DROPOUT if request.dropout is None else request.dropout
    return assemble(entry, rescale, body, shape, request.class_names, dropout)


register_family("keras_hub_image", image_rows, build_image, packages=("keras", "keras-hub"))
register_family("keras_hub_text", text_rows, build_text, packages=("keras", "keras-hub"))
register(ZooEntry(
    name="efficientnet_lite0",
    modality="image",
    family=FAMILY,
    builder=build_image,
    sources=("assets:models/efficientnet_lite0_imagenet", "hf://timm/efficientnet_lite0.ra_in1k"),
    input_shape=(224, 224, 3),
    input_range="RGB 0-255",
    preprocessing="rescale:0.00784313725490196,-1.0",
    license="Apache-2.0",
    params=4_652_008,
    num_classes=1000,
    labels="imagenet",
    description="EfficientNet-Lite0 (timm ra_in1k), ImageNet-1k; inputs scaled to [-1, 1]",
    files=("config.json", "model.safetensors"),
))
