"""kzoo's settings, read from the environment: the mirror, the cache, offline, fast and verbose mode.

Notebooks read fast mode here (``kzoo.config.fast_mode()``) and silence framework logs with
``kzoo.config.quiet()``; the library reads the rest.

Example:
    >>> import kzoo
    >>> isinstance(kzoo.config.fast_mode(), bool)
    True
"""
from __future__ import annotations

import contextlib
import importlib.abc
import importlib.resources
import importlib.util
import logging
import os
import sys
from pathlib import Path

from kzoo.errors import InputError

ASSETS_ENV = "KZOO_ASSETS"
CACHE_ENV = "KZOO_CACHE"
OFFLINE_ENV = "KZOO_OFFLINE"
FAST_ENV = "KZOO_FAST"
VERBOSE_ENV = "KZOO_VERBOSE"

# Framework chatter a kzoo user cannot act on: tf.function retracing when few-shot runs train many
# small models. (The text encoder's unused pooler is no longer trained, so its warning is not hidden.)
_QUIET_LOGGERS = ("tensorflow", "absl")


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

    Example:
        >>> import os
        >>> from unittest import mock
        >>> with mock.patch.dict(os.environ, {"KZOO_CACHE": "my_cache"}):
        ...     cache_dir()
        PosixPath('my_cache')
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
    """True when ``$KZOO_OFFLINE`` forbids network access.

    Example:
        >>> import os
        >>> from unittest import mock
        >>> with mock.patch.dict(os.environ, {"KZOO_OFFLINE": "yes"}):
        ...     offline()
        True
    """
    return _flag(OFFLINE_ENV)


def _flag(variable: str) -> bool:
    return os.environ.get(variable, "").strip().lower() in {"1", "true", "yes", "on"}


def fast_mode() -> bool:
    """True when ``$KZOO_FAST`` asks notebooks and demos for their small, quick variant.

    Example:
        >>> import os
        >>> from unittest import mock
        >>> with mock.patch.dict(os.environ, {"KZOO_FAST": "1"}):
        ...     fast_mode()
        True
    """
    return _flag(FAST_ENV)


def verbose() -> bool:
    """True when ``$KZOO_VERBOSE`` asks to see TensorFlow's and Keras' own logs and warnings.

    Example:
        >>> import os
        >>> from unittest import mock
        >>> with mock.patch.dict(os.environ, {"KZOO_VERBOSE": "0"}):
        ...     verbose()
        False
    """
    return _flag(VERBOSE_ENV)


def quiet() -> bool:
    """Silence TensorFlow/absl logging a user cannot act on, unless ``$KZOO_VERBOSE``.

    Best called before TensorFlow is imported (the ``kzoo`` command does): its C++ log level is read
    once, at import, and TensorFlow 2.19+ writes a few lines at import whatever the level says, so that
    one import runs with the process' stderr closed. Called later (a notebook's first cell, after
    ``import keras``) it still silences the Python-side logs, the ones a notebook shows.
    A ``TF_CPP_MIN_LOG_LEVEL`` you set yourself is kept.

    Returns:
        True when logs are now silenced, False when ``$KZOO_VERBOSE`` keeps them.

    Example:
        >>> import kzoo
        >>> kzoo.config.quiet() == (not kzoo.config.verbose())
        True
    """
    if verbose():
        return False
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    _quiet_loggers()
    if "tensorflow" not in sys.modules and not any(isinstance(f, _SilentImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _SilentImport())
    return True


def _quiet_loggers() -> None:
    tensorflow = sys.modules.get("tensorflow")
    if hasattr(tensorflow, "get_logger"):
        # TensorFlow sets up its logger on first use, at INFO in interactive shells: do it now, then lower it.
        tensorflow.get_logger()
    for name in _QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)


@contextlib.contextmanager
def _stderr_closed():
    """Point file descriptor 2 at /dev/null: C++ libraries write there, below Python's sys.stderr."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


class _SilentImport(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Runs the first ``import tensorflow`` with stderr closed, then steps out of the import system."""

    def find_spec(self, name, path=None, target=None):
        if name != "tensorflow":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is not None:
            self._loader, spec.loader = spec.loader, self
        return spec

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        with _stderr_closed():
            self._loader.exec_module(module)
        module.__spec__.loader = module.__loader__ = self._loader
        _quiet_loggers()


def data_dir() -> Path:
    """The package data kzoo ships (``kzoo/data/``: its own pre-trained glyphnet), in any install.

    Example:
        >>> sorted(p.name for p in (data_dir() / "glyphnet").iterdir())
        ['glyphnet.keras', 'metadata.json']
    """
    return Path(str(importlib.resources.files("kzoo") / "data"))
