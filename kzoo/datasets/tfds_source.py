"""TensorFlow Datasets passthrough: ``tfds.load`` plus the same resizing / resampling as kzoo's loaders.

tfds needs TensorFlow; the as_numpy path of these entries therefore does too (kzoo's own file
loaders do not). A prepared tfds data folder copied to ``$KZOO_ASSETS/datasets/tensorflow_datasets``
is used offline, without downloading.
"""
from __future__ import annotations

from pathlib import Path

from kzoo.config import assets_dir, offline
from kzoo.datasets.audio import prepare_wave
from kzoo.errors import NotAvailableError

TFDS_MIRROR = Path("datasets") / "tensorflow_datasets"
_PCM_SCALE = 32768.0  # tfds Audio features hold 16-bit PCM values


def _data_dir(entry, path: str | Path | None) -> tuple[str | None, bool]:
    """(tfds data_dir, whether tfds may download): explicit path, then the mirror, then tfds's own."""
    if path is not None:
        return str(path), False
    mirror = assets_dir()
    if mirror is not None and (mirror / TFDS_MIRROR / entry.tfds_name.split(":")[0]).is_dir():
        return str(mirror / TFDS_MIRROR), False
    return None, not offline()


def load_tfds(entry, split: str, *, path: str | Path | None = None,
              image_size: tuple[int, int] | None = None, sample_rate: int | None = None,
              duration: float | None = None):
    """One split of a tfds data set as an unbatched ``tf.data.Dataset`` of ``(x, y)``.

    Args:
        entry: a ``DatasetEntry`` with ``tfds_name`` and ``tfds_keys``.
        split: a kzoo split (mapped through ``entry.tfds_splits``) or any tfds split string.
        path: a tfds ``data_dir`` holding the prepared data set (nothing is downloaded then).
        image_size: (height, width) images are resized to (bilinear, antialiased), image entries.
        sample_rate: the rate audio is resampled to, audio entries.
        duration: the clip length in seconds audio is padded / cropped to, audio entries.

    Returns:
        ``tf.data.Dataset`` of ``(x, y)``: float32 (H, W, 3) 0..255 images, float32 (samples,)
        -1..1 audio or tf.string text, and int32 labels.

    Raises:
        kzoo.NotAvailableError: tensorflow_datasets is not installed, or tfds could neither find
            the data nor download it (the message says where it looked).

    Example:
        >>> from kzoo import datasets
        >>> load_tfds(datasets.info("beans"), "test", path="empty", image_size=(224, 224))
        Traceback (most recent call last):
        ...
        kzoo.errors.NotAvailableError: ...
    """
    try:
        import tensorflow as tf
        import tensorflow_datasets as tfds
    except ImportError as err:
        raise NotAvailableError(
            f"{entry.name!r} comes from TensorFlow Datasets, which is not installed here: "
            "pip install tensorflow tensorflow-datasets.") from err
    tfds_split = entry.tfds_splits.get(split, split)
    data_dir, download = _data_dir(entry, path)
    try:
        ds = tfds.load(entry.tfds_name, split=tfds_split, data_dir=data_dir, download=download)
    except Exception as err:  # tfds signals missing data, bad splits and network failures many ways
        where = data_dir or "tfds's default data folder (~/tensorflow_datasets)"
        fix = ("" if download else " Downloading was off (KZOO_OFFLINE=1, or a path / mirror was "
               "given); prepare it on a connected machine with tfds.load and copy the data folder to "
               f"$KZOO_ASSETS/{TFDS_MIRROR.as_posix()} or pass path=.")
        raise NotAvailableError(
            f"tfds could not load {entry.tfds_name!r} split {tfds_split!r} from {where} "
            f"({type(err).__name__}: {err}).{fix}") from err
    x_key, y_key = entry.tfds_keys

    def pick(example):
        return example[x_key], tf.cast(example[y_key], tf.int32)

    def image(x, y):
        return tf.image.resize(x, image_size, antialias=True), y

    def audio(x, y):
        num_samples = round(duration * sample_rate)
        wave = tf.numpy_function(
            lambda w: prepare_wave(w / _PCM_SCALE, entry.sample_rate, sample_rate, num_samples),
            [x], tf.float32)
        return tf.ensure_shape(wave, (num_samples,)), y

    ds = ds.map(pick, num_parallel_calls=tf.data.AUTOTUNE)
    process = {"image": image, "audio": audio}.get(entry.modality)
    return ds.map(process, num_parallel_calls=tf.data.AUTOTUNE) if process else ds
