"""kzoo's settings, read from the environment: the mirror, the cache, offline and fast mode.

Notebooks read fast mode here (``kzoo.config.fast_mode()``); the library reads the rest.

Example:
    >>> import kzoo
    >>> isinstance(kzoo.config.fast_mode(), bool)
    True
"""
from __future__ import annotations

import importlib.resources
import os
from pathlib import Path

from kzoo.errors import InputError

ASSETS_ENV = "KZOO_ASSETS"
CACHE_ENV = "KZOO_CACHE"
OFFLINE_ENV = "KZOO_OFFLINE"
FAST_ENV = "KZOO_FAST"


def assets_dir() -> Path | None:
    """The local mirror named by ``$KZOO_ASSETS``, or None when unset or missing.

    Raises:
        kzoo.InputError: ``$KZOO_ASSETS`` names a file, or a folder this user cannot read.

    Example:
        >>> assets_dir() is None or assets_dir().is_dir()
        True
    """
    value = os.environ.get(ASSETS_ENV)
    if not value:
        return None
    path = Path(value).expanduser()
    if path.exists() and not path.is_dir():
        raise InputError(f"{ASSETS_ENV}={value} is a file, not a folder. Point {ASSETS_ENV} at the "
                         f"mirror folder (it holds models/ and datasets/), or unset it.")
    if path.is_dir() and not os.access(path, os.R_OK | os.X_OK):
        raise InputError(f"{ASSETS_ENV}={value} cannot be read by this user. Make it readable "
                         f"(chmod -R a+rX {value}) or point {ASSETS_ENV} at a readable copy.")
    return path if path.is_dir() else None


def cache_dir() -> Path:
    """kzoo's own cache (``$KZOO_CACHE``, default ``~/.cache/kzoo``), created on first use.

    Raises:
        kzoo.InputError: the folder cannot be created or written (read-only, or a file is in the way).
    """
    path = Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "kzoo").expanduser()
    return make_cache_folder(path)


def make_cache_folder(path: Path) -> Path:
    """Create ``path`` (a folder inside kzoo's cache) and check it is writable, or say how to fix it.

    Raises:
        kzoo.InputError: naming ``$KZOO_CACHE`` and the fix, instead of a raw OS error.

    Example:
        >>> import kzoo
        >>> make_cache_folder(kzoo.config.cache_dir() / "models").name
        'models'
    """
    try:
        path.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as err:
        raise InputError(f"kzoo's cache cannot use {path}: a file is in the way ({err.strerror}). "
                         f"Remove that file, or set {CACHE_ENV} to another folder.") from err
    except PermissionError:
        pass  # reported below, with the fix
    if not os.access(path, os.W_OK | os.X_OK):
        raise InputError(f"kzoo's cache folder {path} cannot be written by this user. Set {CACHE_ENV} "
                         f"to a writable folder (e.g. export {CACHE_ENV}=~/.cache/kzoo), or fix its "
                         "permissions.")
    return path


def offline() -> bool:
    """True when ``$KZOO_OFFLINE`` forbids network access."""
    return os.environ.get(OFFLINE_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def fast_mode() -> bool:
    """True when ``$KZOO_FAST`` asks notebooks and demos for their small, quick variant."""
    return os.environ.get(FAST_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def data_dir() -> Path:
    """The package data kzoo ships (``kzoo/data/``: its own pre-trained glyphnet), in any install."""
    return Path(str(importlib.resources.files("kzoo") / "data"))
