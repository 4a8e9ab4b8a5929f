"""Fine-tuning a pre-trained classifier: option 1 (head only), option 2 (everything), or both in turn.

The two-phase schedule of the Keras transfer-learning guide and of fast.ai:

1. freeze the body and train the new head (its random weights would otherwise send large, noisy
   gradients into the pre-trained layers); with ``cache_features`` the body runs once, not per epoch;
2. unfreeze (all or the top of the body, BatchNorm kept in inference mode) and train on with a much
   smaller learning rate, optionally smaller still for lower layers (discriminative learning rates).

``fine_tune`` returns one ``keras.callbacks.History`` covering both phases.
"""
from __future__ import annotations

import dataclasses
from typing import Sequence

import keras
import numpy as np

from kzoo._checks import positive_number, whole_number
from kzoo._data import check_inputs, labels_of, to_dataset
from kzoo.errors import InputError
from kzoo.features import extract_features, split_model
from kzoo.freeze import freeze, layer_groups, unfreeze
from kzoo.heads import find_head


def _check_labels(model, *datas):
    units = find_head(model).units
    for data in datas:
        y = labels_of(data) if data is not None else None
        if y is None:
            continue
        if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
            raise InputError(f"labels must be a 1-D array of integer class indices, got dtype {y.dtype} "
                             f"and shape {y.shape}.")
        bad = y[(y < 0) | (y >= units)]
        if bad.size:
            raise InputError(
                f"labels {sorted(set(bad.tolist()))[:10]} are outside the head, which has {units} classes "
                f"(0..{units - 1}). Swap the head for the right size (kzoo.swap_head) or add classes "
                "(kzoo.add_classes).")


def _default_loss(model):
    head = find_head(model)
    from_logits = head.activation in (None, keras.activations.linear)
    return keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits)


def _optimizer(name_or_optimizer, learning_rate: float):
    if isinstance(name_or_optimizer, keras.optimizers.Optimizer):
        config = {**name_or_optimizer.get_config(), "learning_rate": learning_rate}
        return type(name_or_optimizer).from_config(config)
    optimizer = keras.optimizers.get(name_or_optimizer)
    optimizer.learning_rate = learning_rate
    return optimizer


def discriminative_optimizer(optimizer: keras.optimizers.Optimizer,
                             factors: Sequence[tuple[keras.Variable, float]]) -> keras.optimizers.Optimizer:
    """An optimizer of the same kind whose learning rate is scaled per variable.

    Args:
        optimizer: any Keras optimizer (its config is copied).
        factors: ``(variable, factor)`` pairs; variables not listed use the base rate.

    Returns:
        A new optimizer. Its class is made on the fly, so a model compiled with it saves its weights
        but not its optimizer.

    Example:
        >>> import keras, kzoo
        >>> m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        >>> opt = kzoo.discriminative_optimizer(keras.optimizers.Adam(1e-3), [(m.weights[0], 0.1)])
    """
    factors = list(factors)
    for variable, factor in factors:
        if not isinstance(factor, (int, float)) or factor < 0:
            raise InputError(f"learning-rate factor for {variable.path!r} must be a number >= 0, got {factor!r}.")
    base = type(optimizer)

    def update_step(self, gradient, variable, learning_rate):
        if not hasattr(self, "_kzoo_factors"):  # keyed the way this backend's optimizer keys variables
            self._kzoo_factors = {self._var_key(v): f for v, f in factors}
        factor = self._kzoo_factors.get(self._var_key(variable))
        if factor is not None:
            learning_rate = learning_rate * factor
        return base.update_step(self, gradient, variable, learning_rate)

    cls = type(f"Discriminative{base.__name__}", (base,), {"update_step": update_step})
    return cls.from_config(optimizer.get_config())


def _group_multipliers(model, lr_mult, groups):
    """(variable, factor) pairs: body group i of n (0 = bottom) learns at lr * lr_mult ** (n - i)."""
    if isinstance(lr_mult, dict):
        names = {layer.name: layer for layer in model.layers} | {
            layer.name: layer for group in layer_groups(model, 1) for layer in group}
        missing = sorted(set(lr_mult) - set(names))
        if missing:
            raise InputError(f"lr_mult names layers that are not in the model: {missing}.")
        return [(w, float(f)) for name, f in lr_mult.items() for w in names[name].weights]
    if not isinstance(lr_mult, (int, float)) or not 0 < lr_mult <= 1:
        raise InputError(f"lr_mult must be a factor in (0, 1] or a dict layer name -> factor, got {lr_mult!r}.")
    body_groups = layer_groups(model, groups)[:-1]
    n = len(body_groups)
    return [(w, float(lr_mult) ** (n - i)) for i, group in enumerate(body_groups)
            for layer in group for w in layer.weights]


