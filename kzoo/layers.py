"""The two small Keras layers kzoo adds to models: input preprocessing and a named classifier head.

Both are registered for Keras serialization, so a model saved with ``model.save("m.keras")`` loads
again with ``keras.saving.load_model`` once ``kzoo`` is imported.
"""
from __future__ import annotations

from typing import Sequence

import keras
from keras import ops

_IMAGENET_MEAN_RGB = (0.485, 0.456, 0.406)
_IMAGENET_STD_RGB = (0.229, 0.224, 0.225)
_CAFFE_MEAN_BGR = (103.939, 116.779, 123.68)
MODES = ("tf", "torch", "caffe", "none")


@keras.saving.register_keras_serializable(package="kzoo")
class ImagePreprocessing(keras.layers.Layer):
    """Maps raw RGB images with values 0-255 to what an ImageNet network expects.

    The modes are those of ``keras.applications.imagenet_utils.preprocess_input``: ``"tf"`` scales to
    [-1, 1], ``"torch"`` scales to [0, 1] and standardises per channel, ``"caffe"`` flips RGB to BGR
    and subtracts the ImageNet mean, ``"none"`` passes values through (networks that rescale by
    themselves; preprocessing them again would normalise twice).

    Args:
        mode: one of ``"tf"``, ``"torch"``, ``"caffe"``, ``"none"``.

    Example:
        >>> import numpy as np
        >>> layer = ImagePreprocessing("tf")
        >>> float(layer(np.full((1, 2, 2, 3), 255.0))[0, 0, 0, 0])
        1.0
    """

    def __init__(self, mode: str = "tf", **kwargs):
        super().__init__(**kwargs)
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        self.mode = mode

    def call(self, images):
        x = ops.cast(images, self.compute_dtype)
        if self.mode == "tf":
            return x / 127.5 - 1.0
        if self.mode == "torch":
            mean = ops.convert_to_tensor(_IMAGENET_MEAN_RGB, dtype=x.dtype)
            std = ops.convert_to_tensor(_IMAGENET_STD_RGB, dtype=x.dtype)
            return (x / 255.0 - mean) / std
        if self.mode == "caffe":
            return ops.flip(x, axis=-1) - ops.convert_to_tensor(_CAFFE_MEAN_BGR, dtype=x.dtype)
        return x

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "mode": self.mode}


@keras.saving.register_keras_serializable(package="kzoo")
class ClassifierHead(keras.layers.Dense):
    """A ``Dense`` output layer that knows the names of its classes.

    It outputs logits (no softmax): train with ``from_logits=True`` losses, and use
    ``keras.ops.softmax`` for probabilities. The class names are part of the layer's config, so they
    are saved and loaded with the model.

    Args:
        class_names: one name per output unit.
        **kwargs: passed to ``keras.layers.Dense`` (``kernel_initializer``, ``dtype``, ...).

    Example:
        >>> head = ClassifierHead(["cat", "dog"])
        >>> head.units, head.class_names
        (2, ['cat', 'dog'])
    """

    def __init__(self, class_names: Sequence[str], **kwargs):
        kwargs.pop("units", None)
        kwargs.setdefault("dtype", "float32")  # logits stay float32 under mixed precision
        class_names = [str(c) for c in class_names]
        if not class_names:
            raise ValueError("a classifier head needs at least one class name")
        super().__init__(units=len(class_names), **kwargs)
        self.class_names = class_names

    def get_config(self):
        config = super().get_config()
        config.pop("units", None)
        return {**config, "class_names": list(self.class_names)}


@keras.saving.register_keras_serializable(package="kzoo")
class MaskedMeanPooling(keras.layers.Layer):
    """Mean of a sequence over its real (unpadded) positions: the sentence-transformers pooling.

    Call it as ``layer(sequence, padding_mask)`` with ``sequence`` (batch, length, width) and
    ``padding_mask`` (batch, length), true/1 where there is a token.

    Example:
        >>> import numpy as np
        >>> seq = np.array([[[1.0], [3.0], [100.0]]])
        >>> float(MaskedMeanPooling()(seq, np.array([[1, 1, 0]]))[0, 0])
        2.0
    """

    def call(self, sequence, padding_mask):
        mask = ops.expand_dims(ops.cast(padding_mask, sequence.dtype), -1)
        total = ops.sum(sequence * mask, axis=1)
        return total / ops.maximum(ops.sum(mask, axis=1), 1.0)

    def compute_output_shape(self, sequence_shape, padding_mask_shape=None):
        return (sequence_shape[0], sequence_shape[-1])
