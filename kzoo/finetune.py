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
import math
from typing import Sequence

import keras
import numpy as np

from kzoo import _text_batches
from kzoo._checks import check_scalar, positive_number, whole_number
from kzoo._data import check_inputs, check_training_data, is_dataset, to_dataset, wants_tf_data
from kzoo.errors import InputError
from kzoo.features import extract_features, split_model
from kzoo.freeze import body_layers, freeze, layer_groups, unfreeze
from kzoo.heads import find_head
from kzoo.optimizers import LazyAdam


def _default_loss(model, label_smoothing: float = 0.0):
    head = find_head(model)
    from_logits = head.activation in (None, keras.activations.linear)
    if label_smoothing:
        return _SmoothedSparseCrossentropy(head.units, label_smoothing, from_logits)
    return keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits)


class _SmoothedSparseCrossentropy(keras.losses.Loss):
    """Cross-entropy on integer labels with label smoothing (Keras' sparse loss has none): one-hot, then smooth."""

    def __init__(self, num_classes: int, label_smoothing: float, from_logits: bool):
        super().__init__(name="smoothed_sparse_categorical_crossentropy")
        self.num_classes, self.label_smoothing, self.from_logits = num_classes, label_smoothing, from_logits

    def call(self, y_true, y_pred):
        one_hot = keras.ops.one_hot(keras.ops.cast(keras.ops.reshape(y_true, (-1,)), "int32"), self.num_classes)
        return keras.losses.categorical_crossentropy(one_hot, y_pred, from_logits=self.from_logits,
                                                     label_smoothing=self.label_smoothing)


def fresh_optimizer(optimizer: str | keras.optimizers.Optimizer,
                    learning_rate: float | keras.optimizers.schedules.LearningRateSchedule
                    ) -> keras.optimizers.Optimizer:
    """A new optimizer of the kind ``optimizer`` names or is, with ``learning_rate`` and no state.

    Each training phase gets its own: the state of one phase (Adam's moments) would be wrong for the next.

    Args:
        optimizer: a Keras optimizer name or instance (its settings are copied). ``"adam"`` gives
            ``kzoo.LazyAdam``: Keras's Adam, except that an embedding table's rows are updated only
            when a batch uses them (on TensorFlow, where such gradients come as rows); pass
            ``keras.optimizers.Adam()`` for Keras's own.
        learning_rate: a finite number > 0, or a Keras learning-rate schedule (e.g. warmup then
            cosine decay: ``keras.optimizers.schedules.CosineDecay(0.0, steps, warmup_target=5e-5,
            warmup_steps=steps // 10)``), counted in training steps of the phase.

    Raises:
        kzoo.InputError: an unknown optimizer name or a bad learning rate.

    Example:
        >>> import keras, kzoo.finetune
        >>> [type(kzoo.finetune.fresh_optimizer(name, 0.1)).__name__ for name in ("sgd", "adam")]
        ['SGD', 'LazyAdam']
        >>> warmup = keras.optimizers.schedules.CosineDecay(0.0, 100, warmup_target=5e-5, warmup_steps=10)
        >>> float(kzoo.finetune.fresh_optimizer("adam", warmup).learning_rate)
        0.0
    """
    learning_rate = learning_rate_or_schedule("learning_rate", learning_rate)
    if isinstance(optimizer, str) and optimizer.lower() == "adam":
        optimizer = LazyAdam()
    if not isinstance(optimizer, keras.optimizers.Optimizer):
        try:
            optimizer = keras.optimizers.get(optimizer)
        except ValueError as err:
            raise InputError(f"optimizer == {optimizer!r} is not a Keras optimizer; pass a name such as "
                             "'adam' or 'sgd', or an optimizer instance.") from err
    return type(optimizer).from_config({**optimizer.get_config(), "learning_rate": learning_rate})


