"""``load``: any catalog data set, one split, as a batched ``tf.data.Dataset`` or numpy arrays."""
from __future__ import annotations

import inspect
import re
from pathlib import Path

import numpy as np

from kzoo._checks import whole_number
from kzoo._data import is_dataset, to_dataset
from kzoo.datasets.catalog import DatasetEntry, info
from kzoo.datasets.tfds_source import load_tfds
from kzoo.errors import InputError, NotAvailableError

_SHUFFLE_BUFFER = 256  # tfds splits are shuffled when prepared; this mixes them further per epoch
_LOADER_OPTIONS = {"entry", "split", "path", "image_size", "sample_rate", "duration"}


def _image_size(value) -> tuple[int, int]:
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        value = (value, value)
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise InputError(f"image_size must be an int or a (height, width) pair, got {value!r}.")
    return (whole_number("image_size height", value[0]), whole_number("image_size width", value[1]))


def _options(entry: DatasetEntry, image_size, sample_rate, duration) -> dict:
    """The keyword arguments the entry's modality takes, validated and with the entry's defaults."""
    if image_size is not None and entry.modality != "image":
        raise InputError(f"image_size applies to image data sets; {entry.name!r} is {entry.modality}.")
    if duration is not None and entry.modality != "audio":
        raise InputError(f"duration applies to audio data sets; {entry.name!r} is {entry.modality}.")
    if entry.modality == "image":
        size = entry.image_size if image_size is None else _image_size(image_size)
        return {"image_size": size}
    if entry.modality == "audio":
        duration = entry.duration if duration is None else duration
        if isinstance(duration, bool) or not isinstance(duration, (int, float)) or duration <= 0:
            raise InputError(f"duration must be a number of seconds > 0, got {duration!r}.")
        sample_rate = whole_number("sample_rate", sample_rate)
        if round(duration * sample_rate) < 1:
            raise InputError(f"duration={duration} s at {sample_rate} Hz is less than one sample.")
        return {"sample_rate": sample_rate, "duration": float(duration)}
    return {}


def _check_split(entry: DatasetEntry, split: str) -> str:
    """The split's base name; tfds-only entries also take tfds slices such as ``"train[:80%]"``."""
    base = re.split(r"[\[+]", split)[0] if isinstance(split, str) and entry.loader is None else split
    if base not in entry.splits:
        slicing = " (or a tfds slice of one, e.g. 'train[:80%]')" if entry.loader is None else ""
        raise InputError(f"{entry.name!r} has the splits {list(entry.splits)}{slicing}; got split={split!r}.")
    return base


def _check_extra(entry: DatasetEntry, kw: dict) -> None:
    accepted = set(inspect.signature(entry.loader).parameters) - _LOADER_OPTIONS if entry.loader else set()
    unknown = sorted(set(kw) - accepted)
    if unknown:
        raise InputError(f"{entry.name!r} takes no option {', '.join(unknown)}; the options it takes "
                         f"besides load()'s own are: {sorted(accepted) or 'none'}.")


def _read(entry: DatasetEntry, split: str, path, options: dict, kw: dict):
    """Numpy ``(x, y)`` from the entry's loader, else an unbatched dataset from tfds."""
    if entry.loader is None:
        return load_tfds(entry, split, path=path, **options)
    try:
        return entry.loader(entry, split, **({"path": path} if entry.sources else {}), **options, **kw)
    except NotAvailableError as err:
        if entry.tfds_name is None or path is not None or kw:
            raise
        try:
            return load_tfds(entry, split, **options)
        except NotAvailableError as tfds_err:
            raise NotAvailableError(f"{err}\nThe tfds fallback failed too: {tfds_err}") from tfds_err


def _to_numpy(ds) -> tuple[np.ndarray, np.ndarray]:
    xs, ys = [], []
    for x, y in ds.batch(256).as_numpy_iterator():
        xs.append(x)
        ys.append(y)
    if not xs:
        raise InputError("The split holds no examples.")
    x = np.concatenate(xs)
    if x.dtype.kind in "OS":  # tf.string -> Python str, like kzoo's own text loaders
        x = np.asarray([s.decode("utf-8") for s in x], dtype=object)
    return x, np.concatenate(ys)


