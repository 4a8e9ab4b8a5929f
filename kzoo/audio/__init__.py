"""Audio: a log-mel front end as a Keras layer and the pre-trained musicnn music taggers.

Names are imported on first use, so ``import kzoo.audio.musicnn_zoo`` (which registers the taggers in
the zoo) does not import Keras.
"""
import importlib

_EXPORTS = {
    "convert_checkpoint": "kzoo.audio.convert", "load_tagger": "kzoo.audio.convert",
    "LogMelSpectrogram": "kzoo.audio.frontend", "mel_filterbank": "kzoo.audio.frontend",
    "N_SAMPLES": "kzoo.audio.musicnn", "TAG_NAMES": "kzoo.audio.musicnn", "VARIANTS": "kzoo.audio.musicnn",
    "ZOO_ENTRIES": "kzoo.audio.musicnn_zoo", "build_tagger": "kzoo.audio.musicnn",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)


def __dir__() -> list[str]:
    return __all__
