"""A few-shot keyword spotter on speech_embedding: a handful of recordings per word in, a spotter out.

This is the use the embedding net was made for (Lin et al., ICASSP 2020): a small head on its frozen
window embeddings learns new words from a few examples. ``keyword_spotter`` trains that head (a
``ClassifierHead`` over the keywords and ``"unknown"``, learnt from negative clips) with
``kzoo.fine_tune`` on cached features; the result classifies clips and finds keywords in a long
recording by sliding over the embedding windows it computes once.

A *segment* is what the head sees: ``segment_seconds`` of audio (the longest example by default)
after the classifier's 0.4 s lead-in, i.e. ``n`` consecutive embedding windows, 80 ms apart. Training
clips are padded to one segment; a longer clip or a stream is scored at every window, segment by
segment, and each segment's score is the mean+max pooling of its windows through the head.
"""
from __future__ import annotations

from typing import Mapping, NamedTuple, Sequence

import keras
import numpy as np

from kzoo._checks import check_scalar, whole_number
from kzoo.audio.speech_convert import load_embedding_net
from kzoo.audio.speech_embedding import (HOP_LENGTH, LEAD_IN, N_FFT, SAMPLE_RATE, WINDOW_FRAMES, WINDOW_STEP,
                                         build_classifier)
from kzoo.errors import InputError
from kzoo.finetune import fine_tune
from kzoo.freeze import freeze

UNKNOWN = "unknown"
_WINDOW_SECONDS = WINDOW_STEP * HOP_LENGTH / SAMPLE_RATE  # 0.08 s between embedding windows


class Detection(NamedTuple):
    """One keyword found by ``KeywordSpotter.spot``: the segment that scored best, in seconds.

    Example:
        >>> Detection("yes", 1.04, 1.54, 0.98).word
        'yes'
    """

    word: str
    start_s: float
    end_s: float
    score: float


def _windows_in(samples: int) -> int:
    frames = 1 + (LEAD_IN + samples - N_FFT) // HOP_LENGTH
    return 1 + (frames - WINDOW_FRAMES) // WINDOW_STEP


def _clip(value, what: str) -> np.ndarray:
    """``value`` as a float32 mono waveform, or an InputError naming ``what``."""
    wave = np.asarray(value)
    if wave.ndim == 2 and 2 in wave.shape:
        raise InputError(f"{what} is stereo {wave.shape}; mix it to mono first (wave.mean(axis="
                         f"{wave.shape.index(2)})).")
    if wave.ndim != 1 or wave.size == 0 or not np.issubdtype(wave.dtype, np.number):
        raise InputError(f"{what} must be a non-empty 1-D array of samples, got shape {wave.shape} "
                         f"({wave.dtype}).")
    if not np.isfinite(wave).all():
        raise InputError(f"{what} holds NaN or infinite samples; clean it first (np.nan_to_num) or drop it.")
    if np.abs(wave).max() > 1.0:
        raise InputError(f"{what} has samples outside -1..1 (max |x| = {np.abs(wave).max():.4g}); kzoo waveforms "
                         "are floats in -1..1 (divide int16 samples by 32768).")
    return wave.astype(np.float32)


def _clip_list(value, what: str) -> list[np.ndarray]:
    if isinstance(value, np.ndarray) or not isinstance(value, Sequence) or isinstance(value, (str, bytes)):
        raise InputError(f"{what} must be a list of clips (1-D arrays), got {type(value).__name__}; "
                         "wrap a single recording as [clip].")
    if not value:
        raise InputError(f"{what} is empty; give at least one recording.")
    return [_clip(c, f"{what}[{i}]") for i, c in enumerate(value)]


def _check_rate(sample_rate) -> None:
    if whole_number("sample_rate", sample_rate) != SAMPLE_RATE:
        raise InputError(f"sample_rate == {sample_rate}, but speech_embedding takes 16 kHz audio; resample "
                         "first (e.g. kzoo.datasets.audio.prepare_wave(wave, rate, 16000, len(wave) * 16000 // rate)).")


