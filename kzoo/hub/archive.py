"""Safe extraction of zip and tar archives: nothing lands outside the target, nothing half-done.

Every member is checked before a byte is written: absolute paths, ``..`` components, links and
device files, encrypted or unsupported members, and names given twice (or as both a file and a
folder) are refused, and so is an archive that would unpack to more than ``MAX_TOTAL_BYTES`` or more
than ``MAX_RATIO`` times its own size (a decompression bomb). The limits are checked again while
writing, since an archive's own size fields can lie. Members are written into a temporary sibling
folder (``kzoo._files.atomic_path``) that is renamed onto the target only when everything is out, so
an interrupted or failed extraction leaves nothing.
"""
from __future__ import annotations

import contextlib
import dataclasses
import lzma
import os
import re
import stat
import tarfile
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import IO, Callable, Iterator

from kzoo._files import atomic_path
from kzoo.errors import CorruptFileError, InputError

_TAR_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz")
ARCHIVE_SUFFIXES = (".zip", *_TAR_SUFFIXES)
# What reading a damaged archive raises (gzip and bz2 report bad streams as OSError without errno).
_READ_ERRORS = (zipfile.BadZipFile, tarfile.TarError, EOFError, zlib.error, lzma.LZMAError, OSError)
MAX_TOTAL_BYTES = 20 << 30  # 20 GiB: far above any data set kzoo knows
MAX_RATIO = 200  # unpacked / packed size; real data (even text) stays far below, bombs go far above
_ZIP_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)


@dataclasses.dataclass(frozen=True)
class _Member:
    name: str
    is_dir: bool
    size: int
    open: Callable[[], IO[bytes]]


def archive_suffix(path: str | Path) -> str | None:
    """The archive suffix a file name ends with (``".zip"``, ``".tar.gz"``, ...), or None.

    Args:
        path: a file name or path; only the name is looked at.

    Returns:
        The lower-case suffix from ``ARCHIVE_SUFFIXES``, or None for other files.

    Example:
        >>> from kzoo.hub.archive import archive_suffix
        >>> archive_suffix("hymenoptera_data.ZIP"), archive_suffix("model.safetensors")
        ('.zip', None)
    """
    name = Path(path).name.lower()
    return next((s for s in sorted(ARCHIVE_SUFFIXES, key=len, reverse=True) if name.endswith(s)), None)


def extract(archive: str | Path, target: str | Path) -> Path:
    """Extract a zip or tar(.gz/.bz2/.xz) archive into ``target``, safely and atomically.

    Args:
        archive: the archive file. Its type comes from its suffix, or from its content when the
            suffix is not an archive suffix.
        target: the folder to create. It must not exist yet, or be empty.

    Returns:
        ``target`` as a ``Path``, holding the archive's files.

    Raises:
        kzoo.InputError: ``archive`` is missing or not an archive, ``target`` is not empty, a
            member is unsafe (absolute path, ``..``, link or device file), encrypted, compressed
            by an unsupported method or named twice, or the archive unpacks beyond the size or
            ratio limits; nothing is written.
        kzoo.CorruptFileError: the archive is truncated or damaged; nothing is left behind.

    Example:
        >>> import zipfile
        >>> from pathlib import Path
        >>> from kzoo.hub.archive import extract
        >>> with zipfile.ZipFile("hymenoptera_data.zip", "w") as z:
        ...     z.writestr("hymenoptera_data/train/ants/1.jpg", b"...")
        >>> extract("hymenoptera_data.zip", "data/hymenoptera")
        PosixPath('data/hymenoptera')
        >>> sorted(p.name for p in Path("data/hymenoptera").rglob("*"))
        ['1.jpg', 'ants', 'hymenoptera_data', 'train']
    """
    if not isinstance(archive, (str, os.PathLike)) or not Path(archive).is_file():
        raise InputError(f"Cannot extract {archive!r}: it is not a file.")
    if not isinstance(target, (str, os.PathLike)):
        raise InputError(f"target must be a folder path, got {type(target).__name__}.")
    archive, target = Path(archive), Path(target)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InputError(f"Cannot extract {archive} into {target}: it exists and is not an empty "
                         "folder. Remove it or choose another target.")
    kind = _kind(archive)
    budget = min(MAX_TOTAL_BYTES, MAX_RATIO * max(archive.stat().st_size, 1))
    with atomic_path(target) as tmp:
        tmp.mkdir()
        try:
            with _members(archive, kind) as members:
                safe = _checked(archive, members, budget)
                written = 0
                for rel, member in safe:
                    written += _write(tmp, rel, member, budget - written, archive)
        except _READ_ERRORS as err:
            if isinstance(err, OSError) and err.errno is not None:
                raise  # a file-system error (disk full, permissions), not a damaged archive
            raise CorruptFileError(f"{archive} is truncated or damaged and cannot be extracted "
                                   f"({type(err).__name__}: {err}). Delete it and download it "
                                   "again.") from err
    return target


