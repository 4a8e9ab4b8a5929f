"""Length-bucketed batches for KerasHub text classifiers: tokenize once, pad each batch to its bucket.

A KerasHub text task pads every sentence to the preprocessor's ``sequence_length`` (128 for kzoo's
text models). SST-2 phrases average about 10 tokens, so most of each batch would be padding, and a
transformer's cost grows with the padded length. Here the texts are tokenized once, each sentence is
put in the smallest bucket that holds it, and each batch is cut to its bucket's width.

The buckets are 16, 32, 64, ... tokens, doubling up to the sequence length (16/32/64/128 for 128):
doubling wastes at most half of a batch on padding, and keeps the compiled shapes to a handful
(one or two batch sizes per bucket), which matters on JAX, where every new shape is compiled anew.
Padded positions are masked in attention and in mean pooling, so a sentence gets the same outputs in
any bucket. Training batches come from one bucket each, in a new random order every epoch; prediction
walks the buckets in order and puts the outputs back in input order.
"""
from __future__ import annotations

import dataclasses
import warnings

import keras
import numpy as np

from kzoo._data import is_dataset
from kzoo.errors import InputError

SMALLEST_BUCKET = 16
_TOKENIZE_CHUNK = 2048  # strings tokenized per preprocessor call: bounds the full-width arrays in memory


@dataclasses.dataclass
class TokenizedText:
    """Texts tokenized once: the model's input arrays (cut to the widest bucket used), lengths, labels."""

    inputs: dict[str, np.ndarray]
    lengths: np.ndarray
    labels: np.ndarray | None
    buckets: tuple[int, ...]

    def __len__(self) -> int:
        return len(self.lengths)


def buckets_for(sequence_length: int) -> tuple[int, ...]:
    """16, 32, 64, ... below ``sequence_length``, then ``sequence_length`` itself.

    Example:
        >>> buckets_for(128), buckets_for(100), buckets_for(8)
        ((16, 32, 64, 128), (16, 32, 64, 100), (8,))
    """
    widths, width = [], SMALLEST_BUCKET
    while width < sequence_length:
        widths.append(width)
        width *= 2
    return (*widths, sequence_length)


def text_preprocessor(model):
    """The model's KerasHub text preprocessor when its outputs can be bucketed (they carry a padding mask), else None."""
    preprocessor = getattr(model, "preprocessor", None)
    if preprocessor is None or getattr(preprocessor, "tokenizer", None) is None:
        return None
    inputs = model.input
    if not isinstance(inputs, dict) or "padding_mask" not in inputs:
        return None
    return preprocessor


def applies(model, data) -> bool:
    """True when ``data`` for ``model`` goes through bucketed batches: already tokenized, or array
    input (texts, or ``(texts, labels)``) for a KerasHub text classifier. A ``tf.data`` pipeline keeps
    the preprocessor mapped over its own batches."""
    if isinstance(data, TokenizedText):
        return True
    return data is not None and not is_dataset(data) and text_preprocessor(model) is not None


def check_texts(texts, what: str = "x") -> np.ndarray:
    """``texts`` as a 1-D object array of non-empty ``str``, or a kzoo error naming the first bad one.

    Example:
        >>> check_texts(["a fine film", "dull"]).tolist()
        ['a fine film', 'dull']
        >>> check_texts(["a fine film", None])
        Traceback (most recent call last):
        kzoo.errors.InputError: x[1] is None (NoneType), not a str; 1 of 2 examples are not texts. ...
    """
    if isinstance(texts, (str, bytes)):
        raise InputError(f"{what} is a single text; pass a list of texts, e.g. [{texts[:40]!r}].")
    try:
        array = np.asarray(texts, dtype=object)
    except ValueError as err:
        raise InputError(f"{what} must be a list or 1-D array of texts, one per example ({err}).") from err
    if array.ndim != 1:
        raise InputError(f"{what} must be a list or 1-D array of texts, one per example; got shape {array.shape}.")
    if not len(array):
        raise InputError(f"{what} is empty: there are no texts.")
    not_text = [i for i, text in enumerate(array) if not isinstance(text, str)]
    if not_text:
        first = array[not_text[0]]
        raise InputError(
            f"{what}[{not_text[0]}] is {first!r} ({type(first).__name__}), not a str; {len(not_text)} of "
            f"{len(array)} examples are not texts. Drop missing ones (None, NaN), convert numbers with "
            "str(x) and decode bytes with .decode('utf-8').")
    empty = [i for i, text in enumerate(array) if not text.strip()]
    if empty:
        raise InputError(
            f"{what}[{empty[0]}] is empty or only whitespace ({len(empty)} of {len(array)} texts are): the "
            "model would see nothing but its [CLS] and [SEP] tokens. Drop those examples.")
    return array


