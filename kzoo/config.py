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

ASSETS_ENV = "KZOO_ASSETS"
CACHE_ENV = "KZOO_CACHE"
OFFLINE_ENV = "KZOO_OFFLINE"
FAST_ENV = "KZOO_FAST"


def assets_dir() -> Path | None:
    """The local mirror named by ``$KZOO_ASSETS``, or None when unset or missing."""
    value = os.environ.get(ASSETS_ENV)
    if not value:
        return None
    path = Path(value).expanduser()
    return path if path.is_dir() else None


def cache_dir() -> Path:
    """kzoo's own cache (``$KZOO_CACHE``, default ``~/.cache/kzoo``), created on first use."""
    path = Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "kzoo").expanduser()
    path.mkdir(parents=True, exist_ok=True)
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
