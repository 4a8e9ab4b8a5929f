"""Does pre-training help here? Scratch vs option 1 vs option 2, at a few labelled examples per class.

``train_method`` trains one zoo model one of three ways; ``data_efficiency`` repeats it over
few-shot subsets and seeds and measures test accuracy, ready for ``kzoo.plots.plot_data_efficiency``:

* ``"scratch"``: the same architecture from random weights, every layer (BatchNorm included) trained;
* ``"frozen"`` (the course's option 1): pre-trained body frozen, only the new head trained (on cached
  features);
* ``"fine_tune"`` (the course's option 2): the two-phase schedule of ``kzoo.fine_tune``: head first,
  then every layer at a smaller learning rate.

``LABELS`` gives the course's words for each, for tables and plot legends
(``plots.plot_data_efficiency(results, labels=LABELS)``).

Every method trains for about the same number of gradient steps whatever the number of examples,
so small subsets are not also short trainings.
"""
from __future__ import annotations

import math
import warnings
from typing import Callable, Sequence

import keras
import numpy as np

from kzoo._checks import check_scalar, labelled_pair, positive_number, whole_number
from kzoo.datasets.splits import few_shot, stratified_split
from kzoo.errors import InputError
from kzoo.finetune import fine_tune
from kzoo.models import load

METHODS = ("scratch", "frozen", "fine_tune")
LABELS = {"scratch": "scratch", "frozen": "option 1", "fine_tune": "option 2"}
_OLD_NAMES = {"option 1": "frozen", "option 2": "fine_tune"}
_PREDICT_BATCH = 64
MIN_HELD_OUT = 5  # examples per class that early stopping holds out, at the least


def _check_methods(methods) -> tuple[str, ...]:
    methods = (methods,) if isinstance(methods, str) else tuple(methods)
    old = [m for m in methods if m in _OLD_NAMES]
    if old:
        warnings.warn(f"methods {old} are the course's words; pass {[_OLD_NAMES[m] for m in old]} "
                      "(kzoo.compare.LABELS maps them back for display).", DeprecationWarning, stacklevel=3)
    methods = tuple(_OLD_NAMES.get(m, m) for m in methods)
    unknown = [m for m in methods if m not in METHODS]
    if unknown or not methods:
        raise InputError(f"unknown method(s) {unknown or methods!r}: choose from {METHODS}.")
    return methods


