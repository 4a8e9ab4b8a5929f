"""Baselines without pre-training, to measure what a pre-trained model adds.

``bag_of_words``: TF-IDF weighted counts of words and word pairs (unigrams and bigrams) and a
logistic regression on them, the strong classical baseline for text classification (Wang &
Manning, 2012). It sees no word order beyond pairs and knows no word it was not trained on, which
is what a pre-trained encoder brings.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from kzoo._checks import labelled_pair, positive_number, whole_number
from kzoo._text_batches import check_texts
from kzoo.errors import InputError


@dataclasses.dataclass
class BaselineResult:
    """What a baseline scored.

    Attributes:
        accuracy: fraction of test examples classified right, in [0, 1].
        predictions: the predicted class index of every test example.
        model: the fitted scikit-learn estimator (``model.predict(texts)`` for new texts).

    Example:
        >>> BaselineResult(0.5, np.array([1, 1]), None).accuracy
        0.5
    """

    accuracy: float
    predictions: np.ndarray
    model: object


def bag_of_words(train, test, *, ngrams: int = 2, C: float = 10.0) -> BaselineResult:
    """TF-IDF n-grams + logistic regression, trained on ``train`` and scored on ``test``.

    Args:
        train: ``(texts, labels)``: strings and integer class indices.
        test: ``(texts, labels)`` to score on.
        ngrams: longest word n-gram counted (2: single words and word pairs).
        C: inverse L2 regularisation strength of the logistic regression.

    Returns:
        A ``BaselineResult`` with the test accuracy and predictions.

    Raises:
        kzoo.InputError: texts that are not non-empty strings, mismatched labels, fewer than two
            classes in ``train`` or bad numbers.

    Example:
        >>> train = (["a good film", "good and warm", "a bad film", "dull and bad"], [1, 1, 0, 0])
        >>> result = bag_of_words(train, (["good", "bad film"], [1, 0]))
        >>> result.accuracy, result.predictions.tolist()
        (1.0, [1, 0])
    """
    (_, y), (_, y_test) = (labelled_pair(d, what, class_indices=True) for d, what in
                           ((train, "train"), (test, "test")))
    # From the data as given: numpy would turn a stray number into text (np.asarray(["a", 3])).
    x, x_test = check_texts(train[0], "train texts"), check_texts(test[0], "test texts")
    ngrams, C = whole_number("ngrams", ngrams), positive_number("C", C)
    if len(np.unique(y)) < 2:
        raise InputError(f"train has a single class ({int(y[0])}); a classifier needs examples of at least two.")
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    model = make_pipeline(TfidfVectorizer(ngram_range=(1, ngrams), sublinear_tf=True),
                          LogisticRegression(C=C, max_iter=5000))
    model.fit(list(x), y)
    predictions = model.predict(list(x_test))
    return BaselineResult(float(np.mean(predictions == y_test)), predictions, model)
