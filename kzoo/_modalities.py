"""The kinds of input kzoo's models and data sets take: defined here once, imported everywhere."""
from __future__ import annotations

from kzoo.errors import InputError

MODALITIES = ("image", "text", "audio")


def check_modality(modality: str | None) -> str | None:
    """``modality`` if it is None or one of ``MODALITIES``, else an InputError listing them.

    Example:
        >>> check_modality("text")
        'text'
    """
    if modality is not None and modality not in MODALITIES:
        raise InputError(f"modality must be one of {MODALITIES} or None, got {modality!r}.")
    return modality
