"""Feature extraction: run the frozen body once, keep its outputs, train heads on them.

When the body is frozen, every epoch of ordinary training runs the same inputs through the same
body and gets the same features. Computing them once and training the head on the stored features
gives the same result for a fraction of the cost (the Keras transfer-learning guide calls this
"feature extraction"; data augmentation is the one thing it rules out).
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import keras
import numpy as np

from kzoo import _text_batches, config
from kzoo._checks import whole_number
from kzoo._files import atomic_path
from kzoo._data import batches, check_inputs, is_dataset
from kzoo._graph import output_chain
from kzoo.errors import InputError
from kzoo.heads import find_head

# Layers between the features and the head that act only while training; they belong to the head
# block (so a head trained on cached features still gets their regularisation).
_STOCHASTIC = (keras.layers.Dropout, keras.layers.GaussianNoise, keras.layers.GaussianDropout,
               keras.layers.AlphaDropout)


def split_model(model: keras.Model) -> tuple[keras.Model, keras.Model]:
    """Split a classifier into (feature extractor, head block) at the input of its head block.

    The head block is the head plus any dropout-like layers right before it. Both parts share their
    layers with ``model``: training the head block trains ``model``'s head.

    Args:
        model: a classifier whose head ``kzoo.find_head`` recognises.

    Returns:
        ``(extractor, head_block)`` with ``head_block(extractor(x))`` equal to ``model(x)``.

    Example:
        >>> import numpy as np, kzoo
        >>> model = kzoo.load("glyphnet", num_classes=10)
        >>> body, head = kzoo.split_model(model)
        >>> body.output_shape, head.output_shape
        ((None, 128), (None, 10))
        >>> x = np.zeros((2, 8, 8, 1), "float32")
        >>> np.allclose(head.predict(body.predict(x, verbose=0), verbose=0), model.predict(x, verbose=0))
        True
    """
    head = find_head(model)
    chain, reached_head = [], False
    for layer, inputs in output_chain(model):  # output back to the head, on through dropout-like layers
        if reached_head and not isinstance(layer, _STOCHASTIC):
            break
        chain.append(layer)
        tensor = inputs[0]
        reached_head = reached_head or layer is head
    extractor = keras.Model(model.inputs, tensor, name=f"{model.name}_features")
    features_in = keras.Input(tuple(tensor.shape[1:]), dtype=tensor.dtype, name="features")
    x = features_in
    for layer in reversed(chain):
        x = layer(x)
    return extractor, keras.Model(features_in, x, name=f"{model.name}_head")


def _extractor_for(model):
    try:
        return split_model(model)[0]
    except InputError:
        return model  # a backbone without a head: its output is the feature


def _fingerprint(extractor, x) -> str:
    digest = hashlib.sha256()
    for weight in extractor.weights:
        digest.update(np.ascontiguousarray(keras.ops.convert_to_numpy(weight)).tobytes())
    digest.update(np.ascontiguousarray(x).tobytes() if x.dtype != object else repr(x.tolist()).encode())
    return digest.hexdigest()[:24]


def extract_features(model: keras.Model, data, *, batch_size: int = 64, cache: bool = False):
    """Run the body of ``model`` (everything before the head block) over ``data`` once.

    Args:
        model: a classifier (its body is used) or any model whose output is the feature you want.
            A KerasHub task's preprocessor is applied first (text is tokenised, for example); texts
            given as arrays are tokenized once and run sorted by length, each batch padded only to
            its longest (``kzoo._text_batches``).
        data: ``x`` (array or list), ``(x, y)``, or a batched ``tf.data.Dataset`` of ``x`` or ``(x, y)``.
        batch_size: batch size for array input.
        cache: store the features on disk (in ``$KZOO_CACHE/features``) under a fingerprint of the
            body's weights and the input arrays, and reuse them next time. Array input only.

    Returns:
        A float32 array of features, or ``(features, labels)`` when the data carries labels.

    Example:
        >>> import numpy as np, kzoo
        >>> model = kzoo.load("glyphnet", num_classes=10)
        >>> kzoo.extract_features(model, np.zeros((4, 8, 8, 1))).shape
        (4, 128)
        >>> feats, labels = kzoo.extract_features(model, (np.zeros((4, 8, 8, 1)), np.arange(4)), cache=True)
        >>> feats.shape, labels
        ((4, 128), array([0, 1, 2, 3]))
    """
    batch_size = whole_number("batch_size", batch_size)
    check_inputs(model, data)
    extractor = _extractor_for(model)
    preprocessor = getattr(model, "preprocessor", None)
    path = None
    if cache:
        if is_dataset(data):
            raise InputError("cache=True needs array input (x or (x, y)); a tf.data pipeline cannot be "
                             "fingerprinted. Cache the arrays yourself or pass cache=False.")
        x = _fingerprint_input(data)
        path = config.cache_dir() / "features" / f"{extractor.name}-{_fingerprint(extractor, x)}.npz"
        if path.exists():
            stored = np.load(path, allow_pickle=False)
            return (stored["features"], stored["labels"]) if "labels" in stored else stored["features"]
    if _text_batches.applies(model, data):
        features, labels = _text_features(model, extractor, data, batch_size)
    else:
        features, labels = _batched_features(extractor, data, batch_size, preprocessor)
    result = features if labels is None else (features, _plain(labels))
    if path is not None:
        _save_npz(path, features=features, **({} if labels is None else {"labels": result[1]}))
    return result


def _text_features(model, extractor, data, batch_size):
    tokens = _text_batches.tokenize(model, data)
    return _text_batches.run_in_order(extractor, tokens, batch_size).astype("float32"), tokens.labels


def _batched_features(extractor, data, batch_size, preprocessor):
    feats, labels = [], []
    for batch in batches(data, batch_size=batch_size, preprocessor=preprocessor):
        x, y = batch if isinstance(batch, tuple) else (batch, None)
        feats.append(np.asarray(extractor.predict_on_batch(x), dtype="float32"))
        if y is not None:
            labels.append(np.asarray(y))
    if not feats:
        raise InputError("data is empty: there is nothing to extract features from.")
    return np.concatenate(feats), np.concatenate(labels) if labels else None


def _fingerprint_input(data) -> np.ndarray:
    if isinstance(data, _text_batches.TokenizedText):
        return data.inputs["token_ids"]
    return np.asarray(data[0] if isinstance(data, tuple) else data)


def _plain(labels: np.ndarray) -> np.ndarray:
    """Labels as an array numpy stores without pickling: strings (objects or bytes) become unicode."""
    if labels.dtype == object or labels.dtype.kind == "S":
        return np.array([v.decode() if isinstance(v, bytes) else str(v) for v in labels.tolist()])
    return labels


def _save_npz(path: Path, **arrays) -> None:
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        np.savez(f, allow_pickle=False, **arrays)
