"""Image loaders: photo folders (decoded with PIL, no TensorFlow), sklearn's digits, kzoo's glyphs.

Every loader returns numpy ``(x, y)``: ``x`` float32 (N, H, W, C) with values 0..255 (photos, RGB)
or 0..16 (8x8 digits and glyphs, one channel), ``y`` int32 labels into the entry's class names.
"""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from kzoo.datasets.locate import data_root
from kzoo.errors import CorruptFileError, InputError

DIGITS_TEST_FRACTION = 0.2
GLYPH_SEEDS = {"train": 0, "test": 1}  # different generator seeds: the splits share no image


def decode_image(file: str | Path, size: tuple[int, int]) -> np.ndarray:
    """Read one image file by its content (JPEG, PNG, GIF, ... whatever the extension says).

    Args:
        file: the image file.
        size: (height, width) to resize to (bilinear, antialiased, aspect ratio not kept).

    Returns:
        float32 array (height, width, 3), RGB, values 0..255 (grey, palette and RGBA images are
        converted to RGB; an animated GIF gives its first frame).

    Raises:
        kzoo.CorruptFileError: the file is not an image PIL can read, or it is truncated.
        kzoo.InputError: the image claims more pixels than PIL's limit (a decompression bomb).

    Example:
        >>> from PIL import Image
        >>> Image.new("L", (40, 30), color=200).save("grey.png")
        >>> x = decode_image("grey.png", (224, 224))
        >>> x.shape, float(x.max())
        ((224, 224, 3), 200.0)
    """
    from PIL import Image

    try:
        with warnings.catch_warnings():
            # PIL only warns up to twice its pixel limit; a small file claiming a huge image is a bomb
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file) as image:
                rgb = image.convert("RGB")  # convert() loads the pixels, so truncation shows up here
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
        raise InputError(f"{file} claims more pixels than PIL's limit of {Image.MAX_IMAGE_PIXELS:,} "
                         f"({err}); it may be a decompression bomb, so it was not decoded. Shrink or "
                         "remove the file.") from err
    except (OSError, SyntaxError, ValueError) as err:  # PIL reports bad data with all three
        raise CorruptFileError(
            f"{file} is not a readable image ({type(err).__name__}: {err}). Replace or delete the "
            "file.") from err
    rgb = rgb.resize((size[1], size[0]), Image.Resampling.BILINEAR)
    return np.asarray(rgb, dtype=np.float32)


def _class_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise InputError(f"The class folder {folder} is missing; each class needs a folder of images.")
    files = sorted(p for p in folder.iterdir() if not p.name.startswith("."))
    for p in files:
        if not p.is_file():
            raise InputError(f"{p} is a folder inside the class folder {folder}; only image files "
                             "belong there. Move it out.")
    if not files:
        raise InputError(f"The class folder {folder} is empty; every class needs at least one image.")
    return files


def load_image_folder(entry, split: str, *, path: str | Path | None = None,
                      image_size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Read ``<root>/<split>/<class>/*`` for each of the entry's classes.

    Every file in a class folder is decoded by content (hidden files, whose names start with a dot,
    are not data); any file that does not decode is an error, never skipped silently.

    Args:
        entry: a ``DatasetEntry`` whose ``class_names`` name the class folders.
        split: the split folder, e.g. ``"train"``.
        path: an explicit local copy (the folder holding the split folders, or one above it).
        image_size: (height, width) every image is resized to.

    Returns:
        ``(x, y)``: float32 (N, height, width, 3) RGB 0..255 and int32 (N,) labels, in folder order.

    Raises:
        kzoo.NotAvailableError: no copy of the files anywhere.
        kzoo.InputError: a class folder is missing or empty.
        kzoo.CorruptFileError: a file is not a readable image (the message names it).

    Example:
        >>> from pathlib import Path
        >>> from PIL import Image
        >>> from kzoo import datasets
        >>> for insect in ("ants", "bees"):
        ...     Path("photos/val", insect).mkdir(parents=True)
        ...     Image.new("RGB", (50, 40)).save(f"photos/val/{insect}/1.jpg")
        >>> entry = datasets.info("ants_bees")
        >>> x, y = load_image_folder(entry, "val", path="photos", image_size=(64, 64))
        >>> x.shape, y.tolist()
        ((2, 64, 64, 3), [0, 1])
        >>> x, y = load_image_folder(entry, "val", image_size=(64, 64))  # doctest: +ASSETS
        >>> x.shape  # doctest: +ASSETS
        (153, 64, 64, 3)
    """
    split_dir = data_root(entry, path, split) / split
    files, labels = [], []
    for label, name in enumerate(entry.class_names):
        found = _class_files(split_dir / name)
        files += found
        labels += [label] * len(found)
    x = np.empty((len(files), *image_size, 3), np.float32)
    for i, file in enumerate(files):
        x[i] = decode_image(file, image_size)
    return x, np.asarray(labels, np.int32)


def _check_native_size(entry, image_size: tuple[int, int] | None, native: tuple[int, int]) -> None:
    if image_size not in (None, native):
        raise InputError(
            f"{entry.name!r} images are {native[0]}x{native[1]} and are not resized (image_size="
            f"{image_size!r}); resize inside the model (keras.layers.Resizing) if it needs larger input.")


def load_digits(entry, split: str, *,
                image_size: tuple[int, int] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's bundled 8x8 handwritten digits, with kzoo's fixed stratified split.

    Args:
        entry: the ``digits`` entry.
        split: ``"train"`` (80%) or ``"test"`` (20%), split with seed 0, stratified by digit.
        image_size: must be None or (8, 8): the digits are not resized.

    Returns:
        ``(x, y)``: float32 (N, 8, 8, 1) with whole values 0..16, int32 (N,) digits.

    Raises:
        kzoo.InputError: another ``image_size`` was asked for.

    Example:
        >>> from kzoo import datasets
        >>> x, y = load_digits(datasets.info("digits"), "test")
        >>> x.shape, float(x.max()), y[:5].tolist()
        ((360, 8, 8, 1), 16.0, [...])
    """
    from sklearn.datasets import load_digits as sklearn_digits

    from kzoo.datasets.splits import stratified_split

    _check_native_size(entry, image_size, (8, 8))
    bunch = sklearn_digits()
    x = bunch.images.astype(np.float32)[..., None]
    train, test = stratified_split(x, bunch.target.astype(np.int32), DIGITS_TEST_FRACTION, seed=0)
    return train if split == "train" else test


def load_glyphs(entry, split: str, *, image_size: tuple[int, int] | None = None,
                n_per_class: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """kzoo's generated letters (``kzoo.datasets.glyphs.make_glyphs``) in the digits' format.

    Args:
        entry: the ``glyphs`` entry.
        split: ``"train"`` or ``"test"``; each is generated with its own fixed seed.
        image_size: must be None or (8, 8).
        n_per_class: images per letter (52 letters).

    Returns:
        ``(x, y)``: float32 (52 * n_per_class, 8, 8, 1) whole values 0..16, int32 labels.

    Raises:
        kzoo.InputError: another ``image_size``, or a bad ``n_per_class``.

    Example:
        >>> from kzoo import datasets
        >>> x, y = load_glyphs(datasets.info("glyphs"), "train", n_per_class=2)
        >>> x.shape, len(set(y.tolist()))
        ((104, 8, 8, 1), 52)
    """
    from kzoo.datasets.glyphs import make_glyphs

    _check_native_size(entry, image_size, (8, 8))
    x, y, _ = make_glyphs(n_per_class, seed=GLYPH_SEEDS[split])
    return x, y.astype(np.int32)
