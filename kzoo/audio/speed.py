"""Speed perturbation: a clip played a little faster or slower, speed and pitch together (Ko et al.,
2015), which sounds like another voice; and a classifier's probabilities averaged over a few speeds
(test-time augmentation), which makes it less sensitive to the one voice it is tested on."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from kzoo._checks import check_scalar, whole_number
from kzoo.errors import InputError
from kzoo.predict import probabilities

# Speed factors averaged by default. FSDD, option-1 heads on speech_embedding, each of the four
# speakers held out in turn (bench/speech_speed.py): one head 94.7% -> 95.2% with all clips, five
# heads 95.7% -> 96.1%; 0.85-1.15 in six steps did no better (96.3%, within the seeds' noise).
SPEEDS = (0.9, 0.95, 1.0, 1.05, 1.1)


def _speed_factor(name: str, factor) -> float:
    return check_scalar(name, factor, float, min_val=0.5, max_val=2.0)


def _waveform_array(waveforms) -> np.ndarray:
    x = np.asarray(waveforms)
    if not np.issubdtype(x.dtype, np.number) or x.ndim not in (1, 2) or x.shape[-1] < 2:
        raise InputError(f"waveforms must be numbers shaped (samples,) or (clips, samples) with at least 2 "
                         f"samples, got dtype {x.dtype} and shape {x.shape}; mix stereo to mono first.")
    return x


def change_speed(waveforms, factor: float) -> np.ndarray:
    """Waveforms played ``factor`` times faster (linear interpolation): speed and pitch change together.

    The result keeps the input's length: a sped-up clip (``factor > 1``) ends early and is padded
    with silence, a slowed-down one is cut at the end, so pad clips with silence first when their
    end matters. NaN or infinite samples are read as silence, as the speech classifier reads them.

    Args:
        waveforms: ``(samples,)`` or ``(clips, samples)`` numbers, e.g. -1..1 audio.
        factor: in [0.5, 2]; 0.9-1.1 is the usual range for speech.

    Returns:
        float32 array of the input's shape.

    Raises:
        kzoo.InputError: ``factor`` out of range, or ``waveforms`` not 1-D or 2-D numbers.

    Example:
        >>> import numpy as np
        >>> x = np.sin(np.linspace(0, 20, 1000)).astype("float32")
        >>> y = change_speed(x, 2.0)
        >>> y.shape, bool(np.allclose(y[:500], x[::2])), float(abs(y[500:]).max())
        ((1000,), True, 0.0)
    """
    factor = _speed_factor("factor", factor)
    x = _waveform_array(waveforms).astype(np.float32)
    x = np.where(np.isfinite(x), x, 0.0)
    n = x.shape[-1]
    positions = np.arange(min(n, int((n - 1) / factor) + 1)) * factor
    left = np.minimum(positions.astype(int), n - 2)
    frac = (positions - left).astype(np.float32)
    out = np.zeros_like(x)
    out[..., :len(positions)] = x[..., left] * (1 - frac) + x[..., left + 1] * frac
    return out


def predict_speeds(model, waveforms, speeds: Sequence[float] = SPEEDS, *, batch_size: int = 32) -> np.ndarray:
    """Class probabilities averaged over the clips played at each speed (``change_speed``).

    Args:
        model: a classifier of waveforms (e.g. ``kzoo.load("speech_embedding", class_names=...)``),
            or a list of them sharing their classes (an ensemble: their probabilities are averaged too).
        waveforms: ``(clips, samples)``, as the model takes them.
        speeds: speed factors, each in [0.5, 2] (1.0 is the clip as recorded).
        batch_size: prediction batch size.

    Returns:
        ``(clips, classes)`` float32 probabilities, each row summing to 1.

    Raises:
        kzoo.InputError: no model or no speed, a speed out of range, or waveforms not shaped
            ``(clips, samples)``; all before any prediction.

    Example:
        >>> import numpy as np
        >>> from kzoo.audio import build_classifier
        >>> model = build_classifier(["yes", "no"])
        >>> probs = predict_speeds(model, np.zeros((3, 16000), "float32"), speeds=(0.9, 1.0))
        >>> probs.shape, bool(np.allclose(probs.sum(axis=1), 1.0))
        ((3, 2), True)
    """
    models = list(model) if isinstance(model, (list, tuple)) else [model]
    if not models:
        raise InputError("model is an empty list; pass a classifier or a list of classifiers.")
    if isinstance(speeds, (str, bytes)) or not isinstance(speeds, Sequence) or not speeds:
        raise InputError(f"speeds == {speeds!r}, must be a non-empty sequence of factors, e.g. {SPEEDS}.")
    factors = [_speed_factor(f"speeds[{i}]", s) for i, s in enumerate(speeds)]
    batch_size = whole_number("batch_size", batch_size)
    x = _waveform_array(waveforms)
    if x.ndim != 2:
        raise InputError(f"waveforms must be shaped (clips, samples), got {x.shape}; use x[None] for one clip.")
    clips = [change_speed(x, f) for f in factors]
    return np.mean([probabilities(m, c, batch_size=batch_size) for m in models for c in clips], axis=0)
