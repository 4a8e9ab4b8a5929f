"""Audio: a log-mel front end as a Keras layer, the pre-trained musicnn music taggers, Google's
speech_embedding keyword-spotting encoder, a few-shot keyword spotter built on it, and speed
perturbation (clips played faster or slower; predictions averaged over speeds).

Names are imported on first use, so ``import kzoo.audio.musicnn_zoo`` and
``import kzoo.audio.speech_embedding_zoo`` (which register the models in the zoo) do not import Keras.
"""
import importlib

_EXPORTS = {
    "convert_checkpoint": "kzoo.audio.convert", "load_tagger": "kzoo.audio.convert",
    "LogMelSpectrogram": "kzoo.audio.frontend", "mel_filterbank": "kzoo.audio.frontend",
    "N_SAMPLES": "kzoo.audio.musicnn", "TAG_NAMES": "kzoo.audio.musicnn", "VARIANTS": "kzoo.audio.musicnn",
    "ZOO_ENTRIES": "kzoo.audio.musicnn_zoo", "build_tagger": "kzoo.audio.musicnn",
    "convert_onnx": "kzoo.audio.speech_convert", "load_embedding_net": "kzoo.audio.speech_convert",
    "load_speech_embedding": "kzoo.audio.speech_convert", "SpeechLogMel": "kzoo.audio.speech_embedding",
    "build_classifier": "kzoo.audio.speech_embedding", "build_embedding_net": "kzoo.audio.speech_embedding",
    "dft_kernels": "kzoo.audio.speech_embedding", "Detection": "kzoo.audio.spotter",
    "KeywordSpotter": "kzoo.audio.spotter", "keyword_spotter": "kzoo.audio.spotter",
    "SPEEDS": "kzoo.audio.speed", "change_speed": "kzoo.audio.speed", "predict_speeds": "kzoo.audio.speed",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)


def __dir__() -> list[str]:
    return __all__
