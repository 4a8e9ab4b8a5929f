"""Text loaders: labelled sentences in tab-separated files, returned as Python strings."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from kzoo.datasets.locate import data_root
from kzoo.errors import CorruptFileError, InputError

TEXT_COLUMN, LABEL_COLUMN = "sentence", "label"


def read_tsv(file: str | Path, num_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """Read a ``sentence<TAB>label`` file with a header row (the GLUE format).

    Args:
        file: the ``.tsv`` file (UTF-8, with or without a byte-order mark); its header names a
            ``sentence`` and a ``label`` column.
        num_classes: labels must be whole numbers ``0 .. num_classes - 1``.

    Returns:
        ``(x, y)``: object array of str (surrounding whitespace stripped) and int32 labels.

    Raises:
        kzoo.CorruptFileError: the file is not UTF-8 text.
        kzoo.InputError: the header lacks a column, a row has no (valid) label or no text (the
            message names the file and line), or there are no rows.

    Example:
        >>> from pathlib import Path
        >>> _ = Path("reviews.tsv").write_text("sentence\\tlabel\\na charming film \\t1\\ndull\\t0\\n")
        >>> x, y = read_tsv("reviews.tsv", 2)
        >>> x.tolist(), y.tolist()
        (['a charming film', 'dull'], [1, 0])
    """
    try:
        lines = Path(file).read_text(encoding="utf-8-sig").splitlines()  # -sig: Excel's UTF-8 BOM
    except (OSError, UnicodeDecodeError) as err:
        raise CorruptFileError(f"{file} is not a readable UTF-8 text file ({err}).") from err
    header = lines[0].split("\t") if lines else []
    if TEXT_COLUMN not in header or LABEL_COLUMN not in header:
        raise InputError(f"{file} must start with a header row naming the columns {TEXT_COLUMN!r} and "
                         f"{LABEL_COLUMN!r} (tab-separated); its first line is {lines[:1]}.")
    text_at, label_at = header.index(TEXT_COLUMN), header.index(LABEL_COLUMN)
    texts, labels = [], []
    for number, line in enumerate(lines[1:], start=2):
        fields = line.split("\t")
        label = fields[label_at].strip() if len(fields) == len(header) else ""
        if not label.isdigit() or int(label) >= num_classes:
            raise InputError(
                f"{file}, line {number}: expected {len(header)} tab-separated fields with a label "
                f"0..{num_classes - 1} in column {LABEL_COLUMN!r}, got {line[:80]!r}. Fix or remove the row.")
        if not fields[text_at].strip():
            raise InputError(
                f"{file}, line {number}: the {TEXT_COLUMN!r} column is empty. Fix or remove the row.")
        texts.append(fields[text_at].strip())
        labels.append(int(label))
    if not texts:
        raise InputError(f"{file} has a header but no rows.")
    return np.asarray(texts, dtype=object), np.asarray(labels, np.int32)


def load_tsv(entry, split: str, *, path: str | Path | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Read ``<root>/<split>.tsv`` of a text data set (SST-2's layout).

    Args:
        entry: a text ``DatasetEntry``.
        split: ``"train"``, ``"dev"`` or ``"test"``.
        path: an explicit local copy (the folder holding the ``.tsv`` files, or one above it).

    Returns:
        ``(x, y)``: object array of str, int32 labels, in file order.

    Raises:
        kzoo.NotAvailableError: no copy of the files anywhere.
        kzoo.InputError / kzoo.CorruptFileError: see ``read_tsv``.

    Example:
        >>> from pathlib import Path
        >>> from kzoo import datasets
        >>> Path("sst2").mkdir()
        >>> _ = Path("sst2/test.tsv").write_text("sentence\\tlabel\\nit 's a charming journey .\\t1\\n")
        >>> load_tsv(datasets.info("sst2"), "test", path="sst2")
        (array(["it 's a charming journey ."], dtype=object), array([1], dtype=int32))
        >>> x, y = load_tsv(datasets.info("sst2"), "test")  # doctest: +ASSETS
        >>> len(x), x[0]  # doctest: +ASSETS
        (872, "it 's a charming and often affecting journey .")
    """
    name = f"{split}.tsv"
    return read_tsv(data_root(entry, path, name) / name, len(entry.class_names))
