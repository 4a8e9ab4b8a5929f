"""glyphnet: kzoo's own small CNN for 8x8 images in sklearn's digits format (grey levels 0..16).

kzoo pre-trains it on 52 generated letters (``kzoo.datasets.glyphs``, ``scripts/pretrain_glyphnet.py``)
and ships the result in ``kzoo/data/glyphnet/`` (package data); the course then transfers it to real handwritten digits.
Importing this module registers ``glyphnet`` in the zoo; Keras is imported only to build it.
"""
from __future__ import annotations

import string
from pathlib import Path
from typing import Sequence

from kzoo._checks import class_names as check_class_names
from kzoo._checks import fraction
from kzoo.zoo.catalog import BuildRequest, ZooEntry, register

INPUT_SHAPE = (8, 8, 1)
# The 52 classes it is pre-trained on (kzoo.datasets.glyphs.LETTERS; a test keeps the two equal).
CLASS_NAMES = tuple(string.ascii_uppercase + string.ascii_lowercase)
WEIGHTS_FILE = "glyphnet.keras"
MAX_GREY_LEVEL = 16  # sklearn digits count the "on" pixels of 4x4 blocks: 0..16
FILTERS = (32, 64, 128)  # block1, block2 at 8x8; block3 at 4x4


def _conv_block(x, filters: int, name: str):
    import keras

    x = keras.layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"{name}_conv")(x)
    # momentum 0.9, not Keras' 0.99: the moving statistics must settle within the few hundred
    # steps of a small few-shot run (from scratch or fine-tuning), or inference sees stale ones.
    x = keras.layers.BatchNormalization(momentum=0.9, name=f"{name}_bn")(x)
    return keras.layers.ReLU(name=f"{name}_relu")(x)


def build_glyphnet(class_names: Sequence[str], *, dropout: float = 0.3):
    """The glyphnet architecture, randomly initialised.

    ``image`` (8, 8, 1) raw grey levels 0..16 -> ``Rescaling(1/16)`` -> three conv-BN-ReLU blocks
    (32, 64 filters at 8x8; max-pool; 128 filters at 4x4) -> ``pool`` (global average) ->
    ``dropout`` -> ``head`` (a ``kzoo.layers.ClassifierHead`` that outputs logits). About 100k
    parameters with 52 classes.

    Args:
        class_names: one name per output class (e.g. ``kzoo.datasets.glyphs.LETTERS`` as a list,
            or ``[str(d) for d in range(10)]`` for the digits).
        dropout: dropout rate before the head, in [0, 1).

    Returns:
        An uncompiled functional ``keras.Model`` named ``"glyphnet"``.

    Raises:
        kzoo.InputError: ``class_names`` is empty, not a sequence of names, or repeats a name;
            ``dropout`` is outside [0, 1).

    Example:
        >>> model = build_glyphnet([str(d) for d in range(10)])
        >>> model.output_shape
        (None, 10)
    """
    names = check_class_names(class_names)
    dropout = fraction("dropout", dropout)
    import keras

    from kzoo.layers import ClassifierHead

    inputs = keras.Input(INPUT_SHAPE, name="image")
    x = keras.layers.Rescaling(1.0 / MAX_GREY_LEVEL, name="rescale")(inputs)
    x = _conv_block(x, FILTERS[0], "block1")
    x = _conv_block(x, FILTERS[1], "block2")
    x = keras.layers.MaxPooling2D(2, name="block2_pool")(x)
    x = _conv_block(x, FILTERS[2], "block3")
    x = keras.layers.GlobalAveragePooling2D(name="pool")(x)
    x = keras.layers.Dropout(dropout, name="dropout")(x)
    outputs = ClassifierHead(names, name="head")(x)
    return keras.Model(inputs, outputs, name="glyphnet")


def build(entry: ZooEntry, request: BuildRequest):
    """glyphnet with its published weights (or random ones), its head swapped when asked.

    Example:
        >>> import kzoo
        >>> kzoo.info("glyphnet").builder is build
        True
    """
    import keras

    from kzoo.zoo._assemble import check_shape, corrupt, with_head

    check_shape(entry, request.input_shape)
    if request.weights is None:
        return with_head(build_glyphnet(request.class_names or list(CLASS_NAMES)), None, request.dropout)
    location = Path(request.location)
    path = location / WEIGHTS_FILE if location.is_dir() else location
    try:
        published = keras.saving.load_model(path)
    except Exception as err:  # zip, h5 and Keras' own readers each raise their own errors
        raise corrupt(path, err, "Pass a .keras file saved by Keras, or leave weights out to use the "
                      "copy kzoo ships (re-create it with scripts/pretrain_glyphnet.py).") from err
    return with_head(published, request.class_names, request.dropout)


register(ZooEntry(
    name="glyphnet",
    modality="image",
    family="kzoo",
    builder=build,
    sources=("data:glyphnet",),
    input_shape=INPUT_SHAPE,
    input_range="grey levels 0-16 (sklearn digits format)",
    preprocessing="rescale:0.0625,0.0",
    license="Apache-2.0",
    params=None,
    num_classes=len(CLASS_NAMES),
    labels="glyphs",
    description="kzoo's own small CNN, pre-trained on 52 letters rendered from matplotlib's fonts",
))
