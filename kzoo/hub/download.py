"""Fetch one file over HTTP(S) into the cache: progress bar, sha256 check, file lock, atomic rename.

Nothing partial is ever left at the destination: bytes stream into a temporary file next to it
(``kzoo._files.atomic_path``), are checked, and only then renamed into place. A ``filelock`` around
the whole step lets several processes ask for the same file at once; the first downloads it, the
others find it there. Temporary files left by a killed process are removed by the next download of
the same file. An HTML page (a login wall, an error page answered with status 200) is never kept as
a file that should be binary.
"""
from __future__ import annotations

import hashlib
import http.client
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import BinaryIO

import filelock
from tqdm import tqdm

from kzoo import config
from kzoo._files import atomic_path, remove_orphans
from kzoo.errors import ChecksumError, DownloadError, InputError, NotAvailableError

HF_ENDPOINT_ENV = "HF_ENDPOINT"
DEFAULT_HF_ENDPOINT = "https://huggingface.co"
_CHUNK = 1 << 20
_USER_AGENT = "kzoo (python urllib)"
_SHA256_RE = re.compile(r"[0-9a-f]{64}")
_HTML_SUFFIXES = (".html", ".htm")
_HTML_STARTS = (b"<!doctype html", b"<html", b"<head", b"<!--")


