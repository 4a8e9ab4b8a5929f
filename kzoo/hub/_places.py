"""Where a record's files may already be on this machine: one generator per kind of place.

Each yields ``(where, candidate)`` pairs; a None candidate was ruled out, and ``where`` says why
(those lines make up the "looked at" list of a not-available error).
"""
from __future__ import annotations

import importlib.util
import os
import re
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Callable, Iterator

from kzoo import config

_KERAS_DEFAULTS = ["0", "1", "224"]  # alpha 1.0 and 224 px, as number tokens in a file name
Places = Iterator[tuple[str, "Path | None"]]


def file_url_path(url: str) -> Path:
    """The local path of a ``file://`` URL."""
    return Path(urllib.request.url2pathname(urllib.parse.urlsplit(url).path))


def _path_place(rest: str) -> Places:
    yield "path source", Path(rest).expanduser()


def _file_place(url: str) -> Places:
    yield "file:// source", file_url_path(url)


def assets_place(rest: str) -> Places:
    """The ``$KZOO_ASSETS`` mirror's folder ``rest``."""
    root = config.assets_dir()
    if root is None:
        yield f"${config.ASSETS_ENV}/{rest}: ${config.ASSETS_ENV} is not set to a folder", None
    else:
        yield f"${config.ASSETS_ENV} mirror", root / rest


def _package_place(rest: str) -> Places:
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


def _data_place(rest: str) -> Places:
    yield "kzoo's package data (kzoo/data/)", config.data_dir() / rest


def _hf_place(repo: str) -> Places:
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


def _kaggle_place(handle: str) -> Places:
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


def _keras_place(builder: str) -> Places:
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


# Local sources, in resolution order; then the caches that network sources fill.
SOURCE_PLACES: dict[str, Callable[[str], Places]] = {
    "path": _path_place, "file": _file_place, "assets": assets_place, "package": _package_place,
    "data": _data_place,
}
CACHE_PLACES: dict[str, Callable[[str], Places]] = {
    "hf": _hf_place, "kaggle": _kaggle_place, "keras-app": _keras_place,
}


