"""The model zoo's registry: one ``ZooEntry`` record per model, registered by its family.

This module imports no family and no Keras. Families add themselves (as KerasHub's
``register_presets`` and timm's ``register_model`` do):

* ``register(entry)`` for a model kzoo knows by name (``glyphnet``, ``efficientnet_lite0``,
  ``minilm_l6``, the musicnn taggers): looking one up never imports anything heavy;
* ``register_family(family, rows, builder, packages)`` for a family enumerated from an installed
  library (every ``keras.applications`` model, every KerasHub preset). Enumerating imports that
  library, so it happens only when a listing or an unknown name needs it, and its rows are cached
  in a small JSON index in kzoo's cache, keyed by the installed versions of ``packages``: only the
  first listing after an install pays for the import.

Each entry carries its ``builder``, a callable ``builder(entry, request) -> keras.Model``;
``kzoo.zoo.load`` looks an entry up, resolves its files through ``kzoo.hub`` and calls it. Which
modules register (so that every family is known) is decided by ``kzoo.models``.
"""
from __future__ import annotations

import dataclasses
import importlib.metadata
import json
from pathlib import Path
from typing import Any, Callable, ClassVar, Mapping

from kzoo import config
from kzoo._files import write_text_atomically
from kzoo._modalities import MODALITIES, check_modality
from kzoo.errors import InputError, UnknownNameError, did_you_mean


@dataclasses.dataclass(frozen=True)
class BuildRequest:
    """What ``kzoo.load`` asks a builder for, already validated.

    Attributes:
        weights: the caller's ``weights``: ``"pretrained"``, None (random initialisation) or a path.
        location: the resolved files (a folder, a file, or ``kzoo.hub.KERAS_DOWNLOADS``), or None
            when random weights are asked for and no local copy of the configuration exists.
        class_names: the new head's class names, or None for the published head.
        input_shape: the requested shape of one raw example, or None for the entry's own.
        dropout: the requested dropout in front of the head, or None for the builder's default.
        sequence_length: token length for text models.

    Example:
        >>> import kzoo
        >>> entry = kzoo.info("glyphnet")
        >>> request = BuildRequest(weights=None, location=None, class_names=["a", "b"], input_shape=None,
        ...                        dropout=None, sequence_length=128)
        >>> entry.builder(entry, request).output_shape  # what kzoo.load calls, files resolved
        (None, 2)
    """

    weights: str | Path | None
    location: Path | str | None
    class_names: list[str] | None
    input_shape: tuple[int, ...] | None
    dropout: float | None
    sequence_length: int


Builder = Callable[["ZooEntry", BuildRequest], Any]


@dataclasses.dataclass(frozen=True)
class ZooEntry:
    """What kzoo knows about one pre-trained model (a ``kzoo.hub.Record``).

    Attributes:
        name: kzoo's name for the model (``kzoo.load(name)``).
        modality: ``"image"``, ``"text"`` or ``"audio"``.
        family: who publishes it: ``"keras_applications"``, ``"keras_hub"`` or ``"kzoo"``.
        builder: ``builder(entry, request) -> keras.Model`` (see ``BuildRequest``).
        sources: where the weights can come from, tried in order (see ``kzoo.hub.record``).
        input_shape: the shape of one raw input example (``None`` for variable-length text).
        input_range: what raw input looks like, e.g. ``"RGB 0-255"`` or ``"strings"``.
        preprocessing: what the model does to raw input, inside the model. ``"tf"``, ``"torch"`` or
            ``"caffe"`` are ``keras.applications`` modes; ``"built-in"`` means the published
            network rescales by itself (so calling ``preprocess_input`` too would normalise twice);
            ``"rescale:SCALE,OFFSET"`` comes from a KerasHub/timm image converter; ``"tokenizer"``
            is a KerasHub text preprocessor.
        license: the licence of the weights.
        params: number of parameters, when known without building the model.
        num_classes: size of the published head (0 for encoders without one).
        labels: name of the published label set (``"imagenet"``), if any.
        description: one line for humans.
        files: the files a complete copy holds (for ``hf://`` and URL sources).
        sha256: expected checksums of those files, where known.

    Example:
        >>> import kzoo
        >>> entry = kzoo.info("glyphnet")
        >>> entry.modality, entry.family, entry.input_shape, entry.num_classes
        ('image', 'kzoo', (8, 8, 1), 52)
        >>> entry.as_row()["input"]
        '8x8x1'
    """

    cache_group: ClassVar[str] = "models"

    name: str
    modality: str
    family: str
    builder: Builder = dataclasses.field(repr=False)
    sources: tuple[str, ...]
    input_shape: tuple | None
    input_range: str
    preprocessing: str
    license: str
    params: int | None = None
    num_classes: int = 0
    labels: str | None = None
    description: str = ""
    files: tuple[str, ...] = ()
    sha256: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def as_dict(self) -> dict:
        """Every field as JSON-friendly values (``kzoo info``); the builder by its dotted name.

        Example:
            >>> import kzoo
            >>> kzoo.info("glyphnet").as_dict()["builder"]
            'kzoo.zoo.glyphnet.build'
        """
        fields = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        return {**fields, "builder": f"{self.builder.__module__}.{self.builder.__qualname__}",
                "sha256": dict(self.sha256)}

    def as_row(self) -> dict:
        """A flat dict for tables (``kzoo list``)."""
        return {
            "name": self.name,
            "modality": self.modality,
            "family": self.family,
            "params": self.params,
            "input": "x".join(str(d) for d in self.input_shape) if self.input_shape else self.input_range,
            "preprocessing": self.preprocessing,
            "license": self.license,
        }