def _pad(clips: list[np.ndarray], samples: int) -> np.ndarray:
    """Clips cropped or padded with silence at the end to ``samples`` each, stacked."""
    out = np.zeros((len(clips), samples), np.float32)
    for row, clip in zip(out, clips):
        row[:min(len(clip), samples)] = clip[:samples]
    return out


class KeywordSpotter:
    """Keywords (and ``"unknown"``) in clips and streams, from ``keyword_spotter``.

    Attributes:
        model: the clip classifier (``kzoo.load("speech_embedding", class_names=...)``'s layout; classes
            are the keywords then ``"unknown"``), embedding net frozen, head trained. Every kzoo helper
            works on it (``kzoo.predict`` on clips of ``segment_samples``).
        keywords: the words, in the head's order.
        threshold: the lowest keyword probability counted as a detection.
        segment_samples: samples in one segment (16 kHz).

    Example:
        ``keyword_spotter`` builds one; a classifier whose last class is ``"unknown"`` can be wrapped
        directly:

        >>> from kzoo.audio import build_classifier
        >>> spotter = KeywordSpotter(build_classifier(["yes", "no", "unknown"]), 16000, 0.5)
        >>> spotter.keywords, spotter.segment_samples
        (['yes', 'no'], 16000)
    """

    def __init__(self, model: keras.Model, segment_samples: int, threshold: float):
        names = list(model.get_layer("head").class_names)
        if len(names) < 2 or names[-1] != UNKNOWN:
            raise InputError(f"a keyword spotter's classes are the keywords then {UNKNOWN!r}, got {names}.")
        self.model = model
        self.keywords = names[:-1]
        self.threshold = _threshold(threshold)
        self.segment_samples = whole_number("segment_samples", segment_samples)
        self._segment_windows = _windows_in(segment_samples)
        audio = keras.Input((None,))
        windows = model.get_layer("windows")(model.get_layer("logmel")(audio))
        self._embed = keras.Model(audio, model.get_layer("speech_embedding_net")(windows))

    def _segment_probabilities(self, waves: list[np.ndarray]) -> np.ndarray:
        """Class probabilities ``(clips, segments, classes)`` of every segment of each clip, one per
        window; clips are padded with silence to the longest (and to at least one segment)."""
        batch = _pad(waves, max(self.segment_samples, *(len(w) for w in waves)))
        embeddings = np.asarray(self._embed.predict(batch, batch_size=64, verbose=0))
        embeddings = embeddings.reshape(len(batch), -1, embeddings.shape[-1])  # (clips, windows, 96)
        segments = np.lib.stride_tricks.sliding_window_view(embeddings, self._segment_windows, axis=1)
        pooled = np.concatenate([segments.mean(axis=-1), segments.max(axis=-1)], axis=-1)
        logits = self.model.get_layer("head")(keras.ops.convert_to_tensor(pooled.astype(np.float32)))
        return keras.ops.convert_to_numpy(keras.ops.softmax(logits, axis=-1))

    def _label(self, probabilities: np.ndarray) -> tuple[str, float]:
        best = int(np.argmax(probabilities))
        if best < len(self.keywords) and probabilities[best] >= self.threshold:
            return self.keywords[best], float(probabilities[best])
        return UNKNOWN, float(probabilities[-1])

    def classify(self, clips: Sequence[np.ndarray], *, sample_rate: int = SAMPLE_RATE) -> list[tuple[str, float]]:
        """The word in each clip, or ``"unknown"``, with its probability.

        A clip longer than one segment is scored at every segment and its best keyword segment
        counts (clips are scored 64 at a time, each padded with silence to the longest of them). A keyword below ``threshold`` is ``"unknown"`` (then the probability given is
        that of ``"unknown"``).

        Args:
            clips: list of 1-D float waveforms in -1..1.
            sample_rate: must be 16000.

        Returns:
            ``[(word, probability), ...]``, one per clip.

        Raises:
            kzoo.InputError: a bad clip (empty, stereo, NaN, outside -1..1), a bare array instead of a
                list, or another sample rate.

        Example:
            See ``keyword_spotter``.
        """
        _check_rate(sample_rate)
        waves = _clip_list(clips, "clips")
        results = []
        for start in range(0, len(waves), 64):  # batches of similar cost: clips are padded to the longest
            for probabilities in self._segment_probabilities(waves[start:start + 64]):
                results.append(self._label(probabilities[np.argmax(probabilities[:, :-1].max(axis=1))]))
        return results

    def spot(self, stream: np.ndarray, *, sample_rate: int = SAMPLE_RATE,
             threshold: float | None = None) -> list[Detection]:
        """Where keywords occur in a long recording.

        Every segment (one every 80 ms) is scored; segments whose best class is a keyword with a
        probability >= ``threshold`` are candidates. A word scores high over a run of steps: each
        run of one word gives one detection, at its best step, and of detections less than half a
        segment apart the highest-scoring one is kept.

        Args:
            stream: 1-D float waveform in -1..1, any length.
            sample_rate: must be 16000.
            threshold: overrides the spotter's ``threshold`` for this call.

        Returns:
            ``[Detection(word, start_s, end_s, score), ...]`` in time order.

        Raises:
            kzoo.InputError: a bad stream (as ``classify``), another sample rate, or a threshold outside (0, 1).

        Example:
            See ``keyword_spotter``.
        """
        _check_rate(sample_rate)
        wave = _clip(stream, "stream")
        threshold = self.threshold if threshold is None else _threshold(threshold)
        probabilities = self._segment_probabilities([wave])[0]
        best = probabilities.argmax(axis=1)
        scores = probabilities[np.arange(len(best)), best]
        is_candidate = (best < len(self.keywords)) & (scores >= threshold)
        # A word scores high over a run of steps: one candidate per run of the same word, its best step.
        peaks, start = [], None
        for i in range(len(best) + 1):
            if start is not None and (i == len(best) or not is_candidate[i] or best[i] != best[start]):
                peaks.append(start + int(np.argmax(scores[start:i])))
                start = None
            if start is None and i < len(best) and is_candidate[i]:
                start = i
        gap = self.segment_samples / (2 * WINDOW_STEP * HOP_LENGTH)  # half a segment, in windows
        kept: list[int] = []
        for i in sorted(peaks, key=lambda i: -scores[i]):
            if all(abs(i - j) >= gap for j in kept):
                kept.append(i)
        segment_s = self.segment_samples / SAMPLE_RATE
        return [Detection(self.keywords[best[i]], round(float(i * _WINDOW_SECONDS), 3),
                          round(float(i * _WINDOW_SECONDS + segment_s), 3), float(scores[i])) for i in sorted(kept)]


