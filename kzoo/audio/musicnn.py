"""Keras 3 port of the musicnn music taggers (Pons & Serra 2019), MTT and MSD, musicnn and vgg.

``build_tagger(variant)`` makes the published network with random weights: raw 16 kHz audio ->
``LogMelSpectrogram`` -> the network -> a ``ClassifierHead`` of 50 tag logits (the original applies a
sigmoid: tags are independent, use ``keras.ops.sigmoid``). ``kzoo.audio.load_tagger`` fills in the
pre-trained weights. The layers mirror the original TensorFlow 1 graph (``musicnn/models.py``) one to
one, with its BatchNorm layers (epsilon 1e-3) and dropout rates.

The network after the front end is a model of its own, for log-mel input::

    tagger = build_tagger("musicnn_mtt")
    on_logmels = keras.Model(tagger.get_layer("logmel").output, tagger.output)

The zoo entries live in ``kzoo.audio.musicnn_zoo``. Keras is imported only to build a tagger.
"""
from __future__ import annotations

from kzoo.errors import UnknownNameError

SAMPLE_RATE = 16000
N_FFT = 512
HOP_LENGTH = 256
N_MELS = 96
N_FRAMES = 187  # the patch length the taggers were trained on (about 3 s)
N_SAMPLES = (N_FRAMES - 1) * HOP_LENGTH  # 47616 samples give exactly 187 centred frames

MTT_TAGS = (
    "guitar", "classical", "slow", "techno", "strings", "drums", "electronic", "rock", "fast",
    "piano", "ambient", "beat", "violin", "vocal", "synth", "female", "indian", "opera", "male",
    "singing", "vocals", "no vocals", "harpsichord", "loud", "quiet", "flute", "woman",
    "male vocal", "no vocal", "pop", "soft", "sitar", "solo", "man", "classic", "choir", "voice",
    "new age", "dance", "male voice", "female vocal", "beats", "harp", "cello", "no voice", "weird",
    "country", "metal", "female voice", "choral",
)
MSD_TAGS = (
    "rock", "pop", "alternative", "indie", "electronic", "female vocalists", "dance", "00s",
    "alternative rock", "jazz", "beautiful", "metal", "chillout", "male vocalists", "classic rock",
    "soul", "indie rock", "Mellow", "electronica", "80s", "folk", "90s", "chill", "instrumental",
    "punk", "oldies", "blues", "hard rock", "ambient", "acoustic", "experimental",
    "female vocalist", "guitar", "Hip-Hop", "70s", "party", "country", "easy listening", "sexy",
    "catchy", "funk", "electro", "heavy metal", "Progressive rock", "60s", "rnb", "indie pop", "sad",
    "House", "happy",
)

VARIANTS = ("musicnn_mtt", "musicnn_msd", "vgg_mtt", "vgg_msd")
TAG_NAMES = {"musicnn_mtt": MTT_TAGS, "musicnn_msd": MSD_TAGS, "vgg_mtt": MTT_TAGS, "vgg_msd": MSD_TAGS}
# The checkpoint folder of each variant inside the musicnn package (and its GitHub repository).
UPSTREAM_DIRS = {"musicnn_mtt": "MTT_musicnn", "musicnn_msd": "MSD_musicnn",
                 "vgg_mtt": "MTT_vgg", "vgg_msd": "MSD_vgg"}
CHECKPOINT_FILES = (".index", ".data-00000-of-00001")
CHECKPOINT_SHA256 = {  # of the files in the musicnn 0.1.0 package
    "musicnn_mtt": {".index": "da2d7bb670b2b31e9bc441bb1bd75eca31b5b061f963cc1f9630c1aff3238f57",
                    ".data-00000-of-00001": "041f3935e981a65cea739842d30c188d3a7d2adf4410955c8668eb3de4a5acab"},
    "musicnn_msd": {".index": "87f3e0f3550c8d3bafc840374003e5c8af5eeb5ecf6add61af09a7822d3282c8",
                    ".data-00000-of-00001": "8579734ee6388f799ed0def4bbd0d1fdcbeaf213ef2a9dc860917bd76a303de6"},
    "vgg_mtt": {".index": "4b0d3d2d02bbe0919c063c1fb74bfa9018ac3517e362d681b07444d4207a5f5f",
                ".data-00000-of-00001": "458f5c8bcecc086a3bba3dce83809df6da6e0a3560a59ddd84711bf3d5fd8303"},
    "vgg_msd": {".index": "50e499238457558bba9f34f8b84d4afb8279afd43520cdf0a4fdf805a49c9ca3",
                ".data-00000-of-00001": "9683d756b8311146534f333502ebf4a2a78a3e320c54ab0411dff6186d8375fc"},
}


def check_variant(variant: str) -> None:
    """Raise ``kzoo.UnknownNameError`` unless ``variant`` is one of ``VARIANTS``.

    Example:
        >>> check_variant("vgg_mtt")
    """
    if variant not in VARIANTS:
        raise UnknownNameError(f"No musicnn variant named {variant!r}; choose one of {VARIANTS}.")


def _bn(name: str):
    from keras import layers

    # tf.compat.v1.layers.batch_normalization's defaults, which the checkpoints were trained with.
    return layers.BatchNormalization(momentum=0.99, epsilon=1e-3, name=name)


# (pool size, strides) of the vgg's five max-pooling layers, (time, mel) each. The MSD checkpoint's
# graph (its .meta file) pools differently in the first two layers from musicnn's models.py, which
# matches the MTT one; both end at (2, 1) x 128 features.
_VGG_POOLS = {
    "vgg_mtt": (((4, 1), (2, 2)), ((2, 2), (2, 2)), ((2, 2), (2, 2)), ((2, 2), (2, 2)), ((4, 4), (4, 4))),
    "vgg_msd": (((4, 1), (4, 1)), ((1, 4), (1, 4)), ((2, 2), (2, 2)), ((2, 2), (2, 2)), ((4, 4), (4, 4))),
}