@dataclasses.dataclass(frozen=True)
class _Family:
    rows: Callable[[], list[dict]]
    builder: Builder
    packages: tuple[str, ...]


_REGISTERED: dict[str, ZooEntry] = {}
_FAMILIES: dict[str, _Family] = {}
_ENUMERATED: dict[str, ZooEntry] = {}  # filled on first need, see _enumerated()
INDEX_FOLDER = "index"


def register(entry: ZooEntry) -> ZooEntry:
    """Add a model to the zoo (each family module calls this for the models it provides).

    Args:
        entry: the record to add; its name must be new and its builder callable.

    Returns:
        The entry.

    Raises:
        kzoo.InputError: the name is taken, the modality unknown or the builder not callable.

    Example:
        >>> import dataclasses, kzoo
        >>> mine = dataclasses.replace(kzoo.info("glyphnet"), name="my_glyphnet")
        >>> kzoo.zoo.catalog.register(mine).name
        'my_glyphnet'
        >>> kzoo.zoo.catalog.unregister("my_glyphnet")
    """
    _check_entry(entry)
    if entry.name in _REGISTERED:
        raise InputError(f"a zoo entry named {entry.name!r} exists already")
    _REGISTERED[entry.name] = entry
    return entry


def unregister(name: str) -> None:
    """Remove a model added with ``register`` (tests and notebooks that add their own).

    Example:
        >>> import kzoo
        >>> kzoo.zoo.catalog.unregister("no_such_model")
        Traceback (most recent call last):
        ...
        kzoo.errors.UnknownNameError: No registered model named 'no_such_model'.
    """
    if name not in _REGISTERED:
        raise UnknownNameError(f"No registered model named {name!r}.")
    del _REGISTERED[name]


def register_family(family: str, rows: Callable[[], list[dict]], builder: Builder,
                    packages: tuple[str, ...]) -> None:
    """Register a family whose entries are enumerated from installed libraries, lazily.

    Args:
        family: the family's key (also the index file's name).
        rows: returns the entries as JSON-friendly dicts of ``ZooEntry`` fields, without
            ``builder``; it may import heavy libraries (it runs only when needed).
        builder: the builder every entry of the family gets.
        packages: the distributions whose versions key the cached index (``"keras"``).

    Example:
        >>> import kzoo
        >>> kzoo.zoo.catalog.register_family("example_empty", lambda: [], lambda entry, request: None,
        ...                                  ("keras",))
    """
    if not callable(rows) or not callable(builder):
        raise InputError(f"family {family!r}: rows and builder must be callables.")
    _FAMILIES[family] = _Family(rows, builder, tuple(packages))
    _ENUMERATED.clear()


def _check_entry(entry: ZooEntry) -> None:
    if not isinstance(entry, ZooEntry):
        raise InputError(f"register takes a ZooEntry, got {type(entry).__name__}.")
    if entry.modality not in MODALITIES:
        raise InputError(f"modality must be one of {MODALITIES}, got {entry.modality!r}")
    if not callable(entry.builder):
        raise InputError(f"{entry.name!r}: builder must be a callable (entry, request) -> keras.Model.")


