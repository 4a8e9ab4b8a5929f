"""What the hub needs from a record, and how its source strings read.

A source is a URI-like string, tried in resolution order (see ``kzoo.hub``):

``path:`` explicit local path, ``file://`` URL, ``assets:`` relative to ``$KZOO_ASSETS``,
``package:pkg/sub`` inside an installed Python package (found without importing it), ``data:``
inside kzoo's package data (``kzoo/data/``), ``hf://org/repo`` a Hugging Face repository,
``kaggle://...`` a KerasHub preset handle, ``keras-app:Name`` a ``keras.applications`` constructor
(Keras downloads and caches its weights), ``https://host/file#sha256=<hex>`` a download (archives
are extracted).
"""
from __future__ import annotations

from typing import Mapping, Protocol, Sequence, runtime_checkable

from kzoo.errors import InputError

CACHE_GROUPS = ("models", "datasets")


@runtime_checkable
class Record(Protocol):
    """Anything the hub can resolve to local files (``ZooEntry`` and ``DatasetEntry`` are ones).

    Attributes:
        name: the record's name; also its folder name in caches and mirrors.
        sources: where the files can come from, in order (see the module docstring).
        files: the files a complete folder holds (empty: any non-empty folder, e.g. an archive's).
        sha256: expected checksums of those files, where known.
        cache_group: the sub-folder of caches and mirrors it lives in (one of ``CACHE_GROUPS``).

    Example:
        Any object with these five attributes will do:

        >>> import types, kzoo
        >>> from pathlib import Path
        >>> Path("my_notes").mkdir(); _ = Path("my_notes/README.md").write_text("hi")
        >>> notes = types.SimpleNamespace(name="notes", sources=("path:my_notes",), files=("README.md",),
        ...                               sha256={}, cache_group="datasets")
        >>> isinstance(notes, kzoo.hub.Record), kzoo.hub.find_local(notes)
        (True, PosixPath('my_notes'))
    """

    name: str
    sources: Sequence[str]
    files: Sequence[str]
    sha256: Mapping[str, str]
    cache_group: str


def check_record(record: object) -> Record:
    """``record`` if it has every attribute of ``Record``, a known ``cache_group`` and readable sources.

    Example:
        >>> import kzoo
        >>> check_record(kzoo.info("glyphnet")).name
        'glyphnet'
    """
    missing = [a for a in ("name", "sources", "files", "sha256", "cache_group") if not hasattr(record, a)]
    if missing:
        raise InputError(f"Expected a name or a catalog entry, got {type(record).__name__} without "
                         f"{', '.join(missing)}.")
    if record.cache_group not in CACHE_GROUPS:
        raise InputError(f"{record.name!r} has cache_group {record.cache_group!r}; expected one of "
                         f"{CACHE_GROUPS}.")
    for source in record.sources:
        split_source(source)
    return record


def split_source(source: str) -> tuple[str, str]:
    """Split a source: ``"hf://org/repo"`` -> ``("hf", "org/repo")``.

    http(s) and file URLs keep the whole URL as the second part.

    Example:
        >>> split_source("hf://org/repo"), split_source("assets:models/x")
        (('hf', 'org/repo'), ('assets', 'models/x'))
    """
    if not isinstance(source, str):
        raise InputError(f"A source must be a string, got {source!r}.")
    if "://" in source:
        scheme = source.split("://", 1)[0].lower()
        return scheme, (source if scheme in ("http", "https", "file") else source.split("://", 1)[1])
    scheme, sep, rest = source.partition(":")
    if not sep:
        raise InputError(f"Source {source!r} has no scheme; see kzoo.hub.record for the forms.")
    return scheme, rest


def mirror_folders(record: Record) -> list[str]:
    """The folders under ``$KZOO_ASSETS`` that may hold the record's files, in order.

    Example:
        >>> import types
        >>> mirror_folders(types.SimpleNamespace(name="x", sources=("assets:a/b",), cache_group="models"))
        ['a/b', 'models/x']
    """
    named = [rest for scheme, rest in map(split_source, record.sources) if scheme == "assets"]
    default = f"{record.cache_group}/{record.name}"
    return named + ([default] if default not in named else [])
