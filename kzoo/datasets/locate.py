"""Finding a data set's files on disk: resolve the entry, then find its top folder inside."""
from __future__ import annotations

from pathlib import Path

from kzoo.errors import InputError
from kzoo.hub import fetch, mirror_folders

_SEARCH_DEPTH = 2  # archives wrap the data in one or two folders (hymenoptera_data/, fsdd-1.0.9/)


def data_root(entry, path: str | Path | None, marker: str) -> Path:
    """The folder that holds ``marker`` among an entry's files.

    The files are resolved by ``kzoo.hub.fetch`` (explicit path, ``$KZOO_ASSETS`` mirror,
    cache, then the canonical download); downloaded archives wrap the data in extra folders, so the
    folder containing ``marker`` is searched for up to two levels down.

    Args:
        entry: a ``DatasetEntry``.
        path: an explicit local folder, or None.
        marker: a file or folder name the data's top folder contains (``"train"``, ``"recordings"``).

    Returns:
        The top folder of the data.

    Raises:
        kzoo.NotAvailableError: the files are nowhere (raised by ``fetch``).
        kzoo.InputError: the files are there but ``marker`` is not in them.

    Example:
        >>> from pathlib import Path
        >>> from kzoo import datasets
        >>> Path("download/hymenoptera_data/train").mkdir(parents=True)  # as the archive unpacks
        >>> data_root(datasets.info("ants_bees"), "download", "train").name
        'hymenoptera_data'
        >>> data_root(datasets.info("sst2"), None, "train.tsv")  # doctest: +ASSETS
        PosixPath('/.../datasets/sst2')
    """
    base = Path(fetch(entry, path))
    level = [base]
    for _ in range(_SEARCH_DEPTH + 1):
        for folder in level:
            if (folder / marker).exists():
                return folder
        level = [child for folder in level if folder.is_dir() for child in sorted(folder.iterdir())
                 if child.is_dir() and not child.name.startswith((".", "__MACOSX"))]
    raise InputError(
        f"{base} does not hold the {entry.name!r} data: no {marker!r} in it or in the folders up to "
        f"{_SEARCH_DEPTH} levels below. Point path= (or $KZOO_ASSETS/{mirror_folders(entry)[0]}) at a copy laid "
        f"out like the original (see kzoo.datasets.info({entry.name!r}).description).")