def _versions(packages: tuple[str, ...]) -> str | None:
    """``"keras-3.15.0"``-style key of the installed versions, or None when one is missing."""
    try:
        return "_".join(f"{p}-{importlib.metadata.version(p)}" for p in packages)
    except importlib.metadata.PackageNotFoundError:
        return None


def _family_rows(family: str, spec: _Family) -> list[dict]:
    """The family's rows from the JSON index, or enumerated (and indexed) when the index is stale."""
    versions = _versions(spec.packages)
    if versions is None:
        return []
    try:
        index = config.cache_dir() / INDEX_FOLDER / f"{family}_{versions}.json"
    except InputError:  # an unusable cache only costs every listing the import
        return spec.rows()
    try:
        rows = json.loads(index.read_text(encoding="utf-8"))
        if isinstance(rows, list) and all(isinstance(r, dict) and "name" in r for r in rows):
            return rows
    except (OSError, ValueError):
        pass
    rows = spec.rows()
    try:
        write_text_atomically(index, json.dumps(rows, indent=0))
    except OSError:
        pass
    return rows


def _from_row(row: dict, builder: Builder) -> ZooEntry:
    row = {**row, "sources": tuple(row["sources"]), "files": tuple(row.get("files", ())),
           "input_shape": tuple(row["input_shape"]) if row.get("input_shape") else None}
    return ZooEntry(builder=builder, **row)


def _enumerated() -> dict[str, ZooEntry]:
    if not _ENUMERATED:
        for family, spec in _FAMILIES.items():
            for row in _family_rows(family, spec):
                _ENUMERATED.setdefault(row["name"], _from_row(row, spec.builder))
    return _ENUMERATED


def all_entries() -> dict[str, ZooEntry]:
    """Every entry, by name (enumerates the library families: see the module docstring).

    Example:
        >>> import kzoo
        >>> "glyphnet" in kzoo.zoo.catalog.all_entries()
        True
    """
    return {**_enumerated(), **_REGISTERED}


def info(name: str) -> ZooEntry:
    """The catalog record of one model.

    Args:
        name: a zoo name, e.g. ``"efficientnet_lite0"`` (see ``kzoo.list_models()``).

    Returns:
        The ``ZooEntry`` with modality, sources, input spec, preprocessing, licence and size.

    Raises:
        kzoo.UnknownNameError: the name is not in the catalog; the message suggests close names.

    Example:
        >>> import kzoo
        >>> kzoo.info("efficientnet_lite0").input_shape
        (224, 224, 3)
    """
    if not isinstance(name, str) or not name.strip():
        raise UnknownNameError(f"a zoo name must be a non-empty string, got {name!r}")
    if name in _REGISTERED:  # kzoo's own names resolve without enumerating the libraries
        return _REGISTERED[name]
    entries = all_entries()
    if name in entries:
        return entries[name]
    raise UnknownNameError(
        f"No model named {name!r} in the kzoo zoo.{did_you_mean(name, entries)} "
        "Run `kzoo list` (or kzoo.list_models()) to see every name.")


def list_models(modality: str | None = None, offline_only: bool = False) -> list[ZooEntry]:
    """The catalog, optionally filtered.

    Args:
        modality: keep only ``"image"``, ``"text"`` or ``"audio"`` models.
        offline_only: keep only models whose weights are on this machine now (mirror, installed
            package, kzoo's package data or a standard cache), so ``kzoo.load`` needs no network.

    Returns:
        A list of ``ZooEntry``, sorted by name.

    Raises:
        kzoo.InputError: ``modality`` is not one of ``MODALITIES``.

    Example:
        >>> import kzoo
        >>> "glyphnet" in [e.name for e in kzoo.list_models(modality="image", offline_only=True)]
        True
    """
    check_modality(modality)
    if not isinstance(offline_only, bool):
        raise InputError(f"offline_only must be True or False, got {offline_only!r}.")
    entries = [e for e in all_entries().values() if modality in (None, e.modality)]
    if offline_only:
        from kzoo.hub import find_local

        entries = [e for e in entries if find_local(e) is not None]
    return sorted(entries, key=lambda e: e.name)
