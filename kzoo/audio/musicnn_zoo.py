"""The musicnn taggers as a zoo family: their four entries and the builder the zoo calls.

Importing this module registers ``musicnn_mtt``, ``musicnn_msd``, ``vgg_mtt`` and ``vgg_msd``
(``ZOO_ENTRIES``); Keras is imported only to build one. The architecture is ``kzoo.audio.musicnn``,
the pre-trained weights come from ``kzoo.audio.convert``.
"""
from __future__ import annotations

from kzoo.audio.musicnn import (CHECKPOINT_FILES, CHECKPOINT_SHA256, N_SAMPLES, TAG_NAMES, UPSTREAM_DIRS, VARIANTS,
                                build_tagger)
from kzoo.zoo.catalog import BuildRequest, ZooEntry, register

_UPSTREAM_URL = "https://raw.githubusercontent.com/jordipons/musicnn/master/musicnn"
_PARAMS = {"musicnn_mtt": 792_079, "musicnn_msd": 792_079, "vgg_mtt": 607_030, "vgg_msd": 607_030}


def build(entry: ZooEntry, request: BuildRequest):
    """A tagger with its published weights (or random ones), its head swapped when asked.

    Example:
        >>> import kzoo
        >>> kzoo.info("vgg_mtt").builder is build
        True
    """
    from kzoo.audio.convert import load_tagger
    from kzoo.zoo._assemble import check_shape, with_head

    check_shape(entry, request.input_shape)
    published = (build_tagger(entry.name) if request.weights is None
                 else load_tagger(entry.name, request.location))
    return with_head(published, request.class_names, request.dropout)


def _zoo_entry(variant: str) -> ZooEntry:
    network, labels = variant.split("_")
    folder = UPSTREAM_DIRS[variant]
    sha = CHECKPOINT_SHA256[variant]
    return ZooEntry(
        name=variant,
        modality="audio",
        family="kzoo",
        builder=build,
        sources=(f"assets:models/{variant}", f"package:musicnn/{folder}",
                 *(f"{_UPSTREAM_URL}/{folder}/{f}#sha256={sha[f]}" for f in CHECKPOINT_FILES)),
        input_shape=(N_SAMPLES,),
        input_range="16 kHz mono waveform, float -1..1",
        preprocessing="log-mel (in the model)",
        license="ISC",
        params=_PARAMS[variant],
        num_classes=len(TAG_NAMES[variant]),
        labels=labels,
        description=(f"musicnn {network} music tagger (Pons & Serra 2019), 50 "
                     f"{'MagnaTagATune' if labels == 'mtt' else 'Million Song Dataset'} tags, "
                     "3 s patches; TF1 checkpoint converted to Keras"),
        files=CHECKPOINT_FILES,
        sha256=dict(sha),
    )


ZOO_ENTRIES: tuple[ZooEntry, ...] = tuple(register(_zoo_entry(v)) for v in VARIANTS)