def train_method(name: str, method: str, train: tuple[np.ndarray, np.ndarray], *, class_names: Sequence[str],
                 steps: int = 150, batch_size: int = 32, lr: float = 1e-2, finetune_lr: float = 1e-3,
                 scratch_lr: float = 3e-3, min_epochs: int = 10, finetune_share: float = 0.5,
                 input_shape: tuple | None = None, patience: int | None = None,
                 augment: Callable[[], keras.layers.Layer] | None = None, schedule: str | None = None,
                 label_smoothing: float = 0.0) -> keras.Model:
    """Train one zoo classifier one way: from scratch, frozen (option 1) or fine-tuned (option 2).

    The number of epochs is ``max(min_epochs, ceil(steps / batches per epoch))``, so every subset
    size gets about ``steps`` gradient steps. With ``patience``, that number is a cap instead: a fifth
    of ``train`` (at least ``MIN_HELD_OUT`` examples per class) is held out, and each phase stops once
    its loss on them has not improved for ``patience`` epochs, keeping its best weights (early stopping:
    every method trains to convergence within the same budget). A subset with fewer than
    ``2 * MIN_HELD_OUT`` examples of some class cannot spare that many, and trains on all of them for
    the whole budget: a loss on one or two examples per class is too noisy to stop on (it stopped
    scratch near chance at 5 per class). Set the random seed first (``keras.utils.set_random_seed``)
    for a reproducible run.

    Args:
        name: a zoo model name, e.g. ``"glyphnet"`` or ``"efficientnet_lite0"``.
        method: ``"scratch"`` (random weights, all layers and BatchNorm trained at ``scratch_lr``),
            ``"frozen"`` (option 1: frozen body, head trained at ``lr`` on cached features) or
            ``"fine_tune"`` (option 2: head at ``lr``, then ``finetune_share`` as many epochs of every
            layer at ``finetune_lr``). The old values ``"option 1"``/``"option 2"`` still work, with a
            DeprecationWarning.
        train: ``(x, y)`` numpy arrays, ``y`` integer class indices into ``class_names``.
        class_names: the classes of the new head.
        steps: the gradient-step budget per phase.
        batch_size: training batch size.
        lr: learning rate of the head (options 1 and 2).
        finetune_lr: learning rate of option 2's second phase.
        scratch_lr: learning rate of the network trained from scratch.
        min_epochs: the fewest epochs, however large ``train`` is.
        finetune_share: option 2's second phase, as a fraction of the head's epochs (at least one).
        input_shape: shape of one example, for models that take other sizes (None: the zoo's).
        patience: early stopping on a held-out part of ``train`` where it is large enough (see above),
            or None for a fixed budget.
        augment: a function returning a fresh Keras augmentation layer (called once per model), used
            wherever the inputs pass through the body while training: scratch and option 2's second
            phase (option 1 trains on cached features of the plain inputs).
        schedule: ``kzoo.fine_tune``'s ``schedule`` for the phase that trains every layer (scratch and
            option 2's second phase), e.g. ``"cosine"`` (warmup, then cosine decay).
        label_smoothing: ``kzoo.fine_tune``'s ``label_smoothing``, for every method.

    Returns:
        The trained ``keras.Model``.

    Raises:
        kzoo.InputError: unknown method, bad counts or rates, bad data, or labels outside ``class_names``.

    Example:
        >>> import kzoo
        >>> from kzoo.compare import train_method
        >>> x, y = kzoo.datasets.load("digits", "train", as_numpy=True)
        >>> model = train_method("glyphnet", "frozen", (x[:50], y[:50]), class_names=list("0123456789"),
        ...                      steps=4, min_epochs=1)
        >>> kzoo.class_names(model)[:3], model.output_shape
        (['0', '1', '2'], (None, 10))
    """
    (method,) = _check_methods((method,))
    x, y = labelled_pair(train, "train", class_indices=True)
    for label, value in (("steps", steps), ("batch_size", batch_size), ("min_epochs", min_epochs)):
        whole_number(label, value)
    for label, value in (("lr", lr), ("finetune_lr", finetune_lr), ("scratch_lr", scratch_lr)):
        positive_number(label, value)
    finetune_share = check_scalar("finetune_share", finetune_share, min_val=0, max_val=1,
                                  include_boundaries="right")
    if augment is not None and (isinstance(augment, keras.layers.Layer) or not callable(augment)):
        raise InputError("augment must be a function that returns a fresh Keras layer, e.g. "
                         "lambda: keras.layers.RandomTranslation(0.1, 0.1), or None.")
    (x, y), stopping = _early_stopping((x, y), None if patience is None else whole_number("patience", patience))
    epochs = max(min_epochs, math.ceil(steps / math.ceil(len(y) / batch_size)))
    shape = {} if input_shape is None else {"input_shape": input_shape}
    model = load(name, class_names=class_names, weights=None if method == "scratch" else "pretrained", **shape)
    common = {"batch_size": batch_size, "label_smoothing": label_smoothing, "schedule": schedule, **stopping}
    whole = {} if method == "frozen" or augment is None else {"augment": augment()}
    if method == "scratch":
        fine_tune(model, (x, y), head_epochs=0, epochs=epochs, finetune_lr=scratch_lr, train_batchnorm=True,
                  **whole, **common)
    elif method == "frozen":
        fine_tune(model, (x, y), head_epochs=epochs, lr=lr, **common)
    else:
        fine_tune(model, (x, y), head_epochs=epochs, epochs=max(1, int(epochs * finetune_share)), lr=lr,
                  finetune_lr=finetune_lr, **whole, **common)
    return model


def _early_stopping(train, patience):
    """(the examples to train on, fine_tune's arguments for early stopping on the rest)."""
    counts = np.bincount(train[1])
    if patience is None or counts[counts > 0].min() < 2 * MIN_HELD_OUT:
        return train, {}
    n_classes = int(np.count_nonzero(counts))
    train, held_out = stratified_split(*train, max(0.2, MIN_HELD_OUT * n_classes / len(train[1])), seed=0)
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience, restore_best_weights=True)
    return train, {"validation_data": held_out, "callbacks": [stop]}


