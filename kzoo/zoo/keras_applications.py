"""The ``keras.applications`` family: every ImageNet classifier Keras exports, enumerated lazily.

Importing this module registers the family with the catalog; Keras itself is imported only when
the rows are enumerated (once per installed Keras version, see ``kzoo.zoo.catalog``) or a model is
built. Keras downloads and caches these weights itself (``~/.keras/models``).
"""
from __future__ import annotations

from kzoo.zoo.catalog import BuildRequest, ZooEntry, register_family

FAMILY = "keras_applications"
# What each keras.applications module does to raw 0-255 RGB input. "built-in" families rescale
# inside the network (include_preprocessing=True), so kzoo adds nothing in front of them.
PREPROCESSING = {
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
SIZES = {
    "InceptionV3": 299, "InceptionResNetV2": 299, "Xception": 299, "NASNetLarge": 331,
    "EfficientNetB1": 240, "EfficientNetB2": 260, "EfficientNetB3": 300, "EfficientNetB4": 380,
    "EfficientNetB5": 456, "EfficientNetB6": 528, "EfficientNetB7": 600,
    "EfficientNetV2B1": 240, "EfficientNetV2B2": 260, "EfficientNetV2B3": 300,
    "EfficientNetV2S": 384, "EfficientNetV2M": 480, "EfficientNetV2L": 480,
}


def rows() -> list[dict]:
    """One catalog row per ``keras.applications`` constructor (imports Keras).

    Example:
        >>> {"name": "resnet50", "preprocessing": "caffe"}.items() <= next(
        ...     r for r in rows() if r["name"] == "resnet50").items()
        True
    """
    import keras

    found = []
    for module_name, mode in PREPROCESSING.items():
        module = getattr(keras.applications, module_name, None)
        if module is None:
            continue
        for attr in dir(module):
            fn = getattr(module, attr)
            if not (attr[0].isupper() and callable(fn)) or getattr(keras.applications, attr, None) is not fn:
                continue
            size = SIZES.get(attr, 224)
            found.append({
                "name": attr.lower(), "modality": "image", "family": FAMILY,
                "sources": [f"keras-app:{attr}"], "input_shape": [size, size, 3],
                "input_range": "RGB 0-255", "preprocessing": mode,
                "license": "Keras Applications ImageNet weights (see keras.io/api/applications)",
                "num_classes": 1000, "labels": "imagenet",
                "description": f"keras.applications.{attr}, ImageNet-1k",
            })
    return found


def build(entry: ZooEntry, request: BuildRequest):
    """The published classifier, or its body (ImageNet weights) under a new head.

    Example:
        >>> import kzoo
        >>> kzoo.info("resnet50").builder is build
        True
    """
    import keras

    from kzoo.errors import KzooError, NotAvailableError
    from kzoo.layers import ImagePreprocessing
    from kzoo.zoo._assemble import DEFAULT_DROPOUT, assemble, check_shape, imagenet_names, split_published

    constructor = getattr(keras.applications, entry.sources[0].partition(":")[2])
    # Keras caches its own files (with and without the top), so "pretrained" is always "imagenet".
    weights = None if request.weights is None else "imagenet" if request.weights == "pretrained" else str(
        request.weights)
    mode = "none" if entry.preprocessing == "built-in" else entry.preprocessing
    shape = request.input_shape or entry.input_shape
    try:
        if request.class_names is None:  # the published head fixes the input size
            check_shape(entry, request.input_shape)
            net = constructor(include_top=True, weights=weights, classifier_activation=None)
            body, head_weights = split_published(net, entry.name)
            return assemble(entry, ImagePreprocessing(mode), body, entry.input_shape, imagenet_names(), 0,
                            head_weights)
        body = constructor(include_top=False, weights=weights, input_shape=shape, pooling="avg")
    except KzooError:
        raise
    except Exception as err:  # urllib/HTTP errors surface as plain Exceptions
        raise NotAvailableError(
            f"{entry.name}: Keras could not get its ImageNet weights ({err}). On a machine with internet "
            f"run `kzoo fetch {entry.name}`; offline, copy the weight file into ~/.keras/models.") from err
    dropout = DEFAULT_DROPOUT if request.dropout is None else request.dropout
    return assemble(entry, ImagePreprocessing(mode), body, shape, request.class_names, dropout)


register_family(FAMILY, rows, build, packages=("keras",))