def _kind(archive: Path) -> str:
    suffix = archive_suffix(archive)
    if suffix is not None:
        return "zip" if suffix == ".zip" else "tar"
    if zipfile.is_zipfile(archive):
        return "zip"
    if tarfile.is_tarfile(archive):
        return "tar"
    raise InputError(f"{archive} is not a zip or tar archive (suffixes understood: "
                     f"{', '.join(ARCHIVE_SUFFIXES)}).")


@contextlib.contextmanager
def _members(archive: Path, kind: str) -> Iterator[list[_Member]]:
    """Every member of the archive; links and device files are refused here."""
    if kind == "zip":
        with zipfile.ZipFile(archive) as zf:
            members = []
            for info in zf.infolist():
                # Unix file-type bits; zero when the zip was not made on Unix (or by writestr).
                file_type = stat.S_IFMT(info.external_attr >> 16)
                if file_type not in (0, stat.S_IFREG, stat.S_IFDIR):
                    _refuse_special(archive, info.filename)
                if info.flag_bits & 0x1:
                    raise InputError(f"{archive}: member {info.filename!r} is encrypted; kzoo does not "
                                     "extract password-protected archives, so nothing was extracted.")
                if info.compress_type not in _ZIP_METHODS:
                    raise InputError(f"{archive}: member {info.filename!r} uses zip compression method "
                                     f"{info.compress_type}, which Python cannot read (stored, deflate, "
                                     "bzip2 and lzma can); nothing was extracted. Re-pack the archive.")
                members.append(_Member(info.filename, info.is_dir(), info.file_size,
                                       lambda info=info: zf.open(info)))
            yield members
    else:
        with tarfile.open(archive, "r:*") as tf:
            members = []
            for info in tf.getmembers():
                if not (info.isfile() or info.isdir()):
                    _refuse_special(archive, info.name)
                members.append(_Member(info.name, info.isdir(), info.size,
                                       lambda info=info: tf.extractfile(info)))
            yield members


def _refuse_special(archive: Path, name: str) -> None:
    raise InputError(f"{archive}: member {name!r} is a link or a device file; kzoo extracts only "
                     "regular files and folders, so nothing was extracted.")


def _safe_path(name: str, archive: Path) -> PurePosixPath:
    clean = name.replace("\\", "/")
    rel = PurePosixPath(clean)
    if rel.is_absolute() or re.match(r"[A-Za-z]:", clean) or ".." in rel.parts:
        raise InputError(f"{archive}: member {name!r} would be written outside the target folder "
                         "(absolute path or '..'), so nothing was extracted. Do not use this archive.")
    return rel


def _checked(archive: Path, members: list[_Member], budget: int) -> list[tuple[PurePosixPath, _Member]]:
    """Every member's safe relative path, after refusing repeated names, clashes and bombs."""
    safe = [(_safe_path(m.name, archive), m) for m in members]
    kinds: dict[PurePosixPath, bool] = {}
    for rel, member in safe:
        if not rel.parts:
            continue
        if rel in kinds and not (member.is_dir and kinds[rel]):
            raise InputError(f"{archive}: member {member.name!r} appears more than once (or as both a "
                             "file and a folder), so which copy is meant is unclear; nothing was "
                             "extracted. Re-pack the archive without duplicates.")
        kinds[rel] = member.is_dir
    for rel, is_dir in kinds.items():
        for parent in rel.parents:
            if kinds.get(parent) is False:
                raise InputError(f"{archive}: {str(parent)!r} is a file and also a folder holding "
                                 f"{str(rel)!r}; nothing was extracted. Re-pack the archive.")
    total = sum(m.size for _, m in safe if not m.is_dir)
    if total > budget:
        _refuse_size(archive, total, budget)
    return safe


def _refuse_size(archive: Path, size: int, budget: int) -> None:
    raise InputError(f"{archive} would unpack to {size:,} bytes or more, over kzoo's limit of {budget:,} "
                     f"(at most {MAX_RATIO}x the archive's size and {MAX_TOTAL_BYTES >> 30} GiB in all): "
                     "it looks like a decompression bomb, so nothing was extracted. If the data is "
                     "genuine, unpack it yourself and point path= (or KZOO_ASSETS) at the folder.")


def _write(root: Path, rel: PurePosixPath, member: _Member, budget: int, archive: Path) -> int:
    """Write one member; returns its size. The budget is enforced on the bytes actually read."""
    path = root.joinpath(*rel.parts)
    if member.is_dir or not rel.parts:
        path.mkdir(parents=True, exist_ok=True)
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with member.open() as src, open(path, "wb") as dst:
        while chunk := src.read(1 << 20):
            written += len(chunk)
            if written > budget:
                _refuse_size(archive, written, budget)
            dst.write(chunk)
    return written
