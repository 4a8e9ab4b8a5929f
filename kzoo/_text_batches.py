"""Length-sorted text batches for KerasHub text classifiers: tokenize once, pad each batch to its longest.

A KerasHub text task pads every sentence to the preprocessor's ``sequence_length`` (128 for kzoo's
text models). SST-2 phrases average about 14 tokens, so most of each batch would be padding, and a
transformer's cost grows with the padded length. Here the texts are tokenized once, sorted by length
and cut into batches, so each batch holds sentences of about the same length and is padded only to its
own longest.

On TensorFlow that is the whole story: the training step is traced once for batches of any width. On
the other backends every new shape is compiled anew, so a batch's width is rounded up to a bucket:
8, 16, 24, 32, 48, 64, 96, 128, ... tokens (powers of two and 1.5 times them, up to the sequence
length), a handful of shapes. With batches of 32, the 60,614 SST-2 training phrases (mean 13.3 tokens
with [CLS] and [SEP]) pad to 13.9 tokens a sentence on average, 17.7 in buckets; a random 512 of them
(mean 13.8) to 15.6, 19.0 in buckets.

Training batches are drawn anew every epoch the way fastai's ``SortishSampler`` and Hugging Face's
``group_by_length`` do it: a fresh random order, sorted by length within groups of 50 batches (ties
stay in random order), and the batches shuffled. Every batch is full but the very last one.
Padded positions are masked in attention and in mean pooling, so a sentence gets the same outputs in
any batch. Prediction sorts all the texts and puts the outputs back in input order.
"""
from __future__ import annotations

import dataclasses
import warnings
import weakref

import keras
import numpy as np

from kzoo._data import is_dataset
from kzoo.errors import InputError

SMALLEST_BUCKET = 8
SORTED_GROUP = 50  # batches sorted together: similar lengths, yet a new mix every epoch
_TOKEN_MODELS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
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
    """8, 16, 24, 32, 48, 64, 96, ... below ``sequence_length``, then ``sequence_length`` itself.

    Example:
        >>> buckets_for(128), buckets_for(100), buckets_for(8)
        ((8, 16, 24, 32, 48, 64, 96, 128), (8, 16, 24, 32, 48, 64, 96, 100), (8,))
    """
    widths, width = [SMALLEST_BUCKET], 2 * SMALLEST_BUCKET
    while width < sequence_length:
        widths.extend(w for w in (width, width * 3 // 2) if w < sequence_length)
        width *= 2
    return (*[w for w in widths if w < sequence_length], sequence_length)


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


def batch_plan(tokens: TokenizedText, batch_size: int, rng: np.random.Generator | None = None, *,
               to_bucket: bool = False):
    """``(width, example indices)`` per batch: the examples sorted by length and cut into batches, each
    as wide as its longest example (rounded up to its bucket with ``to_bucket``). Without ``rng``
    everything is sorted (ties in input order) and the batches come shortest first. With ``rng`` the
    examples are drawn in a random order and sorted within groups of ``SORTED_GROUP`` batches, and
    the batches are shuffled; only the last batch may be short either way.

    Example:
        >>> t = TokenizedText({}, np.array([3, 40, 5, 20, 2]), None, (16, 32, 64))
        >>> [(w, i.tolist()) for w, i in batch_plan(t, 2)]
        [(3, [4, 0]), (20, [2, 3]), (40, [1])]
        >>> [w for w, _ in batch_plan(t, 2, to_bucket=True)]
        [16, 32, 64]
    """
    n = len(tokens.lengths)
    order = np.arange(n) if rng is None else rng.permutation(n)
    group = n if rng is None else SORTED_GROUP * batch_size
    order = np.concatenate([chunk[np.argsort(tokens.lengths[chunk], kind="stable")]
                            for chunk in np.split(order, range(group, n, group))])
    plan = []
    for start in range(0, n, batch_size):
        members = order[start:start + batch_size]
        longest = int(tokens.lengths[members].max())
        plan.append((_bucket_width(tokens.buckets, longest) if to_bucket else longest, members))
    if rng is not None:
        plan = [plan[i] for i in rng.permutation(len(plan))]
    return plan


def _batch(tokens: TokenizedText, width: int, members: np.ndarray):
    x = {k: v[members, :width] for k, v in tokens.inputs.items()}
    return x if tokens.labels is None else (x, tokens.labels[members])


class _BucketBatches(keras.utils.PyDataset):
    """The batches as numpy, cut to bucket widths (few shapes to compile), a new plan every epoch with
    ``rng``: JAX and PyTorch need no TensorFlow."""

    def __init__(self, tokens: TokenizedText, batch_size: int, rng: np.random.Generator | None):
        super().__init__()
        self.tokens, self.batch_size, self.rng = tokens, batch_size, rng
        self.plan = batch_plan(tokens, batch_size, rng, to_bucket=True)

    def __len__(self):
        return len(self.plan)

    def __getitem__(self, index):
        return _batch(self.tokens, *self.plan[index])

    def on_epoch_end(self):
        if self.rng is not None:
            self.plan = batch_plan(self.tokens, self.batch_size, self.rng, to_bucket=True)


def dataset(tokens: TokenizedText, batch_size: int, *, shuffle: bool = False, seed: int = 0):
    """Length-sorted batches (``x`` dicts, or ``(x, y)`` when there are labels) for ``fit``/``predict``: a
    ``tf.data.Dataset`` on the TensorFlow backend, numpy batches (a ``PyDataset``) elsewhere; with
    ``shuffle`` every pass over them (every epoch) draws a new order."""
    rng = np.random.default_rng(seed) if shuffle else None
    if keras.backend.backend() != "tensorflow":
        return _BucketBatches(tokens, batch_size, rng)
    import tensorflow as tf

    n_batches = -(-len(tokens) // batch_size)

    def batches():
        for width, members in batch_plan(tokens, batch_size, rng):
            yield _batch(tokens, width, members)

    x_spec = {k: tf.TensorSpec((None, None), tf.as_dtype(v.dtype)) for k, v in tokens.inputs.items()}
    spec = x_spec if tokens.labels is None else (
        x_spec, tf.TensorSpec((None,), tf.as_dtype(tokens.labels.dtype)))
    ds = tf.data.Dataset.from_generator(batches, output_signature=spec)
    return ds.apply(tf.data.experimental.assert_cardinality(n_batches)).prefetch(2)


def token_model(model) -> keras.Model:
    """A plain functional model on the same layers as ``model`` that takes token arrays: training it
    trains ``model``; KerasHub's ``fit``/``predict`` would tokenize the batches again. One per model,
    kept while the model lives, so repeated predictions reuse its traced/compiled predict step."""
    if model not in _TOKEN_MODELS:
        _TOKEN_MODELS[model] = keras.Model(model.input, model.output, name=f"{model.name}_tokens")
    return _TOKEN_MODELS[model]


def run_in_order(model: keras.Model, tokens: TokenizedText, batch_size: int) -> np.ndarray:
    """``model`` (taking token arrays) over length-sorted batches, outputs back in input order."""
    plan = batch_plan(tokens, batch_size)
    # On TensorFlow through one tf.data pipeline of unknown width: the step is traced once for all widths.
    outputs = model.predict(dataset(dataclasses.replace(tokens, labels=None), batch_size), verbose=0)
    result = np.empty_like(outputs)
    result[np.concatenate([members for _, members in plan])] = outputs
    return result


def predict(model, data, batch_size: int) -> np.ndarray:
    """``model``'s outputs for texts (or ``TokenizedText``), computed in length-sorted batches, in input order."""
    return run_in_order(token_model(model), tokenize(model, data), batch_size)
