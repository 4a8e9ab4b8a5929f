"""Reproducible subsets of labelled numpy data: few-shot samples and stratified splits."""
from __future__ import annotations

import numpy as np

from kzoo._checks import labelled_pair, whole_number
from kzoo.errors import InputError


def few_shot(data: tuple[np.ndarray, np.ndarray], per_class: int,
             seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Exactly ``per_class`` examples of every class, chosen at random but reproducibly.

    Subsets are nested: with the same seed, the 1-shot subset is inside the 5-shot subset, which is
    inside the 10-shot one (handy for accuracy-vs-examples curves).

    Args:
        data: ``(x, y)`` numpy arrays (any ``x``: images, waveforms, strings); ``y`` 1-D labels.
        per_class: examples to keep of each class present in ``y``.
        seed: the random seed.

    Returns:
        ``(x, y)`` with ``per_class * number_of_classes`` examples, in a seeded random order.

    Raises:
        kzoo.InputError: ``data`` is not ``(x, y)`` of equal lengths, ``per_class`` < 1, or a class
            has fewer than ``per_class`` examples (the message names it).

    Example:
        >>> x, y = np.arange(10), np.array([0] * 5 + [1] * 5)
        >>> xs, ys = few_shot((x, y), 2, seed=0)
        >>> np.bincount(ys).tolist()
        [2, 2]
    """
    x, y = labelled_pair(data)
    whole_number("per_class", per_class)
    order = np.random.default_rng(whole_number("seed", seed, low=0)).permutation(len(y))
    classes, counts = np.unique(y, return_counts=True)
    short = {c.item(): int(n) for c, n in zip(classes, counts) if n < per_class}
    if short:
        raise InputError(f"per_class={per_class}, but these classes have fewer examples (class: count): "
                         f"{short}. Use a smaller per_class.")
    # The first per_class positions of each class in one fixed permutation: nested across per_class.
    rank = np.empty(len(y), np.int64)
    for c in classes:
        in_class = order[y[order] == c]
        rank[in_class] = np.arange(len(in_class))
    keep = order[rank[order] < per_class]
    return x[keep], y[keep]


def stratified_split(x: np.ndarray, y: np.ndarray, test_fraction: float,
                     seed: int = 0) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Split labelled data in two, keeping each class's share the same in both parts.

    Args:
        x: examples (first axis = examples).
        y: 1-D labels.
        test_fraction: the share of examples that go to the test part, strictly between 0 and 1.
        seed: the random seed; the same seed gives the same split.

    Returns:
        ``((x_train, y_train), (x_test, y_test))``.

    Raises:
        kzoo.InputError: mismatched ``x``/``y``, a fraction outside (0, 1), a class with a single
            example, or a test part too small to hold one example of every class.

    Example:
        >>> x, y = np.arange(20), np.array([0, 1] * 10)
        >>> (xtr, ytr), (xte, yte) = stratified_split(x, y, 0.2, seed=0)
        >>> len(xtr), np.bincount(yte).tolist()
        (16, [2, 2])
    """
    from sklearn.model_selection import train_test_split

    x, y = labelled_pair((x, y))
    if (isinstance(test_fraction, bool) or not isinstance(test_fraction, (int, float))
            or not 0 < test_fraction < 1):
        raise InputError(f"test_fraction must be a number strictly between 0 and 1, got {test_fraction!r}.")
    classes, counts = np.unique(y, return_counts=True)
    if counts.min() < 2:
        lonely = [c.item() for c, n in zip(classes, counts) if n < 2]
        raise InputError(f"Classes {lonely} have a single example; a stratified split needs two of each.")
    n_test = int(np.ceil(test_fraction * len(y)))
    if n_test < len(classes) or len(y) - n_test < len(classes):
        raise InputError(f"test_fraction={test_fraction} of {len(y)} examples cannot hold one example of "
                         f"each of the {len(classes)} classes in both parts.")
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=test_fraction, random_state=whole_number("seed", seed, low=0), stratify=y)
    return (x_train, y_train), (x_test, y_test)
