"""Every model family, registered: the one module that imports them all.

The registry (``kzoo.zoo.catalog``) imports no family; each family module registers its entries
when imported. This module imports every family, so importing it (``import kzoo`` does) fills the
registry. It imports no Keras: builders import it when a model is built, and the library families
(``keras.applications``, KerasHub presets) are enumerated only when a listing needs them.

A new family is one module that calls ``register``/``register_family`` at import, plus one import
line below. ``fetch`` and ``find_local`` also take data-set names, so ``kzoo fetch ants_bees``
works like ``kzoo fetch glyphnet``.

Example:
    >>> import kzoo.models
    >>> kzoo.models.info("glyphnet").family
    'kzoo'
"""
from __future__ import annotations

import os
from pathlib import Path

from kzoo import hub
from kzoo.audio import musicnn_zoo, speech_embedding_zoo  # noqa: F401  (register musicnn, speech_embedding)
from kzoo.datasets import catalog as datasets_catalog
from kzoo.errors import UnknownNameError
from kzoo.zoo import glyphnet, keras_applications, keras_hub_presets, text  # noqa: F401  (register)
from kzoo.zoo.catalog import ZooEntry, all_entries, info, list_models, register
from kzoo.zoo.load import load

__all__ = ["ZooEntry", "all_entries", "fetch", "find_local", "info", "list_models", "load", "register"]


def record(name_or_record: str | hub.Record) -> hub.Record:
    """The record for a model name or a data-set name (models first); records pass through.

    Raises:
        kzoo.UnknownNameError: neither a model nor a data set has that name; close names of
            both are suggested.

    Example:
        >>> record("ants_bees").cache_group
        'datasets'
    """
    if not isinstance(name_or_record, str):
        return name_or_record
    try:
        return info(name_or_record)
    except UnknownNameError as model_error:
        try:
            return datasets_catalog.info(name_or_record)
        except UnknownNameError:
            raise model_error from None


def find_local(name_or_record: str | hub.Record, path: str | os.PathLike | None = None) -> Path | None:
    """The first place on this machine that holds a model's (or data set's) files.

    Args:
        name_or_record: a model or data-set name, or a ``kzoo.hub.Record``.
        path: an explicit folder, file or ``file://`` URL to use instead of searching.

    Returns:
        The folder (or file) holding the files, or None when nothing on this machine does.

    Raises:
        kzoo.UnknownNameError: the name is not in either catalog.
        kzoo.InputError: ``path`` does not exist or lacks the needed files.

    Example:
        >>> import kzoo
        >>> kzoo.find_local("glyphnet").name
        'glyphnet'
    """
    return hub.find_local(record(name_or_record), path)


def fetch(name_or_record: str | hub.Record, path: str | os.PathLike | None = None, *, force: bool = False,
          progress: bool = True) -> Path | str:
    """Make a model's (or data set's) files available locally, downloading only when needed.

    Args:
        name_or_record: a model or data-set name, or a ``kzoo.hub.Record``.
        path: an explicit folder, file or ``file://`` URL.
        force: skip the local search and download again into kzoo's cache.
        progress: show download progress bars on stderr.

    Returns:
        The local folder or file (``kzoo.hub.KERAS_DOWNLOADS`` for ``keras.applications`` models
        Keras will download itself).

    Raises:
        kzoo.UnknownNameError: the name is not in either catalog.
        kzoo.NotAvailableError: nothing local and nothing downloadable; the message lists every
            place looked at and how to fix it.

    Example:
        >>> import kzoo
        >>> kzoo.fetch("glyphnet", progress=False).name
        'glyphnet'
    """
    return hub.fetch(record(name_or_record), path, force=force, progress=progress)
