"""musicnn's TensorFlow 1 checkpoints -> Keras ``.weights.h5``, converted once and cached.

The checkpoints name variables by TF1's creation order (``conv2d_3``, ``batch_normalization_7``, ...);
the tables below give the Keras layer that each scope belongs to. Keras variable names (``kernel``,
``bias``, ``gamma``, ``beta``, ``moving_mean``, ``moving_variance``) are TF1's too, so a weight's
checkpoint key is ``<scope>/<variable name>``.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import keras
import numpy as np

from kzoo import config
from kzoo._files import atomic_path
from kzoo.audio._converted import load_converted
from kzoo.audio.musicnn import CHECKPOINT_FILES, CHECKPOINT_SHA256, build_tagger, check_variant
from kzoo.errors import CorruptFileError, InputError
from kzoo.hub import find_local
from kzoo.zoo.catalog import info

_VGG_SCOPES = {
    "input_bn": "batch_normalization",
    **{f"conv{i}": f"{i}CNN" for i in range(1, 6)},
    **{f"bn{i}": f"batch_normalization_{i}" for i in range(1, 6)},
    "head": "dense",
}
_MUSICNN_SCOPES = {
    "input_bn": "batch_normalization",
    "timbral38_conv": "conv2d", "timbral38_bn": "batch_normalization_1",
    "timbral67_conv": "conv2d_1", "timbral67_bn": "batch_normalization_2",
    "temporal128_conv": "conv2d_2", "temporal128_bn": "batch_normalization_3",
    "temporal64_conv": "conv2d_3", "temporal64_bn": "batch_normalization_4",
    "temporal32_conv": "conv2d_4", "temporal32_bn": "batch_normalization_5",
    "midend1_conv": "conv2d_5", "midend1_bn": "batch_normalization_6",
    "midend2_conv": "conv2d_6", "midend2_bn": "batch_normalization_7",
    "midend3_conv": "conv2d_7", "midend3_bn": "batch_normalization_8",
    "pooled_bn": "batch_normalization_9",
    "penultimate": "dense", "penultimate_bn": "batch_normalization_10",
    "head": "dense_1",
}
# Adam's slots and step counters: training state, not part of the network.
_OPTIMIZER_MARKERS = ("/Adam", "beta1_power", "beta2_power")
_WEIGHTS_FILE = "model.weights.h5"


def _read_checkpoint(checkpoint_dir: Path) -> dict[str, np.ndarray]:
    """Every network variable of the TF1 checkpoint in ``checkpoint_dir`` (file prefix ``""``)."""
    import tensorflow as tf
    from tensorflow.python.training.py_checkpoint_reader import NewCheckpointReader

    index, data = (checkpoint_dir / f for f in CHECKPOINT_FILES)
    missing = [str(f) for f in (index, data) if not f.is_file()]
    if missing:
        raise InputError(f"{checkpoint_dir} is not a musicnn checkpoint folder: missing {missing}. "
                         "Pass the folder that holds .index and .data-00000-of-00001.")
    try:
        reader = NewCheckpointReader(f"{checkpoint_dir}{os.sep}")
    except (tf.errors.OpError, IndexError, ValueError) as e:
        raise CorruptFileError(f"cannot read the checkpoint index {index}: {e}. The file is "
                               "corrupt or truncated; reinstall or re-download it.") from e
    try:
        # Reading every tensor (optimizer slots too) checks the whole data file's checksums.
        values = {name: reader.get_tensor(name) for name in reader.get_variable_to_shape_map()}
    except (tf.errors.OpError, IndexError, ValueError) as e:
        raise CorruptFileError(f"cannot read the checkpoint data {data}: {e}. The file is corrupt "
                               "or truncated; reinstall or re-download it.") from e
    return {k: v for k, v in values.items() if not any(m in k for m in _OPTIMIZER_MARKERS)}


def _fit_shape(value: np.ndarray, shape: tuple, key: str, weight_path: str) -> np.ndarray:
    """``value`` reshaped to ``shape`` when only size-1 axes differ (a TF1 2-D conv that Keras runs
    as a 1-D conv); anything else is a mapping error."""
    if tuple(value.shape) == tuple(shape):
        return value
    if [d for d in value.shape if d != 1] == [d for d in shape if d != 1]:
        return value.reshape(shape)
    raise CorruptFileError(f"checkpoint variable {key!r} has shape {tuple(value.shape)} but Keras "
                           f"weight {weight_path!r} needs {tuple(shape)}")


def _assign_checkpoint(model: keras.Model, variant: str, values: dict[str, np.ndarray]) -> None:
    scopes = _MUSICNN_SCOPES if variant.startswith("musicnn") else _VGG_SCOPES
    unused = set(values)
    for layer in model.layers:
        if not layer.weights:
            continue
        if layer.name not in scopes:
            raise CorruptFileError(f"Keras layer {layer.name!r} of {variant} has no checkpoint scope")
        for weight in layer.weights:
            key = f"{scopes[layer.name]}/{weight.name}"
            if key not in values:
                raise CorruptFileError(f"the {variant} checkpoint has no variable {key!r} for Keras "
                                       f"weight {weight.path!r}")
            weight.assign(_fit_shape(values[key], weight.shape, key, weight.path))
            unused.discard(key)
    if unused:
        raise CorruptFileError(f"the {variant} checkpoint has variables no Keras layer takes: "
                               f"{sorted(unused)}; is it the checkpoint of another variant?")


def convert_checkpoint(variant: str, checkpoint_dir: str | Path, out: str | Path) -> Path:
    """Convert one musicnn TF1 checkpoint into a Keras weights file for ``build_tagger(variant)``.

    Every network variable must land on exactly one Keras weight of the right shape; the optimizer's
    slots are skipped. The file is written to a temporary name and renamed, so ``out`` is either
    complete or absent.

    Args:
        variant: one of ``kzoo.audio.VARIANTS``, e.g. ``"musicnn_mtt"``.
        checkpoint_dir: the folder holding ``.index`` and ``.data-00000-of-00001`` (the musicnn
            package's ``MTT_musicnn/`` and the like).
        out: where to write the weights; must end in ``.weights.h5``. Parent folders are created.

    Returns:
        ``out`` as a ``Path``.

    Raises:
        kzoo.UnknownNameError: ``variant`` is not a musicnn variant.
        kzoo.InputError: ``out`` does not end in ``.weights.h5``, or the folder lacks the files.
        kzoo.CorruptFileError: a checkpoint file is unreadable or truncated (the message names it), or
            a variable is missing, left over or mis-shaped (the message names the variable).

    Example:
        >>> import kzoo
        >>> checkpoint = kzoo.find_local("vgg_mtt")  # doctest: +ASSETS
        >>> convert_checkpoint("vgg_mtt", checkpoint, "vgg.weights.h5")  # doctest: +ASSETS
        PosixPath('vgg.weights.h5')
        >>> convert_checkpoint("vgg_mtt", "MTT_vgg", "vgg.h5")
        Traceback (most recent call last):
        ...
        kzoo.errors.InputError: out must be a Keras weights file ending in .weights.h5, got vgg.h5
    """
    check_variant(variant)
    out = Path(out)
    if not out.name.endswith(".weights.h5"):
        raise InputError(f"out must be a Keras weights file ending in .weights.h5, got {out}")
    model = build_tagger(variant)
    _assign_checkpoint(model, variant, _read_checkpoint(Path(checkpoint_dir)))
    with atomic_path(out, suffix=".weights.h5") as tmp:
        model.save_weights(tmp)
    return out


def _find_checkpoint(variant: str) -> Path | None:
    return find_local(info(variant))


def _is_published(variant: str, checkpoint_dir: Path) -> bool:
    """True when the folder holds the published checkpoint. Its ``.index`` stores a CRC of every
    tensor (checked on reading), so the index's sha256 identifies the whole checkpoint."""
    index = checkpoint_dir / CHECKPOINT_FILES[0]
    return index.is_file() and (hashlib.sha256(index.read_bytes()).hexdigest()
                                == CHECKPOINT_SHA256[variant][CHECKPOINT_FILES[0]])


def load_tagger(variant: str, path: str | Path | None = None) -> keras.Model:
    """A pre-trained musicnn tagger: ``build_tagger(variant)`` with the published weights.

    The checkpoint is found offline (``$KZOO_ASSETS/models/<variant>``, the installed ``musicnn``
    package, kzoo's cache) and converted ONCE into ``<kzoo cache>/models/<variant>/model.weights.h5``;
    later calls load that file.

    Args:
        variant: one of ``kzoo.audio.VARIANTS``: ``"musicnn_mtt"``, ``"musicnn_msd"``,
            ``"vgg_mtt"``, ``"vgg_msd"``.
        path: optional explicit source: a ``.weights.h5`` file made by ``convert_checkpoint``, or a
            checkpoint folder. A folder holding the published checkpoint shares the cached
            conversion; any other checkpoint is converted afresh in a temporary folder.

    Returns:
        The ``keras.Model`` (raw 16 kHz audio in, 50 tag logits out; ``keras.ops.sigmoid`` gives the
        tag probabilities the original reports).

    Raises:
        kzoo.UnknownNameError: ``variant`` is not a musicnn variant.
        kzoo.NotAvailableError: no checkpoint was found on this machine.
        kzoo.InputError: ``path`` does not exist or is not a checkpoint folder.
        kzoo.CorruptFileError: the checkpoint or the weights file is damaged (the message names it).

    Example:
        >>> import keras, numpy as np
        >>> tagger = load_tagger("musicnn_mtt")  # doctest: +ASSETS
        >>> probs = keras.ops.sigmoid(tagger(np.zeros((1, 47616), "float32")))  # doctest: +ASSETS
        >>> tuple(probs.shape)  # doctest: +ASSETS
        (1, 50)
    """
    check_variant(variant)
    cached = config.cache_dir() / "models" / variant / _WEIGHTS_FILE
    return load_converted(
        lambda: build_tagger(variant), path, cached=cached, find_source=lambda: _find_checkpoint(variant),
        is_published=lambda folder: _is_published(variant, folder),
        convert=lambda folder, out: convert_checkpoint(variant, folder, out), origin="the checkpoint",
        folder="a checkpoint folder",
        not_found=(f"no {variant} checkpoint on this machine (looked in $KZOO_ASSETS/models/{variant}, the "
                   f"musicnn package and kzoo's cache {cached.parent}). Install it with `pip install --no-deps "
                   f"musicnn`, set KZOO_ASSETS to a mirror that has it, or run `kzoo fetch {variant}` on a "
                   "machine with internet."))
