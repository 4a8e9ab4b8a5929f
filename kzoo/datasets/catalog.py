"""The data-set catalog: one frozen ``DatasetEntry`` per data set kzoo can load.

A data set comes from the first of these that works:

1. its files: an explicit ``path``, the ``$KZOO_ASSETS`` mirror, kzoo's cache, or the canonical
   download (checked against its pinned sha256 when one is published) — its ``sources``, resolved
   by ``kzoo.hub`` and read by the entry's ``loader``;
2. data that ships with an installed package or is generated (``digits``, ``glyphs``): ``loader``
   alone, no files;
3. TensorFlow Datasets (``tfds_name``): passed through ``tfds.load``, alone or as the fallback when
   the files are nowhere (``sst2``).
"""
from __future__ import annotations

import dataclasses
from typing import Callable, ClassVar, Mapping

from kzoo._modalities import check_modality
from kzoo.datasets import audio, images, text
from kzoo.datasets.glyphs import LETTERS
from kzoo.errors import UnknownNameError, did_you_mean


@dataclasses.dataclass(frozen=True)
class DatasetEntry:
    """What kzoo knows about one data set (a ``kzoo.hub.Record``).

    Attributes:
        name: kzoo's name (``kzoo.datasets.load(name)``).
        modality: ``"image"``, ``"audio"`` or ``"text"``.
        class_names: label ``i`` is ``class_names[i]``.
        splits: the split names ``load`` accepts (TensorFlow Datasets entries also take tfds's
            slicing syntax, e.g. ``"train[:80%]"``).
        description: one paragraph for humans, including which split to report results on.
        license: the data's licence.
        citation: whom to cite.
        homepage: where the data set is described (empty for kzoo's generated set).
        loader: reads one split from files or generates it (``None`` for tfds-only entries).
        sources: where the files come from, in order (``kzoo.hub.record``): the ``assets:`` folder
            under ``$KZOO_ASSETS`` that holds a copy, then the canonical download (an archive,
            ``#sha256=`` pinned when a checksum is published; never guessed). Empty for data
            that is generated or comes from tfds only.
        files: single files a complete copy holds (none: data sets come as one archive).
        sha256: checksums of ``files``.
        tfds_name: the TensorFlow Datasets name, for tfds entries or as the fallback source.
        tfds_keys: the (input, label) feature names in the tfds examples.
        tfds_splits: kzoo split -> tfds split, where they differ.
        image_size: the default (height, width) images are resized to; ``None`` keeps the native size.
        sample_rate: the native sample rate of the audio files (Hz).
        duration: the default clip length in seconds audio is padded or cropped to.

    Example:
        >>> from kzoo import datasets
        >>> entry = datasets.info("spoken_digits")
        >>> entry.modality, entry.splits, entry.sample_rate
        ('audio', ('train', 'test'), 8000)
        >>> entry.as_row()["classes"]
        10
    """

    name: str
    modality: str
    class_names: tuple[str, ...]
    splits: tuple[str, ...]
    description: str
    license: str
    citation: str
    homepage: str
    cache_group: ClassVar[str] = "datasets"

    loader: Callable | None = None
    sources: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    sha256: Mapping[str, str] = dataclasses.field(default_factory=dict)
    tfds_name: str | None = None
    tfds_keys: tuple[str, str] | None = None
    tfds_splits: Mapping[str, str] = dataclasses.field(default_factory=dict)
    image_size: tuple[int, int] | None = None
    sample_rate: int | None = None
    duration: float | None = None

    def as_row(self) -> dict:
        """A flat dict for tables."""
        return {
            "name": self.name,
            "modality": self.modality,
            "classes": len(self.class_names),
            "splits": ", ".join(self.splits),
            "source": (self.sources[0] if self.sources else self.tfds_name) or "generated / bundled",
            "license": self.license,
        }


_IMAGENET_CITATION = (
    "Deng, J., Dong, W., Socher, R., Li, L.-J., Li, K. and Fei-Fei, L. (2009). ImageNet: a "
    "large-scale hierarchical image database. CVPR.")