def _merge(histories: Sequence[tuple[str, keras.callbacks.History]]) -> keras.callbacks.History:
    merged = keras.callbacks.History()
    merged.history, merged.epoch, phases = {}, [], []
    for phase, history in histories:
        start = len(merged.epoch)
        merged.epoch.extend(range(start, start + len(history.epoch)))
        for key in set(merged.history) | set(history.history):
            # The head phase on cached features and the full phase report the same metric names.
            merged.history.setdefault(key, [None] * start).extend(
                history.history.get(key, [None] * len(history.epoch)))
        phases.append({"phase": phase, "start_epoch": start, "end_epoch": len(merged.epoch)})
    merged.params = {"phases": phases}
    merged.phases = phases
    return merged


def fine_tune(model: keras.Model, train, validation_data=None, *, head_epochs: int = 5, epochs: int = 0,
              lr: float = 1e-3, finetune_lr: float | None = None, unfreeze_top: int | float | str | None = None,
              lr_mult: float | dict | None = None, groups: int = 3, train_batchnorm: bool = False,
              cache_features: bool = True,
              batch_size: int = 32, optimizer="adam", loss=None, metrics=("accuracy",),
              callbacks: Sequence[keras.callbacks.Callback] = (), verbose: int | str = 0
              ) -> keras.callbacks.History:
    """Train a classifier from pre-trained weights: head first, then (optionally) everything.

    Option 1 is ``head_epochs=N, epochs=0``; option 2 in one phase is ``head_epochs=0, epochs=N``;
    the two-phase schedule is both.

    Args:
        model: a classifier, e.g. from ``kzoo.load(name, num_classes=...)``. Trained in place.
        train: ``(x, y)`` arrays (y: integer class indices) or a batched ``tf.data.Dataset``.
        validation_data: same forms as ``train``, or None.
        head_epochs: epochs with the body frozen (phase 1).
        epochs: epochs after unfreezing (phase 2).
        lr: learning rate of phase 1.
        finetune_lr: learning rate of phase 2 (default ``lr / 10``).
        unfreeze_top: which body layers phase 2 trains (see ``kzoo.unfreeze``; None = all).
        lr_mult: discriminative learning rates in phase 2: a factor f in (0, 1] (body group i of
            ``groups``, 0 = bottom, learns at ``finetune_lr * f ** (groups - i)``) or a dict
            ``layer name -> factor``.
        groups: number of body groups for a factor ``lr_mult``.
        train_batchnorm: let phase 2 train BatchNorm layers too (off: they stay in inference mode,
            the right choice for pre-trained statistics; on for training from scratch).
        cache_features: in phase 1, run the frozen body once and train the head on the stored
            features (much faster; no data augmentation then).
        batch_size: batch size for array input.
        optimizer: name or instance; a fresh one is made for each phase.
        loss: default sparse categorical cross-entropy (``from_logits`` follows the head).
        metrics: compiled metrics.
        callbacks: Keras callbacks for both phases.
        verbose: passed to ``fit``.

    Returns:
        A ``keras.callbacks.History`` whose ``history`` covers both phases, with ``phases`` (also in
        ``params["phases"]``) giving each phase's epoch range.

    Raises:
        kzoo.InputError: bad epochs or rates, or labels outside the head.

    Example:
        >>> import kzoo
        >>> model = kzoo.load("glyphnet", num_classes=10)                          # doctest: +SKIP
        >>> (x, y), val = kzoo.datasets.load("digits", as_numpy=True), None         # doctest: +SKIP
        >>> h = kzoo.fine_tune(model, (x, y), head_epochs=5, epochs=5)             # doctest: +SKIP
    """
    head_epochs, epochs = whole_number("head_epochs", head_epochs, low=0), whole_number("epochs", epochs, low=0)
    if head_epochs + epochs == 0:
        raise InputError("nothing to train: head_epochs and epochs are both 0.")
    for name, value in (("lr", lr), ("finetune_lr", finetune_lr)):
        if value is not None:
            positive_number(name, value)
    batch_size = whole_number("batch_size", batch_size)
    _check_labels(model, train, validation_data)
    for data in (train, validation_data):
        if data is not None:
            check_inputs(model, data)
    loss = loss or _default_loss(model)
    fit_kw = {"callbacks": list(callbacks), "verbose": verbose}
    histories = []

    if head_epochs:
        freeze(model)
        if cache_features:
            _, head_block = split_model(model)
            feats = extract_features(model, train, batch_size=batch_size)
            if not isinstance(feats, tuple):
                raise InputError("training data needs labels: pass (x, y) or a dataset of (x, y).")
            val = extract_features(model, validation_data, batch_size=batch_size) if validation_data else None
            head_block.compile(optimizer=_optimizer(optimizer, lr), loss=loss, metrics=list(metrics))
            # Through tf.data, not numpy: Keras rebuilds a pipeline from arrays every epoch (~0.1 s each).
            history = head_block.fit(_fit_data(feats, batch_size, shuffle=True), epochs=head_epochs,
                                     shuffle=False, validation_data=_fit_data(val, batch_size), **fit_kw)
        else:
            model.compile(optimizer=_optimizer(optimizer, lr), loss=loss, metrics=list(metrics))
            history = model.fit(_fit_data(train, batch_size, shuffle=True), epochs=head_epochs, shuffle=False,
                                validation_data=_fit_data(validation_data, batch_size), **fit_kw)
        histories.append(("head", history))

    if epochs:
        unfreeze(model, top=unfreeze_top, train_batchnorm=train_batchnorm)
        opt = _optimizer(optimizer, finetune_lr or lr / 10)
        if lr_mult is not None:
            opt = discriminative_optimizer(opt, _group_multipliers(model, lr_mult, groups))
        model.compile(optimizer=opt, loss=loss, metrics=list(metrics))
        history = model.fit(_fit_data(train, batch_size, shuffle=True), epochs=head_epochs + epochs,
                            initial_epoch=head_epochs, shuffle=False, validation_data=_fit_data(validation_data, batch_size),
                            **fit_kw)
        histories.append(("fine-tune", history))
    return _merge(histories)


