"""The log-mel front end against an independent numpy/scipy implementation of librosa's maths."""
import math

import keras
import numpy as np
import pytest
import scipy.signal

from kzoo.audio import LogMelSpectrogram, mel_filterbank
from kzoo.errors import InputError

SR, N_FFT, HOP, N_MELS = 16000, 512, 256, 96


def _slaney_hz_to_mel(hz: float) -> float:
    if hz < 1000.0:
        return hz * 3.0 / 200.0
    return 15.0 + math.log(hz / 1000.0) * 27.0 / math.log(6.4)


def _slaney_mel_to_hz(mel: float) -> float:
    if mel < 15.0:
        return mel * 200.0 / 3.0
    return 1000.0 * math.exp((mel - 15.0) * math.log(6.4) / 27.0)


def _reference_filters(sr=SR, n_fft=N_FFT, n_mels=N_MELS):
    """librosa.filters.mel(htk=False, norm='slaney'), written out band by band in float64."""
    top = _slaney_hz_to_mel(sr / 2)
    edges = [_slaney_mel_to_hz(top * i / (n_mels + 1)) for i in range(n_mels + 2)]
    bins = np.arange(n_fft // 2 + 1) * sr / n_fft
    filters = np.zeros((n_fft // 2 + 1, n_mels))
    for m in range(n_mels):
        lo, mid, hi = edges[m], edges[m + 1], edges[m + 2]
        for k, f in enumerate(bins):
            rise, fall = (f - lo) / (mid - lo), (hi - f) / (hi - mid)
            filters[k, m] = max(0.0, min(rise, fall)) * 2.0 / (hi - lo)
    return filters


def _reference_logmel(waves: np.ndarray) -> np.ndarray:
    """librosa 0.7's melspectrogram (centred, reflect-padded, periodic Hann, power 2) + musicnn's log."""
    padded = np.pad(waves.astype(np.float64), ((0, 0), (N_FFT // 2, N_FFT // 2)), mode="reflect")
    n_frames = 1 + (padded.shape[1] - N_FFT) // HOP
    frames = np.stack([padded[:, t * HOP:t * HOP + N_FFT] for t in range(n_frames)], axis=1)
    window = scipy.signal.get_window("hann", N_FFT, fftbins=True)
    power = np.abs(np.fft.rfft(frames * window, axis=-1)) ** 2
    return np.log10(10000.0 * power @ _reference_filters() + 1.0)


def test_filterbank_matches_reference_and_slaney_scale():
    ours = mel_filterbank(SR, N_FFT, N_MELS)
    assert ours.shape == (N_FFT // 2 + 1, N_MELS) and ours.dtype == np.float32
    np.testing.assert_allclose(ours, _reference_filters(), rtol=1e-5, atol=1e-9)
    assert _slaney_hz_to_mel(1000.0) == pytest.approx(15.0)
    # every band is non-empty, and the band centres rise monotonically with frequency
    peaks = ours.argmax(axis=0)
    assert (ours.max(axis=0) > 0).all() and (np.diff(peaks) >= 0).all()


def test_filterbank_rejects_bad_ranges():
    with pytest.raises(InputError, match="fmax"):
        mel_filterbank(16000, 512, 96, fmax=9000)
    with pytest.raises(InputError, match="positive"):
        mel_filterbank(16000, 0, 96)


def test_logmel_matches_numpy_reference():
    rng = np.random.default_rng(0)
    t = np.arange(20000) / SR
    waves = np.stack([0.3 * rng.standard_normal(20000),
                      0.8 * np.sin(2 * np.pi * 440.0 * t) * np.exp(-t),
                      np.zeros(20000)]).astype("float32")
    ours = keras.ops.convert_to_numpy(LogMelSpectrogram()(waves))
    ref = _reference_logmel(waves)
    assert ours.shape == ref.shape == (3, 1 + 20000 // HOP, N_MELS)
    assert np.abs(ours - ref).max() < 1e-4, keras.backend.backend()
    assert np.all(ours[2] == 0.0)  # silence: log10(0 + 1)


def test_a_sine_lights_up_the_band_around_its_frequency():
    freq = 1500.0
    wave = (0.5 * np.sin(2 * np.pi * freq * np.arange(SR) / SR))[None].astype("float32")
    mels = keras.ops.convert_to_numpy(LogMelSpectrogram()(wave))[0]
    centres = [_slaney_mel_to_hz(_slaney_hz_to_mel(SR / 2) * (i + 1) / (N_MELS + 1))
               for i in range(N_MELS)]
    loudest = int(mels[10:-10].mean(axis=0).argmax())
    assert abs(centres[loudest] - freq) < 60.0


def test_shapes_symbolic_and_musicnn_patch():
    layer = LogMelSpectrogram()
    assert layer.compute_output_shape((None, 47616)) == (None, 187, 96)
    model = keras.Sequential([keras.Input((None,)), LogMelSpectrogram()])
    assert model.output_shape == (None, None, 96)
    assert keras.ops.convert_to_numpy(model(np.zeros((2, 8000), "float32"))).shape == (2, 32, 96)


def test_rejects_wrong_rank_and_too_short_input():
    with pytest.raises(InputError, match="batch, samples"):
        LogMelSpectrogram()(np.zeros((1, 4000, 2), "float32"))
    with pytest.raises(InputError, match="more than"):
        LogMelSpectrogram()(np.zeros((1, 100), "float32"))
    with pytest.raises(InputError, match="hop_length"):
        LogMelSpectrogram(hop_length=0)


def test_saved_model_round_trip(tmp_path):
    model = keras.Sequential([keras.Input((8000,)), LogMelSpectrogram(sample_rate=8000, n_fft=256,
                                                                      hop_length=128, n_mels=40)])
    path = tmp_path / "logmel.keras"
    model.save(path)
    again = keras.saving.load_model(path)
    layer = again.layers[0]
    assert (layer.sample_rate, layer.n_fft, layer.hop_length, layer.n_mels) == (8000, 256, 128, 40)
    wave = np.random.default_rng(1).standard_normal((1, 8000)).astype("float32")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(again(wave)),
                               keras.ops.convert_to_numpy(model(wave)), atol=1e-6)