_ENTRIES = (
    DatasetEntry(
        name="ants_bees",
        modality="image",
        class_names=("ants", "bees"),
        splits=("train", "val"),
        description=(
            "Photos of ants and bees (the 'hymenoptera' set of the PyTorch transfer-learning "
            "tutorial, a small ImageNet subset): 245 train (124 ants, 121 bees) and 153 val (70, 83). "
            "Files are decoded by content (one is a .jpeg; one train 'ant' is a GIF placeholder "
            "saying the image could not be found, kept as in the original). Report accuracy on 'val'."),
        license="ImageNet terms of access (non-commercial research and education); Flickr photos",
        citation=("Chilamkurthy, S. (2017). Transfer learning for computer vision tutorial. PyTorch "
                  "tutorials. Images from: " + _IMAGENET_CITATION),
        homepage="https://pytorch.org/tutorials/beginner/transfer_learning_tutorial.html",
        loader=images.load_image_folder,
        # No checksum of this archive is published anywhere kzoo could find; kzoo's cache records
        # the size and sha256 of what it downloaded and checks them on every reuse.
        sources=("assets:datasets/hymenoptera", "https://download.pytorch.org/tutorial/hymenoptera_data.zip"),
        image_size=(224, 224),
    ),
    DatasetEntry(
        name="spoken_digits",
        modality="audio",
        class_names=tuple(str(d) for d in range(10)),
        splits=("train", "test"),
        description=(
            "Free Spoken Digit Dataset: English digits 0-9 spoken by several speakers, 8 kHz mono "
            "wav files named {digit}_{speaker}_{index}.wav, 50 per digit and speaker. "
            "split_by='standard' (default) holds out indices 0-4 of each digit and speaker as "
            "'test'; split_by='speaker' holds out whole speakers (test_speakers=...), to measure "
            "generalisation to unseen voices. The local mirror has 4 speakers (george, jackson, "
            "lucas, yweweler: 2,000 clips, 200 standard test clips); the v1.0.9 archive (the "
            "version tfds pins) has 5 speakers, 2,500 clips."),
        license="CC BY-SA 4.0",
        citation=("Jackson, Z. (2016). Free Spoken Digit Dataset. "
                  "https://github.com/Jakobovski/free-spoken-digit-dataset"),
        homepage="https://github.com/Jakobovski/free-spoken-digit-dataset",
        loader=audio.load_fsdd,
        # The checksum tensorflow_datasets records for this archive (spoken_digit/checksums.tsv).
        sources=("assets:datasets/fsdd",
                 "https://github.com/Jakobovski/free-spoken-digit-dataset/archive/v1.0.9.tar.gz"
                 "#sha256=8bc44cde129d505cbbb6b365c09f80c663f2aa77578afc634e6141a2f87100c0"),
        sample_rate=8000,
        duration=1.0,
    ),
    DatasetEntry(
        name="sst2",
        modality="text",
        class_names=("negative", "positive"),
        splits=("train", "dev", "test"),
        description=(
            "Stanford Sentiment Treebank, binary (GLUE SST-2): movie-review sentences and phrases "
            "labelled negative/positive. 'test' is GLUE's labelled dev set of 872 sentences (GLUE's "
            "own test labels are hidden): report accuracy on it, as papers do. 'train' (60,614) "
            "and 'dev' (6,735) split GLUE's train set, so tune on 'dev'. Without the local files, "
            "tfds 'glue/sst2' is used: 'test' is the same 872 sentences, 'train'/'dev' are the "
            "first 90% / last 10% of GLUE's train set (same sizes, not the same members)."),
        license="GLUE / SST terms (research use); see the GLUE website",
        citation=("Socher, R. et al. (2013). Recursive deep models for semantic compositionality "
                  "over a sentiment treebank. EMNLP. Wang, A. et al. (2019). GLUE: a multi-task "
                  "benchmark and analysis platform for natural language understanding. ICLR."),
        homepage="https://gluebenchmark.com/tasks",
        loader=text.load_tsv,
        sources=("assets:datasets/sst2",),
        tfds_name="glue/sst2",
        tfds_keys=("sentence", "label"),
        tfds_splits={"train": "train[:90%]", "dev": "train[90%:]", "test": "validation"},
    ),
    DatasetEntry(
        name="digits",
        modality="image",
        class_names=tuple(str(d) for d in range(10)),
        splits=("train", "test"),
        description=(
            "scikit-learn's bundled handwritten digits: 1,797 images of 8x8 grey levels 0..16 (each "
            "counts the 'on' pixels of a 4x4 block of a 32x32 bitmap), shaped (8, 8, 1). A fixed "
            "stratified split (seed 0) puts 20% in 'test' (360) and the rest in 'train' (1,437)."),
        license="CC BY 4.0 (UCI Machine Learning Repository)",
        citation=("Alpaydin, E. and Kaynak, C. (1998). Optical Recognition of Handwritten Digits. "
                  "UCI Machine Learning Repository. https://doi.org/10.24432/C50P49"),
        homepage="https://scikit-learn.org/stable/datasets/toy_dataset.html#digits-dataset",
        loader=images.load_digits,
    ),
    DatasetEntry(
        name="glyphs",
        modality="image",
        class_names=tuple(LETTERS),
        splits=("train", "test"),
        description=(
            "kzoo's generated letters (A-Z, a-z: 52 classes) in the digits' 8x8 0..16 format, for "
            "pre-training before fine-tuning on 'digits'. n_per_class=... sets the size (default "
            "100); 'train' and 'test' are drawn with different generator seeds."),
        license="Apache-2.0 (generated from matplotlib's bundled fonts)",
        citation="kzoo (kzoo.datasets.glyphs.make_glyphs)",
        homepage="",
        loader=images.load_glyphs,
    ),
    DatasetEntry(
        name="tf_flowers",
        modality="image",
        class_names=("dandelion", "daisy", "tulips", "sunflowers", "roses"),
        splits=("train",),
        description="3,670 flower photos in 5 classes; tfds has one split (slice it: 'train[:80%]').",
        license="CC BY 2.0 (Flickr photos)",
        citation=("The TensorFlow Team (2019). Flowers. "
                  "http://download.tensorflow.org/example_images/flower_photos.tgz"),
        homepage="https://www.tensorflow.org/datasets/catalog/tf_flowers",
        tfds_name="tf_flowers",
        tfds_keys=("image", "label"),
        image_size=(224, 224),
    ),
    DatasetEntry(
        name="cats_vs_dogs",
        modality="image",
        class_names=("cat", "dog"),
        splits=("train",),
        description="23,262 photos of cats and dogs (Asirra); one split, slice it for validation.",
        license="see the tfds catalog page (homepage)",
        citation=("Elson, J., Douceur, J., Howell, J. and Saul, J. (2007). Asirra: a CAPTCHA that "
                  "exploits interest-aligned manual image categorization. ACM CCS."),
        homepage="https://www.tensorflow.org/datasets/catalog/cats_vs_dogs",
        tfds_name="cats_vs_dogs",
        tfds_keys=("image", "label"),
        image_size=(224, 224),
    ),
    DatasetEntry(
        name="beans",
        modality="image",
        class_names=("angular_leaf_spot", "bean_rust", "healthy"),
        splits=("train", "validation", "test"),
        description="Bean-leaf photos (500x500) in 3 classes: two diseases and healthy.",
        license="see the tfds catalog page (homepage)",
        citation="Makerere AI Lab (2020). Bean disease dataset. https://github.com/AI-Lab-Makerere/ibean/",
        homepage="https://www.tensorflow.org/datasets/catalog/beans",
        tfds_name="beans",
        tfds_keys=("image", "label"),
        image_size=(224, 224),
    ),
    DatasetEntry(
        name="imdb_reviews",
        modality="text",
        class_names=("neg", "pos"),
        splits=("train", "test"),
        description="50,000 IMDB movie reviews (25k train, 25k test), binary sentiment.",
        license="see the tfds catalog page (homepage)",
        citation=("Maas, A. et al. (2011). Learning word vectors for sentiment analysis. ACL."),
        homepage="https://www.tensorflow.org/datasets/catalog/imdb_reviews",
        tfds_name="imdb_reviews",
        tfds_keys=("text", "label"),
    ),
    DatasetEntry(
        name="speech_commands",
        modality="audio",
        class_names=("down", "go", "left", "no", "off", "on", "right", "stop", "up", "yes",
                     "_silence_", "_unknown_"),
        splits=("train", "validation", "test"),
        description="One-second spoken keywords at 16 kHz: 10 words, silence and unknown (12 classes).",
        license="CC BY 4.0",
        citation=("Warden, P. (2018). Speech Commands: a dataset for limited-vocabulary speech "
                  "recognition. arXiv:1804.03209."),
        homepage="https://www.tensorflow.org/datasets/catalog/speech_commands",
        tfds_name="speech_commands",
        tfds_keys=("audio", "label"),
        sample_rate=16000,
        duration=1.0,
    ),
)
_CATALOG = {entry.name: entry for entry in _ENTRIES}


