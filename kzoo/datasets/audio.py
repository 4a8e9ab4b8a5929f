"""Audio loading without TensorFlow: wav decoding (scipy), resampling, fixed-length clips, FSDD splits."""
from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np

from kzoo.datasets.locate import data_root
from kzoo.errors import CorruptFileError, InputError

FSDD_NAME = re.compile(r"(\d)_([A-Za-z]+)_(\d+)\.wav")
FSDD_STANDARD_TEST_INDICES = range(5)  # indices 0-4 of each digit and speaker: the usual test set
DEFAULT_TEST_SPEAKERS = ("yweweler",)  # in every FSDD release
SPLIT_BY = ("standard", "speaker")


def read_wav(file: str | Path) -> tuple[int, np.ndarray]:
    """Read a wav file as float32 mono.

    Args:
        file: a PCM (8/16/32-bit integer) or float wav file.

    Returns:
        ``(sample_rate, wave)``: the file's rate in Hz and float32 (samples,) values in -1..1
        (channels averaged).

    Raises:
        kzoo.CorruptFileError: the file is not a wav file scipy can read, or it is empty.

    Example:
        >>> from scipy.io import wavfile
        >>> wavfile.write("tone.wav", 8000, np.full(800, 16384, np.int16))  # 0.1 s of 16-bit audio
        >>> rate, wave = read_wav("tone.wav")
        >>> rate, wave.shape, wave.dtype, float(wave[0])
        (8000, (800,), dtype('float32'), 0.5)
    """
    from scipy.io import wavfile

    try:
        rate, data = wavfile.read(file)
    except (OSError, ValueError, EOFError) as err:
        raise CorruptFileError(
            f"{file} is not a readable wav file ({type(err).__name__}: {err}). Replace or delete "
            "it.") from err
    if data.size == 0:
        raise CorruptFileError(f"{file} holds no audio samples. Replace or delete it.")
    if data.dtype == np.uint8:  # 8-bit wav is unsigned, centred on 128
        wave = (data.astype(np.float32) - 128.0) / 128.0
    elif np.issubdtype(data.dtype, np.integer):
        wave = data.astype(np.float32) / float(-np.iinfo(data.dtype).min)
    else:
        wave = data.astype(np.float32)
    return int(rate), wave.mean(axis=1) if wave.ndim == 2 else wave


