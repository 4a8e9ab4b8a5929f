"""Raw waveform -> log-mel spectrogram, as a Keras layer that lives inside the model.

The maths is librosa's ``feature.melspectrogram`` as musicnn used it (librosa 0.7, 2019): a centred
STFT with reflect padding and a periodic Hann window, the power spectrum ``|X|**2``, Slaney-style mel
filters with area ("slaney") normalisation, then musicnn's compression ``log10(10000 * mel + 1)``.
``keras.layers.MelSpectrogram`` cannot reproduce it (HTK mel scale, no slaney normalisation), so the
STFT is ``keras.ops.stft`` and the filters are built in numpy once, at construction.
"""
from __future__ import annotations

import math

import keras
import numpy as np
from keras import ops

from kzoo.errors import InputError

_LOG_SCALE = 10000.0  # musicnn's "logC" compression: log10(10000 * x + 1)


def _hz_to_mel(hz: np.ndarray) -> np.ndarray:
    """Slaney's Auditory Toolbox mel scale: linear below 1 kHz, logarithmic above."""
    hz = np.asarray(hz, dtype=np.float64)
    f_sp, min_log_hz, logstep = 200.0 / 3, 1000.0, math.log(6.4) / 27.0
    linear = hz / f_sp
    log_part = min_log_hz / f_sp + np.log(np.maximum(hz, min_log_hz) / min_log_hz) / logstep
    return np.where(hz >= min_log_hz, log_part, linear)


def _mel_to_hz(mel: np.ndarray) -> np.ndarray:
    mel = np.asarray(mel, dtype=np.float64)
    f_sp, min_log_hz, logstep = 200.0 / 3, 1000.0, math.log(6.4) / 27.0
    min_log_mel = min_log_hz / f_sp
    log_part = min_log_hz * np.exp(logstep * (np.maximum(mel, min_log_mel) - min_log_mel))
    return np.where(mel >= min_log_mel, log_part, f_sp * mel)


def mel_filterbank(sample_rate: int = 16000, n_fft: int = 512, n_mels: int = 96,
                   fmin: float = 0.0, fmax: float | None = None) -> np.ndarray:
    """Triangular mel filters, identical to ``librosa.filters.mel(..., htk=False, norm="slaney")``.

    Args:
        sample_rate: sampling rate of the audio in Hz.
        n_fft: FFT size; the filters cover its ``n_fft // 2 + 1`` frequency bins.
        n_mels: number of mel bands.
        fmin: lowest band edge in Hz.
        fmax: highest band edge in Hz (default: ``sample_rate / 2``).

    Returns:
        A float32 array of shape ``(n_fft // 2 + 1, n_mels)``: multiply a power spectrum by it.

    Raises:
        kzoo.InputError: a size is not positive, or ``0 <= fmin < fmax <= sample_rate / 2`` fails.

    Example:
        >>> mel_filterbank(16000, 512, 96).shape
        (257, 96)
    """
    fmax = sample_rate / 2 if fmax is None else fmax
    if min(sample_rate, n_fft, n_mels) <= 0:
        raise InputError(f"sample_rate, n_fft and n_mels must be positive, got {sample_rate}, "
                         f"{n_fft}, {n_mels}")
    if not 0 <= fmin < fmax <= sample_rate / 2:
        raise InputError(f"need 0 <= fmin < fmax <= sample_rate / 2 = {sample_rate / 2}, got "
                         f"fmin={fmin}, fmax={fmax}")
    fft_hz = np.linspace(0.0, sample_rate / 2, n_fft // 2 + 1)
    edges_hz = _mel_to_hz(np.linspace(_hz_to_mel(fmin), _hz_to_mel(fmax), n_mels + 2))
    lower, centre, upper = edges_hz[:-2, None], edges_hz[1:-1, None], edges_hz[2:, None]
    rising = (fft_hz - lower) / (centre - lower)
    falling = (upper - fft_hz) / (upper - centre)
    weights = np.maximum(0.0, np.minimum(rising, falling)) * (2.0 / (upper - lower))
    return weights.T.astype(np.float32)


@keras.saving.register_keras_serializable(package="kzoo")
class LogMelSpectrogram(keras.layers.Layer):
    """Turns a batch of mono waveforms ``(batch, samples)`` into log-mels ``(batch, frames, n_mels)``.

    ``frames = 1 + samples // hop_length`` (centred frames, the signal reflect-padded by
    ``n_fft // 2`` at both ends). Values are ``log10(10000 * mel_power + 1)``, musicnn's input.
    musicnn's own extractor also rounds the mel power to float16 before the log; that changes values
    by less than 3e-4 and is not reproduced here.

    Args:
        sample_rate: sampling rate the input must already have (Hz); the defaults are musicnn's.
        n_fft: FFT and window size in samples.
        hop_length: step between frames in samples.
        n_mels: number of mel bands.
        fmin: lowest mel band edge in Hz.
        fmax: highest mel band edge in Hz (default: ``sample_rate / 2``).
        **kwargs: passed to ``keras.layers.Layer`` (``name``, ...).

    Example:
        >>> import numpy as np
        >>> tuple(LogMelSpectrogram()(np.zeros((2, 16000), "float32")).shape)  # (batch, frames, mels)
        (2, 63, 96)
    """

    def __init__(self, sample_rate: int = 16000, n_fft: int = 512, hop_length: int = 256,
                 n_mels: int = 96, fmin: float = 0.0, fmax: float | None = None, **kwargs):
        kwargs.setdefault("dtype", "float32")  # the STFT needs float32; mixed precision starts after
        super().__init__(**kwargs)
        if not 0 < hop_length <= n_fft:
            raise InputError(f"hop_length must be in 1..n_fft={n_fft}, got {hop_length}")
        self.sample_rate, self.n_fft, self.hop_length = sample_rate, n_fft, hop_length
        self.n_mels, self.fmin, self.fmax = n_mels, fmin, fmax
        self._filters = mel_filterbank(sample_rate, n_fft, n_mels, fmin, fmax)

    def build(self, input_shape):
        if len(input_shape) != 2:
            raise InputError(f"{type(self).__name__} expects waveforms shaped (batch, samples), got "
                             f"{tuple(input_shape)}; squeeze a channel axis or mix to mono first.")
        samples = input_shape[1]
        if samples is not None and samples <= self.n_fft // 2:
            raise InputError(f"waveforms need more than n_fft // 2 = {self.n_fft // 2} samples for "
                             f"reflect padding, got {samples}")
        super().build(input_shape)

    def call(self, waveforms):
        real, imag = ops.stft(ops.cast(waveforms, "float32"), sequence_length=self.n_fft,
                              sequence_stride=self.hop_length, fft_length=self.n_fft,
                              window="hann", center=True)
        power = real * real + imag * imag
        mel = ops.matmul(power, ops.convert_to_tensor(self._filters))
        return ops.log1p(_LOG_SCALE * mel) / math.log(10.0)

    def compute_output_shape(self, input_shape):
        samples = input_shape[1]
        frames = None if samples is None else 1 + samples // self.hop_length
        return (input_shape[0], frames, self.n_mels)

    def get_config(self):
        return {**super().get_config(), "sample_rate": self.sample_rate, "n_fft": self.n_fft,
                "hop_length": self.hop_length, "n_mels": self.n_mels, "fmin": self.fmin,
                "fmax": self.fmax}