def _threshold(value) -> float:
    return check_scalar("threshold", value, float, min_val=0, max_val=1, include_boundaries="neither")


def keyword_spotter(examples: Mapping[str, Sequence[np.ndarray]], negatives: Sequence[np.ndarray], *,
                    sample_rate: int = SAMPLE_RATE, threshold: float = 0.5, segment_seconds: float | None = None,
                    epochs: int = 300, embedding_net: keras.Model | None = None, seed: int = 0) -> KeywordSpotter:
    """Train a keyword spotter from a few recordings per word (speech_embedding, frozen, plus a new head).

    The head learns the keywords and ``"unknown"``: the negative clips (other words, background
    noise; a clip longer than one segment gives one example per segment), and the last 0.4 s of
    each negative. Classes are
    weighted equally however many clips each has. ``kzoo.fine_tune`` trains it (option 1, cached
    features, Adam at 1e-3).

    Args:
        examples: ``{word: [clip, ...]}``, 16 kHz mono float waveforms in -1..1 (a few per word).
        negatives: clips of anything that is not a keyword.
        sample_rate: must be 16000 (resample other rates first).
        threshold: lowest keyword probability that counts as a detection, in (0, 1).
        segment_seconds: length of audio the head sees (default: the longest keyword example).
        epochs: head training epochs.
        embedding_net: the embedding net (default: the published one, ``load_embedding_net()``).
        seed: seed for the head's initialisation and the batch order.

    Returns:
        A ``KeywordSpotter``.

    Raises:
        kzoo.InputError: no keywords, a word with no clips, a word named ``"unknown"``, no negatives,
            a bad clip (empty, stereo, NaN, outside -1..1, a bare array instead of a list), another
            sample rate, or bad numbers; all before any work.
        kzoo.NotAvailableError: the published embedding net is not on this machine.

    Example:
        Tones stand in for words here (any two sounds that differ will do); noise is "unknown":

        >>> import numpy as np
        >>> t = np.arange(8000) / 16000
        >>> tone = lambda hz, amp: (amp * np.sin(2 * np.pi * hz * t)).astype("float32")
        >>> noise = [(0.1 * np.random.default_rng(i).standard_normal(8000)).astype("float32") for i in range(3)]
        >>> spotter = keyword_spotter({"low": [tone(300, a) for a in (0.3, 0.5, 0.7)],
        ...                            "high": [tone(2500, a) for a in (0.3, 0.5, 0.7)]},
        ...                           noise, epochs=100)  # doctest: +ASSETS
        >>> [word for word, _ in spotter.classify([tone(2500, 0.4), tone(300, 0.6), noise[0]])]  # doctest: +ASSETS
        ['high', 'low', 'unknown']
        >>> [(d.word, d.start_s, d.end_s) for d in spotter.spot(tone(300, 0.5))]  # doctest: +ASSETS
        [('low', 0.0, 0.5)]

        Notebook 07 spots spoken digits in a recording of a speaker the spotter never heard.

        Inputs are checked before anything loads:

        >>> keyword_spotter({}, noise)
        Traceback (most recent call last):
        kzoo.errors.InputError: examples must be a non-empty dict {word: [clip, ...]}, got {}.
        >>> keyword_spotter({"low": [np.stack([tone(300, 0.5)] * 2, axis=1)]}, noise)
        Traceback (most recent call last):
        kzoo.errors.InputError: examples['low'][0] is stereo (8000, 2); mix it to mono first (wave.mean(axis=1)).
        >>> keyword_spotter({"low": [tone(300, 0.5)]}, noise, sample_rate=8000)
        Traceback (most recent call last):
        kzoo.errors.InputError: sample_rate == 8000, but speech_embedding takes 16 kHz audio; resample first ...
    """
    if not isinstance(examples, Mapping) or not examples:
        raise InputError(f"examples must be a non-empty dict {{word: [clip, ...]}}, got {examples!r:.60}.")
    if UNKNOWN in examples:
        raise InputError(f"{UNKNOWN!r} is the spotter's name for everything else; rename that keyword.")
    clips = {str(word): _clip_list(value, f"examples[{word!r}]") for word, value in examples.items()}
    others = _clip_list(negatives, "negatives")
    _check_rate(sample_rate)
    threshold = _threshold(threshold)
    epochs = whole_number("epochs", epochs)
    seed = whole_number("seed", seed, low=0)
    longest = max(len(c) for word_clips in clips.values() for c in word_clips)
    samples = longest if segment_seconds is None else round(
        check_scalar("segment_seconds", segment_seconds, float, min_val=0, include_boundaries="neither")
        * SAMPLE_RATE)

    keras.utils.set_random_seed(seed)
    words = list(clips)
    model = build_classifier([*words, UNKNOWN], embedding_net or load_embedding_net())
    freeze(model)
    chunks = [c[start:start + samples] for c in others for start in range(0, max(len(c) - samples, 0) + 1, samples)]
    # In a stream, a segment just after a word has that word's end where a clip has the lead-in's
    # silence; such segments must read as "unknown", so each negative's last 0.4 s is one too.
    # (After a keyword, overlapping detections are merged instead: its tail is much of the word.)
    unknown = chunks + [c[-LEAD_IN:] for c in others]
    x = _pad([c for word in words for c in clips[word]] + unknown, samples)
    y = np.array([i for i, word in enumerate(words) for _ in clips[word]] + [len(words)] * len(unknown))
    counts = np.bincount(y)
    fine_tune(model, (x, y), head_epochs=epochs, lr=1e-3, batch_size=32,
              class_weight={i: len(y) / (len(counts) * n) for i, n in enumerate(counts)})
    return KeywordSpotter(model, samples, threshold)