def load(name: str | DatasetEntry, split: str = "train", *, as_numpy: bool = False, batch_size: int = 32,
         image_size: int | tuple[int, int] | None = None, sample_rate: int = 16000,
         duration: float | None = None, shuffle: bool | None = None, seed: int = 0,
         path: str | Path | None = None, **kw):
    """Load one split of a data set, offline first, the same way for every modality.

    Files come from ``path``, the ``$KZOO_ASSETS`` mirror, kzoo's cache, or the canonical download
    (unless ``KZOO_OFFLINE=1``), in that order; tfds entries go through ``tfds.load``. Examples are
    decoded and made uniform: images RGB float32 0..255 resized to ``image_size``; audio float32
    -1..1 resampled to ``sample_rate`` and padded (end) / cropped (middle) to ``duration``; text
    as Python strings for a model's own tokenizer; labels int32.

    Args:
        name: a catalog name (``kzoo.datasets.list_datasets()``) or a ``DatasetEntry``.
        split: e.g. ``"train"``, ``"val"``, ``"test"`` (see ``info(name).splits``).
        as_numpy: return numpy ``(x, y)`` instead of a dataset. kzoo's own file, bundled and
            generated data sets then need no TensorFlow at all (for JAX / PyTorch users).
        batch_size: examples per batch of the dataset (numpy results are not batched).
        image_size: an int or (height, width); default: the entry's (224 x 224 for photos, the
            native 8 x 8 for digits and glyphs, which are not resized).
        sample_rate: audio rate in Hz after resampling.
        duration: audio clip length in seconds; default: the entry's (1 s for spoken digits).
        shuffle: shuffle the examples (every epoch for a dataset); default: only for ``"train"``.
        seed: the shuffling seed.
        path: an explicit local copy of the files (for tfds entries: a tfds ``data_dir``).
        **kw: options of the data set's own loader, e.g. ``split_by="speaker"``,
            ``test_speakers=("george",)`` for ``spoken_digits``, ``n_per_class=`` for ``glyphs``.

    Returns:
        A ``tf.data.Dataset`` of ``(x, y)`` batches, prefetched, with a ``class_names`` attribute
        (as ``keras.utils.image_dataset_from_directory`` sets); kzoo's own data sets are decoded
        once and held in memory. With ``as_numpy=True``: ``(x, y)`` numpy arrays.

    Raises:
        kzoo.UnknownNameError: the name is not in the catalog (close names are suggested).
        kzoo.InputError: a bad argument, an option the data set does not take, or bad data (an
            empty class folder, a wav at the wrong rate, a tsv row without a label: the message
            names the file).
        kzoo.CorruptFileError: an unreadable file (named in the message).
        kzoo.NotAvailableError: the data is nowhere and could not be downloaded.

    Example:
        >>> from kzoo import datasets
        >>> x, y = datasets.load("digits", "test", as_numpy=True)
        >>> x.shape, x.dtype, y.dtype
        ((360, 8, 8, 1), dtype('float32'), dtype('int32'))
        >>> test = datasets.load("digits", "test", batch_size=100)
        >>> test.class_names[:3], [len(yb) for _, yb in test.as_numpy_iterator()]
        (['0', '1', '2'], [100, 100, 100, 60])
        >>> train = datasets.load("ants_bees", "train", image_size=160)  # doctest: +ASSETS
        >>> train.class_names  # doctest: +ASSETS
        ['ants', 'bees']
        >>> x, y = datasets.load("spoken_digits", "test", as_numpy=True)  # doctest: +ASSETS
        >>> x.shape, x.dtype  # doctest: +ASSETS
        ((200, 16000), dtype('float32'))
    """
    entry = name if isinstance(name, DatasetEntry) else info(name)
    base = _check_split(entry, split)
    batch_size = whole_number("batch_size", batch_size)
    whole_number("seed", seed, low=0)
    if shuffle is not None and not isinstance(shuffle, bool):
        raise InputError(f"shuffle must be True, False or None (= only the train split), got {shuffle!r}.")
    options = _options(entry, image_size, sample_rate, duration)
    _check_extra(entry, kw)
    if path is not None and not entry.sources and entry.tfds_name is None:
        raise InputError(f"{entry.name!r} is bundled or generated, not read from files; leave path out.")
    shuffle = base == "train" if shuffle is None else shuffle

    data = _read(entry, split, path, options, kw)
    if is_dataset(data):
        if not as_numpy:
            import tensorflow as tf

            if shuffle:
                data = data.shuffle(_SHUFFLE_BUFFER, seed=seed)
            ds = data.batch(batch_size).prefetch(tf.data.AUTOTUNE)
            ds.class_names = list(entry.class_names)
            return ds
        data = _to_numpy(data)
    x, y = data
    if as_numpy:
        if shuffle:
            order = np.random.default_rng(seed).permutation(len(y))
            x, y = x[order], y[order]
        return x, y
    ds = to_dataset((x, y), batch_size=batch_size, shuffle=shuffle, seed=seed)
    ds.class_names = list(entry.class_names)
    return ds
