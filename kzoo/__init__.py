"""kzoo: a Keras 3 model zoo and course for pre-training, transfer learning and fine-tuning.

The whole public API is here; every function takes and returns plain Keras objects.

Example:
    >>> import kzoo
    >>> model = kzoo.load("efficientnet_lite0", class_names=["ants", "bees"])  # doctest: +SKIP
    >>> history = kzoo.fine_tune(model, train, val, head_epochs=5, epochs=5)   # doctest: +SKIP
"""
from kzoo import compare, datasets, devices, doctor, exercises, incremental, plots, pretrain, share, surgery
from kzoo.errors import (ChecksumError, CorruptFileError, DownloadError, InputError, KzooError,
                         NotAvailableError, UnknownNameError)
from kzoo.features import extract_features, split_model
from kzoo.finetune import LRFinderResult, discriminative_optimizer, fine_tune, lr_find
from kzoo.freeze import freeze, layer_groups, leaf_layers, unfreeze
from kzoo.heads import add_classes, class_names, find_head, swap_head
from kzoo.layers import ClassifierHead, ImagePreprocessing, MaskedMeanPooling
from kzoo.predict import predict
from kzoo.models import ZooEntry, fetch, find_local, info, list_models, load

__version__ = "0.1.0"

__all__ = [
    "ChecksumError", "ClassifierHead", "CorruptFileError", "DownloadError", "ImagePreprocessing", "InputError",
    "KzooError", "LRFinderResult", "MaskedMeanPooling", "NotAvailableError", "UnknownNameError", "ZooEntry",
    "add_classes", "class_names", "compare", "datasets", "devices", "discriminative_optimizer", "doctor",
    "exercises", "extract_features", "fetch", "find_head", "incremental", "find_local", "fine_tune", "freeze", "info", "layer_groups",
    "leaf_layers", "list_models", "load", "lr_find", "plots", "predict", "pretrain", "share", "split_model",
    "surgery", "swap_head",
    "unfreeze",
]
