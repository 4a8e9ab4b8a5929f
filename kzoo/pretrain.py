"""Unsupervised pre-training of any encoder: reconstruct the input, no labels needed.

``autoencoder(encoder)`` puts a decoder on top of an encoder and compiles the pair to reproduce its
input, so ``model.fit(x, x)`` trains the encoder on unlabelled data. With ``mask_ratio > 0`` random
patches of each training image are blanked first and the network must fill them in from the rest:
the masked-reconstruction idea of masked autoencoders (He et al., 2022, "Masked Autoencoders Are
Scalable Vision Learners", CVPR) and of BERT's masked language model (Devlin et al., 2019, NAACL),
in the simple form of a denoising autoencoder (Vincent et al., 2008, ICML): the loss covers every
pixel, not only the masked ones, and the encoder sees the whole (partly blanked) image.

The encoder's layers are shared, not copied: if it came from ``kzoo.split_model(classifier)``, that
classifier holds the pre-trained body once ``fit`` returns; save it, then ``kzoo.load(name,
weights=path, class_names=...)`` or ``kzoo.swap_head`` puts a new head on it for the labelled task.
"""
from __future__ import annotations

import math

import keras
from keras import ops

from kzoo._checks import fraction, positive_number, whole_number
from kzoo.errors import InputError
from kzoo.freeze import leaf_layers


@keras.saving.register_keras_serializable(package="kzoo")
class PatchMask(keras.layers.Layer):
    """Blank (set to 0) a random fraction of the square patches of each image, in training only.

    Args:
        ratio: fraction of patches blanked, in [0, 1).
        patch_size: side of the square patches in pixels; it must divide the image's height and width.
        seed: seed of the layer's random generator (None: random).

    Example:
        >>> import numpy as np
        >>> layer = PatchMask(0.5, patch_size=2, seed=0)
        >>> images = np.ones((1, 4, 4, 1), "float32")
        >>> float(np.sum(layer(images)))            # inference: unchanged
        16.0
        >>> float(np.sum(layer(images, training=True))) % 4   # whole 2x2 patches are blanked
        0.0
    """

    def __init__(self, ratio: float, patch_size: int = 2, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.ratio, self.patch_size = fraction("mask ratio", ratio), whole_number("patch_size", patch_size)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def build(self, input_shape):
        if len(input_shape) != 4 or None in tuple(input_shape[1:3]):
            raise InputError(f"PatchMask needs images (batch, height, width, channels) of a fixed size, "
                             f"got shape {tuple(input_shape)}.")
        height, width = input_shape[1], input_shape[2]
        if height % self.patch_size or width % self.patch_size:
            raise InputError(f"patch_size {self.patch_size} does not divide the image size {height}x{width}; "
                             "choose a divisor.")

    def call(self, images, training=None):
        if not training or self.ratio == 0:
            return images
        p = self.patch_size
        grid = images[:, ::p, ::p, :1]  # one cell per patch, batch size taken from the data
        keep = ops.cast(keras.random.uniform(ops.shape(grid), seed=self.seed_generator) >= self.ratio,
                        images.dtype)
        return images * ops.repeat(ops.repeat(keep, p, axis=1), p, axis=2)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "ratio": self.ratio, "patch_size": self.patch_size, "seed": self.seed}


def autoencoder(encoder: keras.Model, decoder: keras.Model | None = None, *, mask_ratio: float = 0.0,
                patch_size: int = 2, hidden: int = 256, lr: float = 1e-3, seed: int | None = None
                ) -> keras.Model:
    """An encoder-decoder compiled to reconstruct its input: train it with ``fit(x, x)``.

    Args:
        encoder: any built single-input ``keras.Model`` (e.g. ``kzoo.split_model(net)[0]``). All its
            layers are made trainable (``kzoo.load`` freezes bodies), and shared with the returned model.
        decoder: maps the encoder's output back to the input's shape. Default: flatten, a
            ``hidden``-unit ReLU layer and a linear layer reshaped to the input (an MLP decoder).
        mask_ratio: fraction of ``patch_size`` patches blanked in each training image (0: a plain
            autoencoder; about 0.5 makes the model fill in what it cannot see). Images only.
        patch_size: side of the masked patches in pixels.
        hidden: width of the default decoder's hidden layer.
        lr: Adam learning rate.
        seed: seed of the masking.

    Returns:
        A compiled ``keras.Model`` (mean squared error, mean absolute error as a metric) whose output
        has the input's shape and scale: the target is the raw input as given to ``fit``.

    Raises:
        kzoo.InputError: ``encoder`` is not a built single-input model, the decoder's output shape
            differs from the input's, or a number is out of range.

    Example:
        >>> import keras, numpy as np, kzoo.pretrain
        >>> encoder = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Conv2D(4, 3),
        ...                             keras.layers.GlobalAveragePooling2D()])
        >>> ae = kzoo.pretrain.autoencoder(encoder, mask_ratio=0.5, hidden=16)
        >>> x = np.random.default_rng(0).uniform(size=(8, 4, 4, 1)).astype("float32")
        >>> ae.fit(x, x, epochs=1, verbose=0).history["loss"][0] > 0
        True
    """
    if not isinstance(encoder, keras.Model) or not encoder.built or len(encoder.inputs or ()) != 1:
        raise InputError("encoder must be a built keras.Model with one input (e.g. kzoo.split_model(net)[0]).")
    hidden, lr = whole_number("hidden", hidden), positive_number("lr", lr)
    shape = tuple(encoder.inputs[0].shape[1:])
    if None in shape:
        raise InputError(f"the encoder's input shape {shape} is not fixed; reconstruction needs a fixed shape.")
    encoder.trainable = True
    for layer in leaf_layers(encoder):  # the model-level flag does not reach layers frozen one by one
        layer.trainable = True
    decoder = decoder or _mlp_decoder(encoder.outputs[0].shape[1:], shape, hidden)
    inputs = keras.Input(shape, name="input")
    x = PatchMask(mask_ratio, patch_size, seed=seed, name="mask")(inputs) if mask_ratio else inputs
    outputs = decoder(encoder(x))
    if tuple(outputs.shape[1:]) != shape:
        raise InputError(f"the decoder outputs shape {tuple(outputs.shape[1:])}, but it must rebuild the "
                         f"input's shape {shape}.")
    model = keras.Model(inputs, outputs, name="masked_autoencoder" if mask_ratio else "autoencoder")
    model.compile(optimizer=keras.optimizers.Adam(lr), loss="mse", metrics=["mae"])
    return model


def _mlp_decoder(feature_shape, output_shape, hidden):
    return keras.Sequential([
        keras.Input(feature_shape),
        keras.layers.Flatten(),
        keras.layers.Dense(hidden, activation="relu"),
        keras.layers.Dense(math.prod(output_shape)),
        keras.layers.Reshape(output_shape),
    ], name="decoder")
