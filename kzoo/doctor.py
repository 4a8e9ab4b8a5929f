"""``kzoo doctor``: what this machine offers kzoo, in one report."""
from __future__ import annotations

import os
from pathlib import Path

from kzoo import config
from kzoo.errors import InputError


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def report() -> str:
    """A plain-text report: versions, backend, devices, dtype policy, mirror, cache, offline models.

    Example:
        >>> import kzoo
        >>> print(kzoo.doctor.report())
        keras 3..., backend ...
        devices: ...
        zoo models available offline (...):
        ...glyphnet ...image...
    """
    import keras

    from kzoo.devices import accelerators, auto_dtype_policy
    from kzoo.models import list_models

    lines = [f"keras {keras.__version__}, backend {keras.backend.backend()}"]
    for module in ("tensorflow", "jax", "torch", "keras_hub"):
        try:
            lines.append(f"{module} {__import__(module).__version__}")
        except ImportError:
            lines.append(f"{module} not installed")
    devices = keras.distribution.list_devices()
    lines.append(f"devices: {', '.join(devices)}")
    lines.append(f"accelerators: {', '.join(accelerators()) or 'none (CPU only)'}; "
                 f"automatic dtype policy: {auto_dtype_policy()}")
    raw = os.environ.get(config.ASSETS_ENV)
    try:
        assets = config.assets_dir()
        lines.append(f"KZOO_ASSETS: {assets if assets else (f'{raw} (not a folder)' if raw else 'not set')}")
    except InputError as err:
        lines.append(f"KZOO_ASSETS: unusable: {err}")
    try:
        cache = config.cache_dir()
        lines.append(f"cache: {cache} ({_size(cache) / 1e6:.1f} MB)")
    except InputError as err:
        lines.append(f"cache: unusable: {err}")
    lines.append(f"offline mode (KZOO_OFFLINE): {'on' if config.offline() else 'off'}")
    try:
        available = list_models(offline_only=True)
    except InputError as err:  # a mirror that cannot be read: report it, do not crash the report
        lines.append(f"zoo models available offline: cannot tell: {err}")
        return "\n".join(lines)
    lines.append(f"zoo models available offline ({len(available)}):")
    lines += [f"  {e.name:28s} {e.modality:6s} {e.description[:60]}" for e in available]
    return "\n".join(lines)