def file_sha256(path: str | Path) -> str:
    """The sha256 of a file's bytes, as lower-case hex.

    Args:
        path: a regular file.

    Returns:
        64 hex characters.

    Raises:
        kzoo.InputError: ``path`` is not a file.

    Example:
        >>> from kzoo.hub.download import file_sha256
        >>> len(file_sha256(__file__))
        64
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"Cannot hash {path}: it is not a file.")
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def hf_url(repo: str, filename: str, revision: str = "main") -> str:
    """The Hugging Face "resolve" URL of one file in a model repository.

    The host is ``$HF_ENDPOINT`` when set (as ``huggingface_hub`` does; tests point it at a
    loopback server), else ``https://huggingface.co``.

    Args:
        repo: the repository id, e.g. ``"timm/efficientnet_lite0.ra_in1k"``.
        filename: a file inside it, e.g. ``"model.safetensors"``.
        revision: a branch, tag or commit.

    Returns:
        ``{endpoint}/{repo}/resolve/{revision}/{filename}``.

    Raises:
        kzoo.InputError: an argument is empty or not a string, or the repo id is malformed.

    Example:
        >>> from kzoo.hub.download import hf_url
        >>> hf_url("timm/efficientnet_lite0.ra_in1k", "config.json")  # $HF_ENDPOINT or huggingface.co
        'http.../timm/efficientnet_lite0.ra_in1k/resolve/main/config.json'
    """
    for label, value in (("repo", repo), ("filename", filename), ("revision", revision)):
        if not isinstance(value, str) or not value.strip():
            raise InputError(f"hf_url needs a non-empty string {label}, got {value!r}.")
    if repo.startswith("/") or repo.endswith("/") or ".." in repo.split("/"):
        raise InputError(f"{repo!r} is not a Hugging Face repository id; use the form 'org/name'.")
    endpoint = (os.environ.get(HF_ENDPOINT_ENV) or DEFAULT_HF_ENDPOINT).rstrip("/")
    return (f"{endpoint}/{repo}/resolve/{urllib.parse.quote(revision, safe='')}/"
            f"{urllib.parse.quote(filename)}")


def download(url: str, dest: str | Path, *, sha256: str | None = None, progress: bool = True,
             timeout: float = 30.0, force: bool = False) -> Path:
    """Download ``url`` to ``dest``, verified and atomically, unless a good copy is there already.

    Args:
        url: an ``http://`` or ``https://`` URL.
        dest: the file to create; its folder is created when missing.
        sha256: the expected sha256 (hex) of the file, when known.
        progress: show a tqdm progress bar on stderr.
        timeout: seconds to wait for the server before giving up (per network operation).
        force: download again even when ``dest`` exists and matches; the old copy is kept until the
            new one is complete and verified.

    Returns:
        ``dest`` as a ``Path``.

    Raises:
        kzoo.InputError: ``url``, ``dest``, ``sha256`` or ``timeout`` is malformed.
        kzoo.NotAvailableError: the file is not there and ``KZOO_OFFLINE`` forbids the network.
        kzoo.ChecksumError: the downloaded bytes do not match ``sha256`` (nothing is kept).
        kzoo.DownloadError: HTTP error, connection failure, short read, or an HTML page where
            another kind of file was expected (nothing is kept).

    Example:
        >>> import functools, http.server, threading
        >>> from pathlib import Path
        >>> from kzoo.hub.download import download, file_sha256
        >>> Path("site").mkdir(); _ = Path("site/config.json").write_text('{"num_classes": 2}')
        >>> server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(
        ...     http.server.SimpleHTTPRequestHandler, directory="site"))  # a stand-in for the hub
        >>> threading.Thread(target=server.serve_forever, daemon=True).start()
        >>> url = f"http://127.0.0.1:{server.server_port}/config.json"
        >>> download(url, "lite0/config.json", sha256=file_sha256("site/config.json"), progress=False)
        PosixPath('lite0/config.json')
        >>> Path("lite0/config.json").read_text()
        '{"num_classes": 2}'
        >>> server.shutdown()
    """
    if not isinstance(url, str) or urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise InputError(f"download needs an http:// or https:// URL, got {url!r}.")
    if not isinstance(dest, (str, os.PathLike)):
        raise InputError(f"dest must be a file path, got {type(dest).__name__}.")
    dest = Path(dest).expanduser()
    if dest.is_dir():
        raise InputError(f"dest {dest} is a folder; pass the path of the file to create.")
    if sha256 is not None:
        if not isinstance(sha256, str) or not _SHA256_RE.fullmatch(sha256.strip().lower()):
            raise InputError(f"sha256 must be 64 hexadecimal characters, got {sha256!r}.")
        sha256 = sha256.strip().lower()
    if not isinstance(timeout, (int, float)) or timeout <= 0:
        raise InputError(f"timeout must be a positive number of seconds, got {timeout!r}.")

    config.make_cache_folder(dest.parent)
    with filelock.FileLock(f"{dest}.lock"):
        remove_orphans(dest)
        stale = ""
        if dest.is_file() and not force:
            if sha256 is None or file_sha256(dest) == sha256:
                return dest
            stale = f" ({dest} exists but does not match sha256 {sha256})"
        if config.offline():
            raise NotAvailableError(
                f"Not downloading {url}{stale}: {config.OFFLINE_ENV} is set, so kzoo does not use the "
                f"network. Unset {config.OFFLINE_ENV} to allow downloads, or set "
                f"{config.ASSETS_ENV}=/path/to/mirror to a local copy of the files.")
        _download_verified(url, dest, sha256, progress, timeout)
    return dest


def _download_verified(url: str, dest: Path, sha256: str | None, progress: bool,
                       timeout: float) -> None:
    with atomic_path(dest) as tmp, open(tmp, "wb") as out:
        actual = _stream(url, out, progress, timeout, dest.name,
                         allow_html=dest.suffix.lower() in _HTML_SUFFIXES)
        if sha256 is not None and actual != sha256:
            raise ChecksumError(
                f"Checksum mismatch for {url}: expected sha256 {sha256}, got {actual}. The download "
                "was discarded. Retry; if it happens again the file changed at its source or a proxy "
                "alters it, so get the file another way (a KZOO_ASSETS mirror).")


def _stream(url: str, out: BinaryIO, progress: bool, timeout: float, label: str, allow_html: bool) -> str:
    """Copy the response body into ``out``; return its sha256. Raises DownloadError on any failure."""
    digest = hashlib.sha256()
    received = 0
    expected = None
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length", "")
            expected = int(length) if length.isdigit() else None
            is_html = response.headers.get_content_type() == "text/html"
            with tqdm(total=expected, unit="B", unit_scale=True, unit_divisor=1024, desc=label,
                      file=sys.stderr, disable=not progress) as bar:
                while chunk := response.read(_CHUNK):
                    if received == 0 and not allow_html and (
                            is_html or chunk.lstrip()[:16].lower().startswith(_HTML_STARTS)):
                        raise DownloadError(
                            f"Download of {url} failed: the server answered with an HTML page (a login "
                            f"or error page?), not the file {label}. Nothing was saved; check the URL, "
                            "or get the file another way (a KZOO_ASSETS mirror).")
                    out.write(chunk)
                    digest.update(chunk)
                    received += len(chunk)
                    bar.update(len(chunk))
    except urllib.error.HTTPError as err:
        raise DownloadError(f"Download of {url} failed: HTTP {err.code} {err.reason}. "
                            "Nothing was saved.") from err
    except urllib.error.URLError as err:
        raise DownloadError(f"Download of {url} failed: cannot connect ({err.reason}). Nothing was "
                            "saved; check the network (or set KZOO_ASSETS to a local mirror).") from err
    except (http.client.HTTPException, OSError) as err:
        raise DownloadError(f"Download of {url} failed after {received} bytes: "
                            f"{type(err).__name__}: {err}. Nothing was saved; retry.") from err
    # http.client ends a body early without raising when the server hangs up, so count the bytes.
    if expected is not None and received < expected:
        raise DownloadError(f"Download of {url} failed: the connection closed after {received} of "
                            f"{expected} bytes. Nothing was saved; retry.")
    if received == 0:
        raise DownloadError(f"Download of {url} failed: the server sent an empty body. Nothing was "
                            "saved; retry.")
    return digest.hexdigest()