def data_efficiency(name: str, train: tuple[np.ndarray, np.ndarray], test: tuple[np.ndarray, np.ndarray], *,
                    shots: Sequence[int] = (1, 5, 20), methods: Sequence[str] = METHODS, seeds: int = 1,
                    class_names: Sequence[str] | None = None, verbose: bool = True,
                    **train_kwargs) -> dict[str, dict[int, list[float]]]:
    """Test accuracy against labelled examples per class, for each method and seed.

    For every seed and every ``k`` in ``shots``, ``kzoo.datasets.few_shot(train, k, seed)`` picks
    ``k`` examples per class (nested: the 1-shot subset is inside the 5-shot one), and each method
    trains a fresh model on them (``train_method``, after ``keras.backend.clear_session()`` and
    ``keras.utils.set_random_seed(seed)``), scored on all of ``test``.

    Args:
        name: a zoo model name, e.g. ``"glyphnet"``.
        train: ``(x, y)`` numpy arrays to draw the labelled examples from.
        test: ``(x, y)`` numpy arrays to score on.
        shots: labelled examples per class to try, each >= 1.
        methods: any of ``METHODS`` (the result is keyed by them; ``LABELS`` has the course's words).
        seeds: number of seeds (0, 1, ...): each draws other examples and other initial weights.
        class_names: names of the classes (default ``"0"``, ``"1"``, ...).
        verbose: print one line per seed and subset size.
        **train_kwargs: passed to ``train_method`` (``steps``, ``lr``, ``input_shape``, ...).

    Returns:
        ``{method: {shots: [accuracy per seed]}}``, accuracies in [0, 1].

    Raises:
        kzoo.InputError: unknown method, ``shots`` < 1 or more than a class has, bad ``seeds``,
            bad data, or labels outside ``class_names``.

    Example:
        >>> from sklearn.datasets import load_digits
        >>> from kzoo.compare import data_efficiency
        >>> d = load_digits()
        >>> x, y = d.images[..., None].astype("float32"), d.target
        >>> results = data_efficiency("glyphnet", (x[:900], y[:900]), (x[900:1200], y[900:1200]), shots=(1,),
        ...                           methods=("scratch", "frozen"), steps=10, min_epochs=1)
           1 per class, seed 0: scratch ...%, option 1 ...%
        >>> results
        {'scratch': {1: [0...]}, 'frozen': {1: [0...]}}
    """
    methods = _check_methods(methods)
    if isinstance(shots, (int, str)) or not shots:
        raise InputError(f"shots must be a non-empty list of whole numbers >= 1, e.g. (1, 5, 20), got {shots!r}.")
    shots = sorted({whole_number("shots", k) for k in shots})
    seeds = whole_number("seeds", seeds)
    train = labelled_pair(train, "train", class_indices=True)
    x_test, y_test = labelled_pair(test, "test", class_indices=True)
    n_classes = int(max(train[1].max(), y_test.max())) + 1
    class_names = [str(c) for c in range(n_classes)] if class_names is None else list(class_names)
    if len(class_names) < n_classes:
        raise InputError(f"the labels go up to {n_classes - 1} but class_names has only {len(class_names)} names.")
    results = {m: {k: [] for k in shots} for m in methods}
    for seed in range(seeds):
        for k in shots:
            subset = few_shot(train, k, seed=seed)
            for method in methods:
                keras.backend.clear_session()
                keras.utils.set_random_seed(seed)
                model = train_method(name, method, subset, class_names=class_names, **train_kwargs)
                scores = model.predict(x_test, batch_size=_PREDICT_BATCH, verbose=0)
                results[method][k].append(float(np.mean(np.argmax(scores, axis=1) == y_test)))
            if verbose:
                print(f"{k:4d} per class, seed {seed}: "
                      + ", ".join(f"{LABELS[m]} {results[m][k][-1]:.1%}" for m in methods), flush=True)
    return results
