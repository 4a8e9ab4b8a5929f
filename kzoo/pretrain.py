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

``greedy_layerwise(x, units)`` is the older form, the one deep belief nets made work (Hinton, Osindero &
Teh, 2006, Neural Computation; with autoencoders in place of RBMs, Bengio et al., 2007, NIPS): a stack
of dense layers trained one at a time, each to rebuild the layer below it.
"""
from __future__ import annotations

import math
from typing import Sequence

import keras
import numpy as np
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


def greedy_layerwise(x, units: Sequence[int], *, epochs: int = 10, noise: float = 0.2, batch_size: int = 64,
                     lr: float = 1e-3, seed: int | None = None) -> keras.Model:
    """Pre-train a stack of dense layers greedily, one at a time, each as a denoising autoencoder.

    Layer 1 learns to rebuild the flattened inputs from a copy with a fraction ``noise`` of them dropped;
    then, with layer 1 fixed, layer 2 learns to rebuild layer 1's codes the same way, and so on. No
    labels are used. This is the greedy layer-wise pre-training of deep belief nets, with autoencoders
    in place of restricted Boltzmann machines (Bengio et al., 2007; Vincent et al., 2008).

    Args:
        x: unlabelled examples, an array ``(N, ...)``; each example is flattened and used as given
            (scale it to about [0, 1] first).
        units: the width of each layer, bottom first, e.g. ``(128, 64)``.
        epochs: training epochs per layer; 0 returns the same stack with random weights, the baseline
            to compare with.
        noise: fraction of each layer's inputs dropped while it trains (0: a plain autoencoder).
        batch_size: examples per step.
        lr: Adam learning rate.
        seed: seed of the weights and the noise.

    Returns:
        A ``keras.Sequential`` encoder named ``stacked_encoder``: ``Flatten`` then one sigmoid ``Dense``
        layer per entry of ``units`` (``layer_1``, ``layer_2``, ...); its output is the top layer's code.

    Raises:
        kzoo.InputError: ``x`` is not a non-empty numeric array, ``units`` is empty or holds a
            non-positive width, or a number is out of range.

    Example:
        >>> import numpy as np, kzoo.pretrain
        >>> x = np.random.default_rng(0).uniform(size=(32, 4, 4, 1)).astype("float32")
        >>> encoder = kzoo.pretrain.greedy_layerwise(x, (8, 4), epochs=2, seed=0)
        >>> [layer.name for layer in encoder.layers], encoder.predict(x, verbose=0).shape
        (['flatten', 'layer_1', 'layer_2'], (32, 4))
    """
    try:
        x = np.asarray(x, dtype="float32")
    except (TypeError, ValueError) as err:
        raise InputError(f"x must be a numeric array of examples (N, ...), got {type(x).__name__} ({err}).") from err
    if x.ndim < 2 or len(x) == 0:
        raise InputError(f"x must be a non-empty array of examples (N, ...), got shape {x.shape}.")
    if isinstance(units, (str, bytes)) or not isinstance(units, Sequence) or not units:
        raise InputError(f"units must be a non-empty list of layer widths such as (128, 64), got {units!r}.")
    units = [whole_number(f"units[{i}]", width) for i, width in enumerate(units)]
    epochs = whole_number("epochs", epochs, low=0)
    noise, batch_size, lr = fraction("noise", noise), whole_number("batch_size", batch_size), positive_number("lr", lr)
    if seed is not None:
        keras.utils.set_random_seed(seed)
    codes, layers = x.reshape(len(x), -1), []
    for i, width in enumerate(units, start=1):
        layer = keras.layers.Dense(width, activation="sigmoid", name=f"layer_{i}")
        step = keras.Sequential([keras.Input((codes.shape[1],)), keras.layers.Dropout(noise, seed=seed), layer,
                                 keras.layers.Dense(codes.shape[1])], name=f"autoencoder_{i}")
        if epochs:
            step.compile(optimizer=keras.optimizers.Adam(lr), loss="mse")
            step.fit(codes, codes, epochs=epochs, batch_size=batch_size, verbose=0)
        codes = ops.convert_to_numpy(layer(codes))
        layers.append(layer)
    return keras.Sequential([keras.Input(x.shape[1:]), keras.layers.Flatten(name="flatten"), *layers],
                            name="stacked_encoder")
