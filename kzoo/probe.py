"""Option 1 in one convex fit: a classifier's head set by logistic regression on its body's features.

Training the head with gradient steps on frozen features (``kzoo.fine_tune(..., head_epochs=N)``)
approaches the same optimum that a logistic regression reaches exactly: the head of a frozen body is
a linear model on fixed inputs. ``fit_head`` fits it with scikit-learn (L2-regularised, no learning
rate or epochs to choose) and writes the weights into the model's head, so the model then predicts
on raw inputs as before. It is the "linear probe" of the representation-learning papers and the
head SetFit fits after its contrastive phase.
"""
from __future__ import annotations

import keras
import numpy as np

from kzoo._checks import labelled_pair, positive_number, whole_number
from kzoo.errors import InputError
from kzoo.features import extract_features
from kzoo.heads import find_head


def fit_head(model: keras.Model, train, *, C: float = 1.0, batch_size: int = 64,
             cache: bool = False) -> keras.Model:
    """Set ``model``'s head to the logistic regression of ``train``'s labels on its body's features.

    Args:
        model: a classifier whose head ``kzoo.find_head`` recognises (its body is left as it is).
        train: ``(x, y)``: inputs the model takes (strings for a text model) and integer class
            indices; every class of the head must occur.
        C: inverse L2 regularisation strength of the logistic regression (scikit-learn's ``C``).
        batch_size: batch size for running the body.
        cache: store the features on disk and reuse them (see ``kzoo.extract_features``).

    Returns:
        ``model``, its head replaced (logits: the softmax of the head's outputs gives the logistic
        regression's probabilities).

    Raises:
        kzoo.InputError: bad data, a class of the head missing from ``y`` or a label beyond the head.

    Example:
        >>> import numpy as np, kzoo
        >>> x, y = kzoo.datasets.load("digits", "train", as_numpy=True)
        >>> model = kzoo.load("glyphnet", num_classes=10)
        >>> model = kzoo.fit_head(model, (x[:200], y[:200]))
        >>> float(np.mean(np.argmax(model.predict(x[200:400], verbose=0), axis=1) == y[200:400])) > 0.8
        True
    """
    x, y = labelled_pair(train, "train", class_indices=True)
    C = positive_number("C", C)
    batch_size = whole_number("batch_size", batch_size)
    head = find_head(model)
    missing = sorted(set(range(head.units)) - set(y.tolist()))
    if y.max() >= head.units or missing or head.units < 2:
        raise InputError(
            f"fit_head needs every class of the {head.units}-way head in train and no label beyond it; "
            f"labels run {int(y.min())}..{int(y.max())} and classes {missing} have no example. Add "
            "examples of each class, or give the model a head for the classes you have (kzoo.swap_head).")
    from sklearn.linear_model import LogisticRegression

    features = extract_features(model, x, batch_size=batch_size, cache=cache)
    probe = LogisticRegression(C=C, max_iter=5000).fit(features, y)
    coef, intercept = probe.coef_, probe.intercept_
    if head.units == 2:  # scikit-learn keeps one row for two classes: logits (-z/2, z/2) give sigmoid(z)
        coef, intercept = np.concatenate([-coef, coef]) / 2, np.concatenate([-intercept, intercept]) / 2
    head.set_weights([coef.T.astype("float32"), intercept.astype("float32")])
    return model