def info(name: str) -> DatasetEntry:
    """The catalog record of one data set.

    Args:
        name: a data-set name, e.g. ``"ants_bees"`` (see ``list_datasets()``).

    Returns:
        The ``DatasetEntry``: modality, class names, splits, sources, licence, citation, loader.

    Raises:
        kzoo.UnknownNameError: the name is not in the catalog; the message suggests close names.

    Example:
        >>> from kzoo import datasets
        >>> datasets.info("ants_bees").class_names
        ('ants', 'bees')
    """
    if not isinstance(name, str) or not name:
        raise UnknownNameError(f"a data-set name must be a non-empty string, got {name!r}")
    if name in _CATALOG:
        return _CATALOG[name]
    raise UnknownNameError(
        f"No data set named {name!r} in kzoo.{did_you_mean(name, _CATALOG, cutoff=0.5)} Run kzoo.datasets.list_datasets() to see every name.")


def list_datasets(modality: str | None = None) -> list[DatasetEntry]:
    """Every data set in the catalog, optionally of one modality.

    Args:
        modality: keep only ``"image"``, ``"audio"`` or ``"text"`` data sets.

    Returns:
        A list of ``DatasetEntry``, sorted by name.

    Raises:
        kzoo.InputError: ``modality`` is not one of the three.

    Example:
        >>> from kzoo import datasets
        >>> [e.name for e in datasets.list_datasets("audio")]
        ['speech_commands', 'spoken_digits']
    """
    check_modality(modality)
    return sorted((e for e in _ENTRIES if modality in (None, e.modality)), key=lambda e: e.name)