def _vgg(mels, pools):
    """The 5-layer VGG-like baseline: 3x3 convolutions, 128 filters, max pooling."""
    from keras import layers

    x = layers.Reshape((N_FRAMES, N_MELS, 1), name="expand")(mels)
    x = _bn("input_bn")(x)
    for i, (pool, stride) in enumerate(pools, start=1):
        x = layers.Conv2D(128, 3, padding="same", activation="relu", name=f"conv{i}")(x)
        x = _bn(f"bn{i}")(x)
        x = layers.MaxPooling2D(pool, strides=stride, name=f"pool{i}")(x)
        if i < len(pools):
            x = layers.Dropout(0.25, name=f"dropout{i}")(x)
    x = layers.Flatten(name="flatten")(x)
    return layers.Dropout(0.5, name="dropout5")(x)


def _pool_over_frequency(x, name: str):
    """Max over the whole frequency axis: (frames, freq, channels) -> (frames, channels)."""
    from keras import layers

    x = layers.MaxPooling2D((1, x.shape[2]), name=f"{name}_pool")(x)
    return layers.Reshape((-1, x.shape[-1]), name=f"{name}_squeeze")(x)


def _musicnn(mels):
    """musicnn: musically motivated front end, dense residual mid end, temporal pooling back end."""
    from keras import layers

    x = layers.Reshape((N_FRAMES, N_MELS, 1), name="expand")(mels)
    x = _bn("input_bn")(x)
    # Timbral filters span 40% and 70% of the mel axis; 'same' padding in time only.
    padded = layers.ZeroPadding2D(((3, 3), (0, 0)), name="timbral_pad")(x)
    features = []
    for height in (int(0.4 * N_MELS), int(0.7 * N_MELS)):
        name = f"timbral{height}"
        f = layers.Conv2D(204, (7, height), activation="relu", name=f"{name}_conv")(padded)
        features.append(_pool_over_frequency(_bn(f"{name}_bn")(f), name))
    # Temporal filters: 1 mel bin wide, 128 / 64 / 32 frames long.
    for length in (128, 64, 32):
        name = f"temporal{length}"
        f = layers.Conv2D(51, (length, 1), padding="same", activation="relu", name=f"{name}_conv")(x)
        features.append(_pool_over_frequency(_bn(f"{name}_bn")(f), name))
    front = layers.Concatenate(name="frontend")(features)  # (frames, 561)

    mid1 = _bn("midend1_bn")(layers.Conv1D(64, 7, padding="same", activation="relu",
                                           name="midend1_conv")(front))
    mid2 = _bn("midend2_bn")(layers.Conv1D(64, 7, padding="same", activation="relu",
                                           name="midend2_conv")(mid1))
    res2 = layers.Add(name="midend2_residual")([mid2, mid1])
    mid3 = _bn("midend3_bn")(layers.Conv1D(64, 7, padding="same", activation="relu",
                                           name="midend3_conv")(res2))
    res3 = layers.Add(name="midend3_residual")([mid3, res2])
    dense = layers.Concatenate(name="midend")([front, mid1, res2, res3])  # (frames, 753)

    # The original flattens [max, mean] stacked on a last axis: features interleave max0, mean0, ...
    width = dense.shape[-1]
    max_pool = layers.Reshape((width, 1), name="max_pool")(layers.GlobalMaxPooling1D(name="time_max")(dense))
    mean_pool = layers.Reshape((width, 1), name="mean_pool")(
        layers.GlobalAveragePooling1D(name="time_mean")(dense))
    x = layers.Flatten(name="pooled")(layers.Concatenate(name="max_mean")([max_pool, mean_pool]))
    x = layers.Dropout(0.5, name="pooled_dropout")(_bn("pooled_bn")(x))
    x = layers.Dense(200, activation="relu", name="penultimate")(x)
    return layers.Dropout(0.5, name="penultimate_dropout")(_bn("penultimate_bn")(x))


def build_tagger(variant: str):
    """The musicnn tagger architecture, randomly initialised, on raw 16 kHz audio.

    Args:
        variant: one of ``VARIANTS``: ``"musicnn_mtt"``, ``"musicnn_msd"``, ``"vgg_mtt"``, ``"vgg_msd"``
            (network, then the data set it was trained on: MagnaTagATune or the Million Song Dataset).

    Returns:
        A functional ``keras.Model`` named after the variant: input ``"audio"`` of shape
        ``(batch, N_SAMPLES)`` (mono, 16 kHz, values -1..1), a ``"logmel"`` front-end layer, and a
        ``ClassifierHead`` named ``"head"`` with the variant's 50 tag names, outputting logits.

    Raises:
        kzoo.UnknownNameError: ``variant`` is not one of ``VARIANTS``.

    Example:
        >>> model = build_tagger("vgg_mtt")
        >>> model.input_shape, model.output_shape
        ((None, 47616), (None, 50))
    """
    check_variant(variant)
    import keras

    from kzoo.audio.frontend import LogMelSpectrogram
    from kzoo.layers import ClassifierHead

    audio = keras.Input((N_SAMPLES,), name="audio")
    mels = LogMelSpectrogram(SAMPLE_RATE, N_FFT, HOP_LENGTH, N_MELS, name="logmel")(audio)
    features = _musicnn(mels) if variant.startswith("musicnn") else _vgg(mels, _VGG_POOLS[variant])
    logits = ClassifierHead(TAG_NAMES[variant], name="head")(features)
    return keras.Model(audio, logits, name=variant)