def tokenize(model, data) -> TokenizedText:
    """Tokenize ``texts`` or ``(texts, labels)`` once with the model's preprocessor; a
    ``TokenizedText`` is returned as it is.

    Texts longer than the preprocessor's ``sequence_length`` (special tokens included) are cut to it,
    with a warning that says how many and how to keep more.
    """
    if isinstance(data, TokenizedText):
        return data
    texts, labels = data if isinstance(data, tuple) else (data, None)
    texts = check_texts(texts)
    if labels is not None and len(labels) != len(texts):
        raise InputError(f"x has {len(texts)} texts but y has {len(labels)} labels; they must match.")
    preprocessor = text_preprocessor(model)
    buckets = buckets_for(int(preprocessor.sequence_length))
    chunks = []
    for start in range(0, len(texts), _TOKENIZE_CHUNK):
        x = preprocessor(texts[start:start + _TOKENIZE_CHUNK].tolist())
        chunks.append({k: keras.ops.convert_to_numpy(v) for k, v in x.items()})
    lengths = np.concatenate([c["padding_mask"].sum(axis=1) for c in chunks]).astype("int64")
    full = int(np.sum(lengths >= buckets[-1]))
    if full:
        warnings.warn(f"{full} of {len(texts)} texts fill the model's sequence length of {buckets[-1]} tokens; "
                      "longer ones are cut to it. Load the model with a larger sequence_length (e.g. "
                      f"kzoo.load(name, ..., sequence_length={2 * buckets[-1]})) to keep more of them.",
                      stacklevel=3)
    width = _bucket_width(buckets, lengths.max(initial=1))
    inputs = {k: np.concatenate([c[k][:, :width] for c in chunks]) for k in chunks[0]}
    return TokenizedText(inputs, lengths, None if labels is None else np.asarray(labels), buckets)


def _bucket_width(buckets, length) -> int:
    return buckets[min(int(np.searchsorted(buckets, length)), len(buckets) - 1)]


def batch_plan(tokens: TokenizedText, batch_size: int, rng: np.random.Generator | None = None):
    """``(width, example indices)`` per batch, each batch from one bucket. With ``rng`` the examples
    are shuffled within their bucket and the batches across buckets; without it the order is
    bucket by bucket, input order within each.

    Example:
        >>> t = TokenizedText({}, np.array([3, 40, 5, 20, 2]), None, (16, 32, 64))
        >>> [(w, i.tolist()) for w, i in batch_plan(t, 2)]
        [(16, [0, 2]), (16, [4]), (32, [3]), (64, [1])]
    """
    which = np.minimum(np.searchsorted(tokens.buckets, tokens.lengths), len(tokens.buckets) - 1)
    plan = []
    for bucket in np.unique(which):
        members = np.flatnonzero(which == bucket)
        if rng is not None:
            rng.shuffle(members)
        plan.extend((tokens.buckets[bucket], members[start:start + batch_size])
                    for start in range(0, len(members), batch_size))
    if rng is not None:
        plan = [plan[i] for i in rng.permutation(len(plan))]
    return plan


def dataset(tokens: TokenizedText, batch_size: int, *, shuffle: bool = False, seed: int = 0):
    """A ``tf.data.Dataset`` of bucketed batches (``x`` dicts, or ``(x, y)`` when there are labels);
    with ``shuffle`` every pass over it (every epoch) draws a new order."""
    import tensorflow as tf

    rng = np.random.default_rng(seed) if shuffle else None
    n_batches = len(batch_plan(tokens, batch_size))

    def batches():
        for width, members in batch_plan(tokens, batch_size, rng):
            x = {k: v[members, :width] for k, v in tokens.inputs.items()}
            yield x if tokens.labels is None else (x, tokens.labels[members])

    x_spec = {k: tf.TensorSpec((None, None), tf.as_dtype(v.dtype)) for k, v in tokens.inputs.items()}
    spec = x_spec if tokens.labels is None else (
        x_spec, tf.TensorSpec((None,), tf.as_dtype(tokens.labels.dtype)))
    ds = tf.data.Dataset.from_generator(batches, output_signature=spec)
    return ds.apply(tf.data.experimental.assert_cardinality(n_batches)).prefetch(2)


def token_model(model) -> keras.Model:
    """A plain functional model on the same layers as ``model`` that takes token arrays: training it
    trains ``model``; KerasHub's ``fit``/``predict`` would tokenize the batches again."""
    return keras.Model(model.input, model.output, name=f"{model.name}_tokens")


def run_in_order(model: keras.Model, tokens: TokenizedText, batch_size: int) -> np.ndarray:
    """``model`` (taking token arrays) over bucketed batches, outputs back in input order."""
    plan = batch_plan(tokens, batch_size)
    # Through one tf.data pipeline of unknown width: TensorFlow traces the step once for all buckets.
    outputs = model.predict(dataset(dataclasses.replace(tokens, labels=None), batch_size), verbose=0)
    result = np.empty_like(outputs)
    result[np.concatenate([members for _, members in plan])] = outputs
    return result


def predict(model, data, batch_size: int) -> np.ndarray:
    """``model``'s outputs for texts (or ``TokenizedText``), computed in bucketed batches, in input order."""
    return run_in_order(token_model(model), tokenize(model, data), batch_size)
