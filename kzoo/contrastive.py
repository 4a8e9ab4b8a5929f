"""SetFit-style fine-tuning: a sentence encoder trained on pairs, then a linear head on its embeddings.

SetFit (Tunstall et al., 2022, *Efficient few-shot learning without prompts*) turns a handful of
labelled sentences into many training examples: pairs of sentences of the same class (target
similarity 1) and of different classes (target 0). The encoder is trained so that the cosine
similarity of the two mean-pooled embeddings approaches the target (the CosineSimilarity loss of
Sentence-BERT); the classes then lie apart in the embedding space, and a logistic-regression head
fitted on the new embeddings separates them. With 8 labels per class, 16 sentences give hundreds of
pairs, which is why it works where ordinary fine-tuning has too little to learn from.
"""
from __future__ import annotations

import keras
import numpy as np

from kzoo._checks import positive_number, whole_number
from kzoo._text_batches import check_texts, text_preprocessor, tokenize
from kzoo.errors import InputError
from kzoo.features import split_model
from kzoo.freeze import unfreeze
from kzoo.heads import find_head
from kzoo.probe import fit_head


def sentence_pairs(labels, pairs_per_sentence: int = 10, *, max_pairs: int | None = None,
                   seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs of example indices with target similarity 1 (same label) or 0 (different labels).

    Every example anchors ``pairs_per_sentence`` pairs with a random other example of its class and as
    many with a random example of another class (SetFit's pair generation), so there are
    ``2 * len(labels) * pairs_per_sentence`` pairs, half of each kind, in random order.

    Args:
        labels: 1-D integer labels; at least two classes, each with at least two examples.
        pairs_per_sentence: positive (and as many negative) pairs each example anchors, >= 1.
        max_pairs: keep only the first ``max_pairs`` of the shuffled pairs (a training budget that
            does not grow with the number of labels), or None for all.
        seed: seed of the random choice.

    Returns:
        ``(first, second, target)``: index arrays into ``labels`` and float32 targets (1.0 or 0.0).

    Raises:
        kzoo.InputError: fewer than two classes, a class with a single example, or a bad count.

    Example:
        >>> first, second, target = sentence_pairs([0, 0, 1, 1], pairs_per_sentence=1)
        >>> len(target), int(target.sum())
        (8, 4)
        >>> bool(np.all((np.array([0, 0, 1, 1])[first] == np.array([0, 0, 1, 1])[second]) == (target == 1)))
        True
    """
    labels = np.asarray(labels)
    pairs_per_sentence = whole_number("pairs_per_sentence", pairs_per_sentence)
    max_pairs = None if max_pairs is None else whole_number("max_pairs", max_pairs, low=2)
    classes, counts = np.unique(labels, return_counts=True) if labels.ndim == 1 else ([], [])
    if len(classes) < 2 or min(counts) < 2:
        raise InputError(f"contrastive pairs need at least two classes with at least two examples each; "
                         f"got classes {list(classes)} with counts {list(counts)}. Label more examples.")
    rng = np.random.default_rng(seed)
    members = {c: np.flatnonzero(labels == c) for c in classes}
    others = {c: np.flatnonzero(labels != c) for c in classes}
    first, second, target = [], [], []
    for i, label in enumerate(labels):
        same = members[label][members[label] != i]
        first += [i] * 2 * pairs_per_sentence
        second += [*rng.choice(same, pairs_per_sentence), *rng.choice(others[label], pairs_per_sentence)]
        target += [1.0] * pairs_per_sentence + [0.0] * pairs_per_sentence
    order = rng.permutation(len(target))[:max_pairs]
    return np.asarray(first)[order], np.asarray(second)[order], np.asarray(target, "float32")[order]


def _pair_model(extractor: keras.Model, names: list[str]) -> keras.Model:
    """Two sentences in, the cosine similarity of their embeddings out (the encoder's weights shared)."""
    inputs = {f"{side}_{name}": keras.Input((None,), dtype=tensor.dtype, name=f"{side}_{name}")
              for side in "ab" for name, tensor in zip(names, extractor.inputs)}
    a, b = ({name: inputs[f"{side}_{name}"] for name in names} for side in "ab")
    u, v = (keras.ops.normalize(extractor(side), axis=-1) for side in (a, b))
    return keras.Model(inputs, keras.ops.sum(u * v, axis=-1), name="sentence_pairs")


def contrastive_fine_tune(model: keras.Model, texts, labels, *, pairs_per_sentence: int = 10,
                          max_pairs: int | None = None, epochs: int = 1, learning_rate: float = 2e-5,
                          batch_size: int = 16, seed: int = 0, C: float = 1.0, verbose: int = 0) -> keras.Model:
    """SetFit: train the encoder of a text classifier on sentence pairs, then fit its head.

    1. ``sentence_pairs(labels, pairs_per_sentence)`` gives same-class pairs (target 1) and
       different-class pairs (target 0);
    2. the whole encoder trains for ``epochs`` over the pairs (Adam at ``learning_rate``) to make
       the cosine similarity of the two mean-pooled embeddings match the target (mean squared error);
    3. ``kzoo.fit_head`` fits the head by logistic regression on the new embeddings.

    Sentences are tokenised once and padded only to the bucket (8, 16, 24, 32, 48, 64, ... tokens) of the longest.

    Args:
        model: a text classifier with its tokenizer, e.g. ``kzoo.load("minilm_l6", class_names=...)``.
            Trained in place; its encoder is left trainable.
        texts: the labelled sentences (non-empty strings).
        labels: their integer class indices; every class of the head, each at least twice.
        pairs_per_sentence: positive (and as many negative) pairs per sentence: SetFit's
            ``num_iterations`` (20 there).
        max_pairs: the most pairs to train on (see ``sentence_pairs``), or None for all.
        epochs: passes over the pairs.
        learning_rate: Adam's learning rate for the encoder (SetFit: 2e-5).
        batch_size: pairs per step.
        seed: seed of the pair sampling.
        C: the head's inverse regularisation strength (``kzoo.fit_head``).
        verbose: Keras ``fit`` verbosity.

    Returns:
        ``model``, encoder and head trained; ``model.predict`` takes raw strings.

    Raises:
        kzoo.InputError: a model without a tokenizer, bad texts or labels, missing classes or bad
            numbers; all before any training.

    Example:
        A tiny BERT stands in for ``kzoo.load("minilm_l6", class_names=["negative", "positive"])``:

        >>> import keras_hub, numpy as np, kzoo
        >>> from kzoo.zoo.sentence import SentenceClassifier
        >>> vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "good", "bad", "film", "plot"]
        >>> preprocessor = keras_hub.models.BertTextClassifierPreprocessor(
        ...     keras_hub.models.BertTokenizer(vocabulary=vocab), sequence_length=8)
        >>> backbone = keras_hub.models.BertBackbone(len(vocab), num_layers=1, num_heads=1, hidden_dim=8,
        ...                                          intermediate_dim=16, max_sequence_length=8)
        >>> model = SentenceClassifier(backbone, ["negative", "positive"], preprocessor=preprocessor)
        >>> texts = ["a good film", "good plot", "a bad film", "bad plot"]
        >>> model = kzoo.contrastive_fine_tune(model, texts, [1, 1, 0, 0], pairs_per_sentence=2,
        ...                                    learning_rate=1e-3)
        >>> model.predict(np.array(texts), verbose=0).shape  # raw strings in, one score per class out
        (4, 2)
    """
    if text_preprocessor(model) is None:
        raise InputError(f"{model.name} has no tokenizer (preprocessor): contrastive_fine_tune trains text "
                         "encoders; load one with kzoo.load('minilm_l6', class_names=[...]).")
    x = check_texts(texts, "texts")
    y = np.asarray(labels)
    if y.shape != x.shape or not np.issubdtype(y.dtype, np.integer):
        raise InputError(f"labels must be integer class indices, one per text: {len(x)} texts but labels of "
                         f"shape {y.shape} and dtype {y.dtype}.")
    units = find_head(model).units
    if y.min() < 0 or y.max() >= units:
        raise InputError(f"labels run {int(y.min())}..{int(y.max())} but the head has {units} classes "
                         f"(0..{units - 1}); give the model a head for your classes (kzoo.swap_head).")
    first, second, target = sentence_pairs(y, pairs_per_sentence, max_pairs=max_pairs,
                                           seed=whole_number("seed", seed, low=0))
    epochs, batch_size = whole_number("epochs", epochs), whole_number("batch_size", batch_size)
    learning_rate, C = positive_number("learning_rate", learning_rate), positive_number("C", C)
    verbose = whole_number("verbose", verbose, low=0)

    extractor, _ = split_model(model)
    unfreeze(model)
    tokens = tokenize(model, x).inputs  # tokenized once, cut to the widest bucket any sentence needs
    names = [tensor.name for tensor in extractor.inputs]
    pairs = _pair_model(extractor, names)
    pairs.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mean_squared_error")
    inputs = {f"{side}_{name}": tokens[name][index] for side, index in (("a", first), ("b", second))
              for name in names}
    pairs.fit(inputs, target, batch_size=batch_size, epochs=epochs, shuffle=True, verbose=verbose)
    return fit_head(model, (x, y), C=C)