def _fit_data(data, batch_size, shuffle=False):
    return None if data is None else to_dataset(data, batch_size=batch_size, shuffle=shuffle)


@dataclasses.dataclass
class LRFinderResult:
    """Loss against learning rate from ``kzoo.lr_find``.

    Attributes:
        lrs: learning rates tried, one per step (increasing).
        losses: training loss at each step.
        suggestion: a good starting learning rate: a tenth of the rate with the lowest smoothed loss.
    """

    lrs: np.ndarray
    losses: np.ndarray
    suggestion: float

    def plot(self, ax=None):
        """Plot loss against learning rate (log scale) with the suggestion marked; returns the Figure."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3.5))
        ax.plot(self.lrs, self.losses)
        ax.axvline(self.suggestion, color="tab:red", linestyle="--", label=f"suggestion {self.suggestion:.1e}")
        ax.set(xscale="log", xlabel="learning rate", ylabel="training loss", title="Learning-rate finder")
        ax.legend()
        return ax.figure


def lr_find(model: keras.Model, train, *, start_lr: float = 1e-7, end_lr: float = 10.0, num_steps: int = 100,
            batch_size: int = 32, optimizer="adam", loss=None) -> LRFinderResult:
    """The learning-rate range test (Smith 2017): train a few steps while raising the rate exponentially.

    The model's weights are restored afterwards; it is left compiled for the sweep, so compile it
    again before training (``kzoo.fine_tune`` does).

    Args:
        model: the model to probe, with its trainable layers set as you mean to train them.
        train: ``(x, y)`` arrays or a batched ``tf.data.Dataset``.
        start_lr: the smallest learning rate tried.
        end_lr: the largest learning rate tried.
        num_steps: number of training steps (one batch each); stops early once the loss explodes.
        batch_size: for array input.
        optimizer: name or instance.
        loss: default as in ``fine_tune``.

    Returns:
        An ``LRFinderResult`` (``.suggestion``, ``.plot()``).

    Example:
        >>> import kzoo
        >>> result = kzoo.lr_find(model, (x, y))   # doctest: +SKIP
        >>> result.plot()                           # doctest: +SKIP
    """
    if not (0 < start_lr < end_lr):
        raise InputError(f"need 0 < start_lr < end_lr, got {start_lr} and {end_lr}.")
    num_steps = whole_number("num_steps", num_steps, low=5)
    _check_labels(model, train)
    saved = [np.array(w) for w in model.get_weights()]
    lrs = start_lr * (end_lr / start_lr) ** (np.arange(num_steps) / (num_steps - 1))
    losses = []

    class _Sweep(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.model.optimizer.learning_rate = float(lrs[epoch])

        def on_epoch_end(self, epoch, logs=None):
            losses.append(float(logs["loss"]))
            if not np.isfinite(losses[-1]) or losses[-1] > 4 * min(losses):
                self.model.stop_training = True

    model.compile(optimizer=_optimizer(optimizer, start_lr), loss=loss or _default_loss(model))
    try:
        # One step per "epoch": Keras reports the mean loss of an epoch, here that of one batch.
        model.fit(to_dataset(train, batch_size=batch_size, shuffle=True).repeat(), steps_per_epoch=1,
                  epochs=num_steps, callbacks=[_Sweep()], shuffle=False, verbose=0)
    finally:
        model.set_weights(saved)
    losses = np.asarray(losses)
    smooth = np.copy(losses)
    for i in range(1, len(smooth)):
        smooth[i] = 0.8 * smooth[i - 1] + 0.2 * losses[i]
    return LRFinderResult(lrs[: len(losses)], losses, float(lrs[int(np.argmin(smooth))] / 10))
