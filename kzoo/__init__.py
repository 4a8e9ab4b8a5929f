"""kzoo: a Keras 3 model zoo and course for pre-training, transfer learning and fine-tuning.

The whole public API is here; every function takes and returns plain Keras objects. Names load on
first use (PEP 562), so ``import kzoo`` and the ``kzoo`` command start without Keras or TensorFlow.

Example:
    >>> import kzoo
    >>> kzoo.list_models(modality="image")[0].modality
    'image'
    >>> x, y = kzoo.datasets.load("digits", "train", as_numpy=True)
    >>> model = kzoo.load("glyphnet", class_names=[str(d) for d in range(10)])  # letters body, new head
    >>> history = kzoo.fine_tune(model, (x[:100], y[:100]), head_epochs=1)  # option 1: the head alone
    >>> sorted(history.history)
    ['accuracy', 'loss']
    >>> kzoo.predict(model, x[:1], top=2)  # [[(class name, probability), (...)]]
    [[('...', ...), ('...', ...)]]
    >>> model = kzoo.load("efficientnet_lite0", class_names=["ants", "bees"])  # doctest: +ASSETS
    >>> model.input_shape, model.output_shape  # doctest: +ASSETS
    ((None, 224, 224, 3), (None, 2))
"""
import importlib
import importlib.metadata
import importlib.util
import sys
import types

# The zoo's front door: importing it registers every model family (it imports no Keras), so a zoo name
# resolves whichever kzoo module a program imports first.
from kzoo import models  # noqa: E402,F401

try:
    __version__ = importlib.metadata.version("kzoo")
except importlib.metadata.PackageNotFoundError:  # a bare checkout on PYTHONPATH, never installed
    __version__ = "0+unknown"

# Public name -> the module that defines it. Sub-packages and modules (kzoo.datasets, kzoo.config, ...)
# load on first attribute access too, by their own name.
_DEFINED_IN = {
    **dict.fromkeys(["ChecksumError", "CorruptFileError", "DownloadError", "InputError", "KzooError",
                     "ModelBuildError", "NotAvailableError", "UnknownNameError"], "kzoo.errors"),
    **dict.fromkeys(["extract_features", "split_model"], "kzoo.features"),
    **dict.fromkeys(["LRFinderResult", "discriminative_optimizer", "fine_tune", "lr_find"], "kzoo.finetune"),
    **dict.fromkeys(["freeze", "layer_groups", "leaf_layers", "unfreeze"], "kzoo.freeze"),
    **dict.fromkeys(["add_classes", "class_names", "find_head", "swap_head"], "kzoo.heads"),
    **dict.fromkeys(["ClassifierHead", "ImagePreprocessing", "MaskedMeanPooling"], "kzoo.layers"),
    "LazyAdam": "kzoo.optimizers",
    "predict": "kzoo.predict",
    "fit_head": "kzoo.probe",
    **dict.fromkeys(["contrastive_fine_tune", "sentence_pairs"], "kzoo.contrastive"),
    **dict.fromkeys(["BaselineResult", "bag_of_words"], "kzoo.baselines"),
    **dict.fromkeys(["ZooEntry", "fetch", "find_local", "info", "list_models", "load"], "kzoo.models"),
}
_SUBMODULES = ["compare", "datasets", "devices", "doctor", "exercises", "incremental", "plots", "pretrain",
               "share", "surgery"]
# Modules whose Keras layers are registered for keras.saving.load_model (see _register_keras_objects).
_KERAS_OBJECTS = ("kzoo.layers", "kzoo.optimizers", "kzoo.incremental", "kzoo.pretrain")

__all__ = sorted([*_DEFINED_IN, *_SUBMODULES], key=str.lower)


def __getattr__(name: str):
    if name in _DEFINED_IN:
        value = getattr(importlib.import_module(_DEFINED_IN[name]), name)
    elif not name.startswith("_") and importlib.util.find_spec(f"{__name__}.{name}") is not None:
        value = importlib.import_module(f"{__name__}.{name}")
    else:
        raise AttributeError(f"module 'kzoo' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


class _Package(types.ModuleType):
    """kzoo's module type: a public function keeps its name when its same-named module loads.

    ``kzoo.freeze`` and ``kzoo.predict`` are functions of the modules ``kzoo.freeze`` and ``kzoo.predict``.
    Importing such a module (``kzoo.finetune`` imports ``kzoo.freeze``) makes Python bind it as an
    attribute of its package, which would turn ``kzoo.freeze(model)`` into a call of a module.
    """

    def __setattr__(self, name: str, value) -> None:
        if not (name in _DEFINED_IN and isinstance(value, types.ModuleType)):
            super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def _register_keras_objects() -> None:
    """Register kzoo's layers for ``keras.saving.load_model`` when Keras is already loaded.

    They cannot register at ``import kzoo`` without importing Keras; a script that imports Keras first
    (the usual order) gets them here, and every kzoo function that builds a model registers them anyway.
    """
    if "keras" in sys.modules:
        for module in _KERAS_OBJECTS:
            importlib.import_module(module)


_register_keras_objects()