def learning_rate_or_schedule(name: str, value):
    """``value`` if it is a Keras learning-rate schedule, else as a finite float > 0.

    Example:
        >>> learning_rate_or_schedule("finetune_lr", -1)
        Traceback (most recent call last):
        kzoo.errors.InputError: finetune_lr == -1, must be a finite number > 0.
    """
    if isinstance(value, keras.optimizers.schedules.LearningRateSchedule):
        return value
    return positive_number(name, value)


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
    factors = [(variable, check_scalar(f"the learning-rate factor for {variable.path!r}", factor, min_val=0))
               for variable, factor in factors]
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
        return [(w, check_scalar(f"lr_mult[{name!r}]", f, min_val=0)) for name, f in lr_mult.items()
                for w in names[name].weights]
    lr_mult = check_scalar("lr_mult", lr_mult, min_val=0, max_val=1,
                           include_boundaries="right")
    body_groups = layer_groups(model, groups)[:-1]
    n = len(body_groups)
    return [(w, lr_mult ** (n - i)) for i, group in enumerate(body_groups)
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


_SCHEDULES = (None, "cosine")
_EVAL_BATCH = 256  # scoring cached features: any batch size gives the same numbers
_OWN_FIT_ARGS = ("x", "y", "epochs", "initial_epoch", "validation_data", "shuffle", "batch_size", "steps_per_epoch")


def fine_tune(model: keras.Model, train, validation_data=None, *,
              head_epochs: int = 5, lr: float = 1e-3, cache_features: bool = True,
              epochs: int = 0, finetune_lr: float | keras.optimizers.schedules.LearningRateSchedule | None = None,
              unfreeze_top: int | float | str | None = None,
              lr_mult: float | dict | None = None, groups: int = 3, train_batchnorm: bool = False,
              augment: keras.layers.Layer | None = None, schedule: str | None = None, warmup: float = 0.1,
              label_smoothing: float = 0.0, batch_size: int = 32, optimizer="adam", loss=None,
              metrics=("accuracy",), **fit_kwargs) -> keras.callbacks.History:
    """Train a classifier from pre-trained weights: head first, then (optionally) everything.

    Option 1 is ``head_epochs=N, epochs=0``; option 2 in one phase is ``head_epochs=0, epochs=N``;
    the two-phase schedule is both. It reads as fast.ai's ``fine_tune``: ``freeze``, fit the head,
    ``unfreeze``, fit everything; every argument of both phases is checked before phase 1 starts.

    Args:
        model: a classifier, e.g. from ``kzoo.load(name, num_classes=...)``. Trained in place.
        train: ``(x, y)`` arrays (y: integer class indices) or a batched ``tf.data.Dataset``. Texts
            for a KerasHub text classifier, given as arrays, are tokenized once and trained in
            batches of similar length, each padded only to its longest sentence (off TensorFlow, to
            its length bucket: 8, 16, 24, 32, 48, 64, ... tokens).
        validation_data: same forms as ``train``, or None.
        head_epochs: phase 1, epochs with the body frozen.
        lr: phase 1, learning rate.
        cache_features: phase 1, run the frozen body once and train the head on the stored
            features (much faster; no data augmentation then).
        epochs: phase 2, epochs after unfreezing.
        finetune_lr: phase 2, learning rate (default ``lr / 10``), or a Keras learning-rate schedule
            over the phase's training steps (warmup and decay; see ``fresh_optimizer``).
        unfreeze_top: phase 2, which body layers train (see ``kzoo.unfreeze``; None = all).
        lr_mult: phase 2, discriminative learning rates: a factor f in (0, 1] (body group i of
            ``groups``, 0 = bottom, learns at ``finetune_lr * f ** (groups - i)``) or a dict
            ``layer name -> factor``.
        groups: phase 2, number of body groups for a factor ``lr_mult``.
        train_batchnorm: phase 2, let BatchNorm layers train too (off: they stay in inference mode,
            the right choice for pre-trained statistics; on for training from scratch).
        augment: a Keras layer applied to the inputs while training only (e.g. ``keras.layers.RandomFlip``,
            or a ``keras.Sequential`` of them), in phase 2 and in an uncached phase 1; features cached
            for phase 1 are of the unaugmented inputs. Single-input models only.
        schedule: phase 2's learning rate over its steps: None (``finetune_lr`` as given) or
            ``"cosine"`` (a linear warmup from 0 over the first ``warmup`` fraction of the steps, then a
            cosine decay from ``finetune_lr`` to 0; the steps are counted for you).
        warmup: fraction of phase 2's steps spent warming up with ``schedule="cosine"``, in [0, 1).
        label_smoothing: both phases, in [0, 1): the default loss's targets become ``1 - label_smoothing``
            for the true class plus ``label_smoothing / classes`` for every class (e.g. 0.1), which
            discourages over-confident outputs. Not with your own ``loss``.
        batch_size: batch size for array input (both phases).
        optimizer: name or instance; a fresh one is made for each phase. ``"adam"`` is
            ``kzoo.LazyAdam`` (see ``fresh_optimizer``).
        loss: default sparse categorical cross-entropy (``from_logits`` follows the head).
        metrics: compiled metrics.
        **fit_kwargs: passed on to ``fit`` in both phases (``callbacks``, ``verbose`` (default 0),
            ``class_weight``, ...).

    Training batches are shuffled as Keras's ``fit`` shuffles them: by TensorFlow's global seed in
    tf.data pipelines, from NumPy's global random state otherwise (texts, and arrays off TensorFlow).
    Call ``keras.utils.set_random_seed(seed)`` first for a run that repeats (weights, dropout and
    order), and change the seed for another draw of all three.

    Returns:
        A ``keras.callbacks.History`` whose ``history`` covers both phases, with ``phases`` (also in
        ``params["phases"]``) giving each phase's epoch range.

    Raises:
        kzoo.InputError: bad epochs, rates or layer choices, empty data, NaN or infinite inputs, or
            labels outside the head; all before any training.

    Example:
        >>> import kzoo
        >>> model = kzoo.load("glyphnet", num_classes=10)   # letters -> a new 10-way head for digits
        >>> x, y = kzoo.datasets.load("digits", "train", as_numpy=True)
        >>> h = kzoo.fine_tune(model, (x[:64], y[:64]), (x[64:128], y[64:128]), head_epochs=1, epochs=1)
        >>> h.phases
        [{'phase': 'head', 'start_epoch': 0, 'end_epoch': 1}, {'phase': 'fine-tune', 'start_epoch': 1, 'end_epoch': 2}]
        >>> sorted(h.history)
        ['accuracy', 'loss', 'val_accuracy', 'val_loss']
    """
    head_epochs, epochs = whole_number("head_epochs", head_epochs, low=0), whole_number("epochs", epochs, low=0)
    if head_epochs + epochs == 0:
        raise InputError("nothing to train: head_epochs and epochs are both 0.")
    batch_size = whole_number("batch_size", batch_size)
    lr = positive_number("lr", lr)
    finetune_lr = lr / 10 if finetune_lr is None else learning_rate_or_schedule("finetune_lr", finetune_lr)
    augment = _check_augment(model, augment)
    if schedule not in _SCHEDULES:
        raise InputError(f"schedule == {schedule!r}: choose None or 'cosine'.")
    if schedule == "cosine" and not isinstance(finetune_lr, float):
        raise InputError("schedule='cosine' makes its own schedule, peaking at finetune_lr: pass finetune_lr as "
                         "a number, or pass your schedule as finetune_lr with schedule=None.")
    warmup = check_scalar("warmup", warmup, min_val=0, max_val=1, include_boundaries="left")
    label_smoothing = check_scalar("label_smoothing", label_smoothing, min_val=0, max_val=1,
                                   include_boundaries="left")
    if label_smoothing and loss is not None:
        raise InputError("label_smoothing applies to the default loss: pass it to your own loss instead "
                         "(e.g. keras.losses.CategoricalCrossentropy(label_smoothing=...) on one-hot labels).")
    phase_steps = epochs * _steps(train, batch_size) if schedule == "cosine" else 0
    fit_kwargs = _fit_kwargs(fit_kwargs)
    _check_data(model, train, validation_data)
    if _text_batches.applies(model, train) and (validation_data is None
                                                 or _text_batches.applies(model, validation_data)):
        # Tokenized once for both phases; batches are then padded only to their longest sentence.
        train = _text_batches.tokenize(model, train)
        validation_data = None if validation_data is None else _text_batches.tokenize(model, validation_data)
    loss = loss or _default_loss(model, label_smoothing)
    compile_kw = {"loss": loss, "metrics": list(metrics)}
    # Phase 2 is checked now, so a mistake in it cannot waste phase 1's training.
    head_optimizer = fresh_optimizer(optimizer, lr)
    body_optimizer = fresh_optimizer(optimizer, _cosine(finetune_lr, warmup, phase_steps) if phase_steps
                                     else finetune_lr)
    if epochs:
        body_layers(model, unfreeze_top)
        if lr_mult is not None:
            body_optimizer = discriminative_optimizer(
                body_optimizer, _group_multipliers(model, lr_mult, whole_number("groups", groups)))

    histories = []
    if head_epochs:
        freeze(model)
        if cache_features:
            head = _fit_head_on_features(model, train, validation_data, batch_size, head_epochs, head_optimizer,
                                         compile_kw, fit_kwargs)
        else:
            head = _fit_model(_with_augment(model, augment), train, validation_data, batch_size, head_epochs, 0,
                              head_optimizer, compile_kw, fit_kwargs)
        histories.append(("head", head))
    if epochs:
        unfreeze(model, top=unfreeze_top, train_batchnorm=train_batchnorm)
        histories.append(("fine-tune", _fit_model(_with_augment(model, augment), train, validation_data, batch_size,
                                                  head_epochs + epochs, head_epochs, body_optimizer, compile_kw,
                                                  fit_kwargs)))
    return _merge(histories)


def _fit_kwargs(fit_kwargs: dict) -> dict:
    taken = sorted(set(fit_kwargs) & set(_OWN_FIT_ARGS))
    if taken:
        raise InputError(f"fine_tune sets {taken} itself; pass the data as train/validation_data and the "
                         "epochs as head_epochs/epochs.")
    return {"verbose": 0, **fit_kwargs, "callbacks": list(fit_kwargs.get("callbacks", ()))}


def _check_data(model, train, validation_data=None) -> None:
    units = find_head(model).units
    for what, data in (("train", train), ("validation_data", validation_data)):
        if data is not None:
            check_training_data(data, units, what)
            check_inputs(model, data)


def _fit_model(model, train, validation_data, batch_size, epochs, initial_epoch, optimizer, compile_kw, fit_kw):
    if isinstance(train, _text_batches.TokenizedText):
        model = _text_batches.token_model(model)
    model.compile(optimizer=optimizer, **compile_kw)
    return model.fit(_fit_data(train, batch_size, shuffle=True), epochs=epochs, initial_epoch=initial_epoch,
                     shuffle=False, validation_data=_fit_data(validation_data, batch_size), **fit_kw)


def _fit_head_on_features(model, train, validation_data, batch_size, epochs, optimizer, compile_kw, fit_kw):
    """Phase 1 with the frozen body run once: the head block trains on stored features."""
    _, head_block = split_model(model)
    feats = extract_features(model, train, batch_size=batch_size)
    val = extract_features(model, validation_data, batch_size=batch_size) if validation_data is not None else None
    if not wants_tf_data(feats):  # numpy batches (a PyDataset): nothing is rebuilt between epochs
        return _fit_model(head_block, feats, val, batch_size, epochs, 0, optimizer, compile_kw, fit_kw)
    head_block.compile(optimizer=optimizer, **compile_kw)
    # One pipeline over the stored arrays, built once and repeated (it reshuffles on each pass): fed
    # arrays or a finite dataset, Keras sets up a new pipeline every epoch, which costs more than the
    # head's few steps.
    return head_block.fit(to_dataset(feats, batch_size=batch_size, shuffle=True).repeat(),
                          steps_per_epoch=math.ceil(len(feats[1]) / batch_size), epochs=epochs, shuffle=False,
                          validation_data=_fit_data(val, _EVAL_BATCH), **fit_kw)


def _check_augment(model, augment):
    if augment is None:
        return None
    if not isinstance(augment, keras.layers.Layer):
        raise InputError(f"augment must be a Keras layer (e.g. keras.layers.RandomFlip('horizontal')), got "
                         f"{type(augment).__name__}.")
    if len(model.inputs) != 1:
        raise InputError(f"augment needs a model with one input; {model.name!r} has {len(model.inputs)}. "
                         "Augment the data in your tf.data pipeline instead.")
    return augment


def _with_augment(model, augment):
    """``model`` behind ``augment`` (active in training only); the two share every weight."""
    if augment is None:
        return model
    inputs = keras.Input(model.inputs[0].shape[1:], dtype=model.inputs[0].dtype)
    return keras.Model(inputs, model(augment(inputs)), name=f"{model.name}_augmented")


def _steps(train, batch_size) -> int:
    """Batches per epoch of ``train``: the arrays' count, or a dataset's cardinality when it is known."""
    if not is_dataset(train):
        return math.ceil(len(train[0]) / batch_size)
    steps = int(train.cardinality())
    if steps < 1:
        raise InputError("schedule='cosine' needs the number of batches per epoch, and this dataset's is "
                         "unknown (e.g. after filter or repeat): pass arrays, or a dataset of known size "
                         "(dataset.apply(tf.data.experimental.assert_cardinality(n))).")
    return steps


def _cosine(peak: float, warmup: float, steps: int) -> keras.optimizers.schedules.LearningRateSchedule:
    warm = int(warmup * steps)
    return keras.optimizers.schedules.CosineDecay(0.0, max(1, steps - warm), warmup_target=peak, warmup_steps=warm)


class _ArrayBatches(keras.utils.PyDataset):
    """``(x, y)`` arrays in batches, reshuffled every epoch when asked: the numpy pipeline, no TensorFlow."""

    def __init__(self, x, y, batch_size, shuffle, seed):
        super().__init__()
        self.x, self.y, self.batch_size, self.shuffle = x, y, batch_size, shuffle
        self.rng = np.random.default_rng(seed)
        self.order = self.rng.permutation(len(x)) if shuffle else np.arange(len(x))

    def __len__(self):
        return -(-len(self.x) // self.batch_size)

    def __getitem__(self, index):
        part = self.order[index * self.batch_size:(index + 1) * self.batch_size]
        return self.x[part], self.y[part]

    def on_epoch_end(self):
        if self.shuffle:
            self.order = self.rng.permutation(len(self.x))


def _shuffle_seed(shuffle: bool) -> int:
    """A seed for a NumPy-side shuffle, drawn from NumPy's global random state as Keras's own ``fit`` shuffles
    arrays off TensorFlow: ``keras.utils.set_random_seed`` makes it repeat, another seed draws another order.
    (A tf.data shuffle follows TensorFlow's global seed instead, which the same call sets.)"""
    return int(np.random.randint(2**31 - 1)) if shuffle else 0


def _fit_data(data, batch_size, shuffle=False):
    """What ``model.fit`` gets: length-sorted text batches, tf.data where ``wants_tf_data`` says so, numpy otherwise."""
    if data is None:
        return None
    if isinstance(data, _text_batches.TokenizedText):
        return _text_batches.dataset(data, batch_size, shuffle=shuffle, seed=_shuffle_seed(shuffle))
    if wants_tf_data(data):
        return to_dataset(data, batch_size=batch_size, shuffle=shuffle)
    return _ArrayBatches(*(np.asarray(a) for a in data), batch_size=batch_size, shuffle=shuffle,
                         seed=_shuffle_seed(shuffle))


@dataclasses.dataclass
class LRFinderResult:
    """Loss against learning rate from ``kzoo.lr_find``.

    Attributes:
        lrs: learning rates tried, one per step (increasing).
        losses: training loss at each step.
        suggestion: a good starting learning rate: a tenth of the rate with the lowest smoothed loss.

    Example:
        >>> import numpy as np, kzoo
        >>> result = kzoo.LRFinderResult(np.array([1e-4, 1e-3, 1e-2]), np.array([2.3, 1.1, 9.0]), 1e-4)
        >>> fig = result.plot()
        >>> fig.axes[0].get_xscale()
        'log'
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
        >>> model = kzoo.load("glyphnet", num_classes=10)
        >>> x, y = kzoo.datasets.load("digits", "train", as_numpy=True)
        >>> result = kzoo.lr_find(model, (x[:64], y[:64]), num_steps=10)
        >>> len(result.lrs), len(result.losses)  # one rate and one loss per step
        (10, 10)
        >>> fig = result.plot()
    """
    start_lr = positive_number("start_lr", start_lr)
    end_lr = check_scalar("end_lr", end_lr, min_val=start_lr, include_boundaries="neither")
    num_steps = whole_number("num_steps", num_steps, low=5)
    batch_size = whole_number("batch_size", batch_size)
    _check_data(model, train)
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

    model.compile(optimizer=fresh_optimizer(optimizer, start_lr), loss=loss or _default_loss(model))
    try:
        # One step per "epoch": Keras reports the mean loss of an epoch, here that of one batch. A tf.data
        # pipeline must repeat to last; the numpy batches start over (reshuffled) every epoch.
        data = _fit_data(train, batch_size, shuffle=True)
        model.fit(data.repeat() if is_dataset(data) else data, steps_per_epoch=1,
                  epochs=num_steps, callbacks=[_Sweep()], shuffle=False, verbose=0)
    finally:
        model.set_weights(saved)
    losses = np.asarray(losses)
    smooth = np.copy(losses)
    for i in range(1, len(smooth)):
        smooth[i] = 0.8 * smooth[i - 1] + 0.2 * losses[i]
    return LRFinderResult(lrs[: len(losses)], losses, float(lrs[int(np.argmin(smooth))] / 10))
