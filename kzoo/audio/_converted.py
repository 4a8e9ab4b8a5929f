"""Loading a network whose published weights kzoo converts once into a Keras weights file.

musicnn (TF1 checkpoints) and speech_embedding (ONNX files) load the same way: a cached conversion
if there is one; else the published files, found offline and converted once into the cache; or an
explicit ``.weights.h5`` file, or a folder of other files converted afresh in a temporary folder.
"""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Callable

from kzoo.errors import CorruptFileError, InputError, NotAvailableError


def load_weights(model, path: Path, origin: str):
    """``model`` with the Keras weights in ``path``; an unreadable file is a CorruptFileError naming it."""
    try:
        model.load_weights(path)
    except (OSError, ValueError, KeyError) as err:
        raise CorruptFileError(f"cannot load Keras weights from {path}: {err}. Delete the file and try "
                               f"again (it is re-created from {origin}).") from err
    return model


def load_converted(build: Callable, path: str | Path | None, *, cached: Path, find_source: Callable,
                   is_published: Callable[[Path], bool], convert: Callable[[Path, Path], Path], origin: str,
                   folder: str, not_found: str):
    """``build()`` with converted weights (see the module docstring for the order).

    ``find_source()`` returns the published files' folder or None; ``convert(folder, out)`` writes a
    ``.weights.h5`` file; ``origin`` and ``folder`` name the published files in messages, and
    ``not_found`` is the NotAvailableError's message when nothing is found.
    """
    if path is None:
        if cached.is_file():
            return load_weights(build(), cached, origin)
        source = find_source()
        if source is None:
            raise NotAvailableError(not_found)
    else:
        source = Path(path)
        if not source.exists():
            raise InputError(f"no such file or folder: {source}")
        if source.is_file():
            if not source.name.endswith(".weights.h5"):
                raise InputError(f"{source} is not a Keras .weights.h5 file; pass that or {folder}")
            return load_weights(build(), source, origin)
    if is_published(source):
        if not cached.is_file():
            convert(source, cached)
        return load_weights(build(), cached, origin)
    with tempfile.TemporaryDirectory() as tmp:
        return load_weights(build(), convert(source, Path(tmp) / cached.name), origin)