def prepare_wave(wave: np.ndarray, rate: int, sample_rate: int, num_samples: int) -> np.ndarray:
    """Resample a float waveform and pad or crop it to a fixed length.

    Resampling is polyphase (``scipy.signal.resample_poly``, e.g. 8 kHz -> 16 kHz is up 2, down 1).
    Short clips are padded with silence at the end; long clips keep their middle part (FSDD and
    Speech Commands clips are trimmed around the word).

    Args:
        wave: float (samples,) values in -1..1.
        rate: its sample rate.
        sample_rate: the rate wanted.
        num_samples: the length wanted.

    Returns:
        float32 (num_samples,), clipped to -1..1 (resampling can overshoot slightly).

    Example:
        >>> prepare_wave(np.zeros(8000, np.float32), 8000, 16000, 16000).shape
        (16000,)
    """
    from scipy.signal import resample_poly

    wave = np.asarray(wave, np.float32)
    if rate != sample_rate:
        g = math.gcd(rate, sample_rate)
        wave = resample_poly(wave, sample_rate // g, rate // g)
    if len(wave) > num_samples:
        start = (len(wave) - num_samples) // 2
        wave = wave[start:start + num_samples]
    out = np.zeros(num_samples, np.float32)
    out[:len(wave)] = np.clip(wave, -1.0, 1.0)
    return out


def _fsdd_files(folder: Path) -> list[tuple[Path, int, str, int]]:
    """(file, digit, speaker, index) for every recording; any other file is an error."""
    found = []
    for file in sorted(folder.iterdir()):
        if file.name.startswith("."):
            continue
        match = FSDD_NAME.fullmatch(file.name)
        if not match:
            raise InputError(
                f"{file} does not belong in an FSDD recordings folder: names must look like "
                "'{digit}_{speaker}_{index}.wav'. Move it out.")
        found.append((file, int(match[1]), match[2], int(match[3])))
    if not found:
        raise InputError(f"The FSDD recordings folder {folder} has no wav files.")
    return found


def load_fsdd(entry, split: str, *, path: str | Path | None = None, sample_rate: int, duration: float,
              split_by: str = "standard",
              test_speakers: tuple[str, ...] | list[str] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The Free Spoken Digit Dataset, split by recording index or by speaker.

    Args:
        entry: the ``spoken_digits`` entry (``entry.sample_rate`` is the files' rate, 8 kHz).
        split: ``"train"`` or ``"test"``.
        path: an explicit local copy (the folder holding ``recordings/``, or one above it).
        sample_rate: the rate clips are resampled to.
        duration: the clip length in seconds.
        split_by: ``"standard"``: indices 0-4 of each digit and speaker are ``"test"``;
            ``"speaker"``: the ``test_speakers`` are ``"test"`` and everyone else ``"train"``.
        test_speakers: who is held out with ``split_by="speaker"`` (default ``("yweweler",)``).

    Returns:
        ``(x, y)``: float32 (N, round(duration * sample_rate)) in -1..1 and int32 (N,) digits,
        ordered by file name.

    Raises:
        kzoo.NotAvailableError: no copy of the files anywhere.
        kzoo.InputError: a bad ``split_by``/``test_speakers``, a file that is not an FSDD recording,
            or a recording at another sample rate than the data set's (the message names it).
        kzoo.CorruptFileError: an unreadable wav file (the message names it).

    Example:
        >>> from pathlib import Path
        >>> from scipy.io import wavfile
        >>> from kzoo import datasets
        >>> Path("fsdd/recordings").mkdir(parents=True)
        >>> for name in ("3_george_0", "3_george_7", "5_lucas_1"):  # {digit}_{speaker}_{index}
        ...     wavfile.write(f"fsdd/recordings/{name}.wav", 8000, np.zeros(4000, np.int16))
        >>> entry = datasets.info("spoken_digits")
        >>> x, y = load_fsdd(entry, "test", path="fsdd", sample_rate=16000, duration=1.0)
        >>> x.shape, y.tolist()
        ((2, 16000), [3, 5])
        >>> x, y = load_fsdd(entry, "test", sample_rate=16000, duration=1.0)  # doctest: +ASSETS
        >>> x.shape  # doctest: +ASSETS
        (200, 16000)
    """
    if split_by not in SPLIT_BY:
        raise InputError(f"split_by must be one of {SPLIT_BY}, got {split_by!r}.")
    if split_by == "standard" and test_speakers is not None:
        raise InputError("test_speakers only applies with split_by='speaker'.")
    held_out = DEFAULT_TEST_SPEAKERS if test_speakers is None else test_speakers
    if isinstance(held_out, str) or not held_out or not all(isinstance(s, str) for s in held_out):
        raise InputError(f"test_speakers must be a non-empty tuple of speaker names, got {test_speakers!r}.")
    recordings = _fsdd_files(data_root(entry, path, "recordings") / "recordings")
    speakers = sorted({speaker for _, _, speaker, _ in recordings})
    if split_by == "speaker":
        unknown = sorted(set(held_out) - set(speakers))
        if unknown:
            raise InputError(
                f"test_speakers {unknown} are not in this copy of FSDD; its speakers are {speakers}.")
        if set(held_out) == set(speakers):
            raise InputError(f"test_speakers {sorted(held_out)} leave no speaker for training.")
        in_test = [speaker in held_out for _, _, speaker, _ in recordings]
    else:
        in_test = [index in FSDD_STANDARD_TEST_INDICES for _, _, _, index in recordings]
    chosen = [r for r, test in zip(recordings, in_test) if test == (split == "test")]
    num_samples = round(duration * sample_rate)
    x = np.empty((len(chosen), num_samples), np.float32)
    for i, (file, _, _, _) in enumerate(chosen):
        rate, wave = read_wav(file)
        if rate != entry.sample_rate:
            raise InputError(
                f"{file} is sampled at {rate} Hz, but every {entry.name!r} recording is "
                f"{entry.sample_rate} Hz: the file does not belong to this data set. Replace it.")
        x[i] = prepare_wave(wave, rate, sample_rate, num_samples)
    return x, np.asarray([digit for _, digit, _, _ in chosen], np.int32)
