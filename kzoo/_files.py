"""Writing files and folders so that a reader never sees a half-written one.

``atomic_path(target)`` is the one way kzoo writes anything that another run may read later
(downloads, extracted archives, converted weights, saved models, feature caches): the writer fills
a temporary path beside ``target``, which is renamed onto it only when the writer succeeded.
"""
from __future__ import annotations

import contextlib
import glob
import os
import shutil
import uuid
from pathlib import Path
from typing import Iterator

TEMP_SUFFIX = ".part"  # every temporary path kzoo writes ends so; a later run may clean orphans


def temp_name(target: Path, suffix: str = "") -> Path:
    """A fresh hidden name beside ``target`` (``.<name>.<random>.part<suffix>``), not created."""
    return target.with_name(f".{target.name}.{uuid.uuid4().hex[:12]}{TEMP_SUFFIX}{suffix}")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _make_readable(path: Path) -> None:
    """Give ``path`` the permissions an ordinary ``open()``/``mkdir()`` would (0644/0755 under umask 022).

    ``tempfile.mkstemp``/``mkdtemp`` make private 0600/0700 entries; a cache copied into a shared
    ``KZOO_ASSETS`` mirror must be readable by others.
    """
    mask = _umask()
    if path.is_dir():
        for root, dirs, files in os.walk(path):
            os.chmod(root, 0o777 & ~mask)
            for name in files:
                os.chmod(os.path.join(root, name), 0o666 & ~mask)
    else:
        os.chmod(path, 0o666 & ~mask)


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it onto ``target`` when the block succeeds.

    The caller creates a file or a folder at the yielded path. On success it gets ordinary
    permissions (files 0644, folders 0755, under the usual umask) and replaces ``target`` (an
    existing folder is replaced as a whole); on any failure, Ctrl-C included, it is removed and
    ``target`` is left as it was. ``suffix`` ends the temporary name, for writers that insist on
    one (Keras' ``save`` wants ``.keras``, ``save_weights`` wants ``.weights.h5``).

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> target = Path(tempfile.mkdtemp()) / "hello.txt"
        >>> with atomic_path(target) as tmp:
        ...     _ = tmp.write_text("hi")
        >>> target.read_text(), oct(target.stat().st_mode & 0o777) in ("0o644", "0o664")
        ('hi', True)
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_name(target, suffix)
    try:
        yield tmp
        if not tmp.exists():
            raise FileNotFoundError(f"the writer for {target} created nothing at {tmp}")
        _make_readable(tmp)
        _replace(tmp, target)
    except BaseException:
        remove(tmp)
        raise


def _replace(tmp: Path, target: Path) -> None:
    if tmp.is_dir() and target.is_dir():
        old = temp_name(target)
        os.replace(target, old)  # a folder cannot be renamed onto a non-empty one
        os.replace(tmp, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, target)


def remove_orphans(target: Path) -> None:
    """Delete temporary files or folders a killed writer of ``target`` left beside it.

    Call it only while holding the lock that serialises writers of ``target``: a live writer's
    temporary path looks the same.
    """
    for orphan in target.parent.glob(f".{glob.escape(target.name)}.*{TEMP_SUFFIX}*"):
        remove(orphan)


def remove(path: Path) -> None:
    """Delete a file or a folder tree if it exists (no error when it does not)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def write_text_atomically(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` through ``atomic_path``: complete or untouched.

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> path = Path(tempfile.mkdtemp()) / "notes.md"
        >>> write_text_atomically(path, "# hi")
        >>> path.read_text()
        '# hi'
    """
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
