"""Class-incremental learning: add classes to a trained classifier without forgetting the old ones.

A classifier knows N classes; data for k new classes arrives. ``learn_new_classes`` grows the head
(``kzoo.add_classes`` keeps the old rows exactly) and trains with one of four strategies:

- ``"naive"``: fine-tune on the new data alone. The baseline; it forgets: nothing in the loss asks
  the model to keep predicting classes it no longer sees, so it soon predicts only the new ones.
- ``"replay"``: keep a few stored examples per old class (an ``ExemplarMemory``, chosen at random or
  by iCaRL's herding) and mix them into every batch, class-balanced.
- ``"lwf"``: Learning without Forgetting (Li & Hoiem 2016): no old data; the model is asked to keep
  giving the new data the same old-class scores as before (knowledge distillation at a temperature),
  on top of cross-entropy on the new labels over the new classes' outputs (their L_new).
- ``"lwf+replay"``: both, with the distillation applied to the new data and the exemplars, and the
  cross-entropy over all classes (as in iCaRL).

``freeze_body=True`` trains only the grown head, on features computed once (much faster; the body,
and so every feature the old classes rely on, cannot drift). On its own it does not stop forgetting:
the head still learns to prefer the new classes; combine it with replay.

Evaluation follows the continual-learning literature: ``learn_in_steps`` runs a sequence of steps and
predicts a test set after each, ``accuracy_matrix`` (R[i, j], accuracy on step j's classes after
training step i), ``average_accuracy``, ``backward_transfer`` (Lopez-Paz & Ranzato
2017) and ``forgetting`` (Chaudhry et al. 2018).
"""
from __future__ import annotations

import dataclasses
import inspect
import math
import warnings
from typing import Sequence

import keras
import numpy as np
from keras import ops

from kzoo._checks import check_scalar, class_names, labelled_pair, positive_number, whole_number
from kzoo._data import check_training_data
from kzoo._graph import output_activation
from kzoo.errors import InputError
from kzoo.features import extract_features, split_model
from kzoo.finetune import fresh_optimizer
from kzoo.freeze import freeze, unfreeze
from kzoo.heads import add_classes, find_head

STRATEGIES = ("naive", "replay", "lwf", "lwf+replay")
SELECTIONS = ("random", "herding")


def _herding(features: np.ndarray, m: int) -> np.ndarray:
    """Indices of ``m`` examples whose running feature mean best tracks the class mean (iCaRL, Alg. 4)."""
    feats = features / np.maximum(np.linalg.norm(features, axis=1, keepdims=True), 1e-12)
    mean, total = feats.mean(axis=0), np.zeros(feats.shape[1])
    chosen: list[int] = []
    for k in range(1, m + 1):
        distance = np.linalg.norm(mean - (total + feats) / k, axis=1)
        distance[chosen] = np.inf
        best = int(np.argmin(distance))
        chosen.append(best)
        total += feats[best]
    return np.asarray(chosen)


@dataclasses.dataclass
class ExemplarMemory:
    """A bounded store of examples of the classes learned so far, replayed when new classes arrive.

    Holds at most ``per_class`` examples of each class. ``update`` adds the classes of the data it is
    given (replacing any examples already stored for those classes).

    Args:
        per_class: examples kept per class (>= 1); the memory grows by this much per class learned.
        selection: ``"random"``, or ``"herding"``: iCaRL's choice (Rebuffi et al. 2017): examples
            picked one by one so that the mean of the chosen examples' (L2-normalised) body features
            stays closest to the class mean.
        seed: seed of the random selection.

    Attributes:
        x, y: the stored examples and their labels (None while empty).

    Raises:
        kzoo.InputError: ``per_class`` < 1 or an unknown ``selection``.

    Example:
        >>> import kzoo
        >>> x, y = kzoo.datasets.load("digits", "train", as_numpy=True)
        >>> old, new = y < 8, y >= 8
        >>> model = kzoo.load("glyphnet", class_names=list("01234567"))  # stands for a model trained on 0-7
        >>> memory = ExemplarMemory(per_class=20, selection="herding")
        >>> memory.update(model, x[old], y[old])   # after training on the old classes
        ExemplarMemory(per_class=20, selection='herding', seed=0)
        >>> len(memory), memory.classes
        (160, [0, 1, 2, 3, 4, 5, 6, 7])
    """

    per_class: int
    selection: str = "random"
    seed: int = 0
    x: np.ndarray | None = dataclasses.field(default=None, repr=False)
    y: np.ndarray | None = dataclasses.field(default=None, repr=False)

    def __post_init__(self):
        whole_number("the memory budget (examples kept per class) per_class", self.per_class)
        if self.selection not in SELECTIONS:
            raise InputError(f"selection must be one of {SELECTIONS}, got {self.selection!r}.")

    def __len__(self) -> int:
        return 0 if self.y is None else len(self.y)

    @property
    def classes(self) -> list[int]:
        """The class indices stored, sorted."""
        return [] if self.y is None else sorted(set(self.y.tolist()))

    def update(self, model: keras.Model, x, y, *, batch_size: int = 256) -> "ExemplarMemory":
        """Store up to ``per_class`` examples of each class in ``y``.

        Args:
            model: the classifier after training on these classes (herding uses its body's features).
            x: examples (numpy array).
            y: their integer labels.
            batch_size: batch size for the feature extraction of herding.

        Returns:
            The memory itself.

        Raises:
            kzoo.InputError: ``x``/``y`` mismatched or labels not integer class indices.
        """
        x, y = labelled_pair((x, y), "memory data", class_indices=True)
        if self.x is not None and x.shape[1:] != self.x.shape[1:]:
            raise InputError(f"examples of shape {x.shape[1:]} do not match the memory's {self.x.shape[1:]}.")
        features = extract_features(model, x, batch_size=batch_size) if self.selection == "herding" else None
        picked = []
        for c in np.unique(y):
            index = np.flatnonzero(y == c)
            m = min(self.per_class, len(index))
            if features is None:
                picked.append(np.random.default_rng([self.seed, int(c)]).choice(index, m, replace=False))
            else:
                picked.append(index[_herding(features[index], m)])
        picked = np.concatenate(picked)
        keep = np.ones(len(self), bool) if self.y is None else ~np.isin(self.y, y)
        self.x = x[picked] if self.x is None else np.concatenate([self.x[keep], x[picked]])
        self.y = y[picked] if self.y is None else np.concatenate([self.y[keep], y[picked]])
        return self


@keras.saving.register_keras_serializable(package="kzoo")
class DistillationLoss(keras.losses.Loss):
    """Learning-without-Forgetting loss: cross-entropy on the labels plus distillation of old logits.

    ``loss = CE(label, logits) + weight * KL(softmax(old / T) || softmax(logits[:, :num_old] / T))``
    (Li & Hoiem 2016, eq. 2-3 with lambda_o = ``weight``; the KL divergence differs from their soft
    cross-entropy by a constant, so the gradients are the same, and it is 0 when the old scores are kept).

    With ``separate_new=True`` the cross-entropy of an example of a new class is taken over the new
    classes' outputs only, as Li & Hoiem's L_new is over the new task's outputs. Without old examples
    that matters: a softmax over all classes would only ever tell the old classes to score lower (the
    new data never belongs to them), which is the bias that makes naive fine-tuning forget. When
    exemplars of the old classes are replayed (``separate_new=False``, as in iCaRL), the cross-entropy
    over all classes is what sets old against new. Examples of old classes always use all classes.

    The targets carry both parts: ``y_true[:, 0]`` is the integer label, ``y_true[:, 1:]`` the logits
    the model gave the example for its ``num_old`` old classes before this step. Only ``keras.ops``,
    so it works on every backend.

    Args:
        num_old: number of old classes (the first ``num_old`` outputs).
        temperature: T > 0; above 1 softens the old model's distribution, bringing out how it ranks the
            wrong classes ("dark knowledge"); Li & Hoiem use 2.
        weight: lambda_o >= 0, the weight of the distillation term.
        separate_new: cross-entropy of new-class examples over the new classes only (see above).

    Example:
        >>> import numpy as np
        >>> loss = DistillationLoss(num_old=2)
        >>> y_true = np.array([[2, 1.0, -1.0]], "float32")        # label 2, old logits (1, -1)
        >>> logits = np.array([[1.0, -1.0, 5.0]], "float32")   # old scores kept: the KL term is 0
        >>> round(float(loss(y_true, logits)), 4)               # cross-entropy of label 2 alone
        0.0206
    """

    def __init__(self, num_old: int, temperature: float = 2.0, weight: float = 1.0, separate_new: bool = False,
                 name: str = "lwf_loss", **kwargs):
        super().__init__(name=name, **kwargs)
        self.num_old, self.temperature, self.weight = int(num_old), float(temperature), float(weight)
        self.separate_new = bool(separate_new)

    def call(self, y_true, y_pred):
        y_true = ops.cast(y_true, y_pred.dtype)
        labels = ops.cast(y_true[:, 0], "int32")
        ce = keras.losses.sparse_categorical_crossentropy(labels, y_pred, from_logits=True)
        if self.separate_new:
            ce_new = keras.losses.sparse_categorical_crossentropy(
                ops.maximum(labels - self.num_old, 0), y_pred[:, self.num_old:], from_logits=True)
            ce = ops.where(labels >= self.num_old, ce_new, ce)
        old = ops.log_softmax(y_true[:, 1:] / self.temperature, axis=-1)
        new = ops.log_softmax(y_pred[:, : self.num_old] / self.temperature, axis=-1)
        kl = ops.sum(ops.exp(old) * (old - new), axis=-1)
        return ce + self.weight * kl

    def get_config(self):
        return {**super().get_config(), "num_old": self.num_old, "temperature": self.temperature,
                "weight": self.weight, "separate_new": self.separate_new}


@keras.saving.register_keras_serializable(package="kzoo")  # a saved LwF-compiled model loads again
def _label_accuracy(y_true, y_pred):
    """Accuracy when the label is the first column of packed targets."""
    labels = ops.cast(y_true[:, 0], "int32")
    return ops.cast(ops.equal(ops.cast(ops.argmax(y_pred, axis=-1), "int32"), labels), "float32")


class _Batches(keras.utils.PyDataset):
    """Batches of new data, each with a class-balanced share of replayed exemplars.

    Every batch takes ``round(batch_size * c_mem / (c_mem + c_new))`` exemplars (at least 1, at most
    ``batch_size - 1``), where ``c_mem`` and ``c_new`` count the classes in memory and in the new data:
    in expectation each class gets the same share of every batch, which counters the pull towards the
    new classes that a plain concatenation of few exemplars and much new data leaves.
    An epoch has as many batches as the concatenation would have (one pass over new + memory).
    """

    def __init__(self, x, t, batch_size, memory=None, seed=0):
        super().__init__()
        self.x, self.t, self.memory, self.batch_size = x, t, memory, batch_size
        self.rng = np.random.default_rng(seed)
        if memory is None:
            self.n_mem, n = 0, len(x)
        else:
            c_mem, c_new = memory[2], len(np.unique(t if t.ndim == 1 else t[:, 0]))
            self.n_mem = min(batch_size - 1, max(1, round(batch_size * c_mem / (c_mem + c_new))))
            n = len(x) + len(memory[0])
        self.steps = math.ceil(n / batch_size)
        self.on_epoch_end()

    def _stream(self, size, count):
        """``count`` indices into ``size`` items: shuffled passes, repeated as often as needed."""
        passes = math.ceil(count / size)
        return np.concatenate([self.rng.permutation(size) for _ in range(passes)])[:count]

    def on_epoch_end(self):
        n_new = self.batch_size - self.n_mem
        self.new_index = self._stream(len(self.x), self.steps * n_new).reshape(self.steps, n_new)
        if self.memory is not None:
            self.mem_index = self._stream(len(self.memory[0]), self.steps * self.n_mem).reshape(
                self.steps, self.n_mem)

    def __len__(self):
        return self.steps

    def __getitem__(self, i):
        x, t = self.x[self.new_index[i]], self.t[self.new_index[i]]
        if self.memory is not None:
            x_mem, t_mem, _ = self.memory
            x = np.concatenate([x, x_mem[self.mem_index[i]]])
            t = np.concatenate([t, t_mem[self.mem_index[i]]])
        return x, t


def _check_strategy(strategy, memory):
    if strategy not in STRATEGIES:
        raise InputError(f"strategy must be one of {STRATEGIES}, got {strategy!r}.")
    if "replay" in strategy:
        if not isinstance(memory, ExemplarMemory):
            raise InputError(f"strategy {strategy!r} replays stored examples: pass "
                             "memory=kzoo.incremental.ExemplarMemory(per_class=20), filled with "
                             "memory.update(model, x_old, y_old) after training on the old classes.")
        if not len(memory):
            raise InputError("the memory is empty: call memory.update(model, x_old, y_old) after training on "
                             "the old classes, before learning new ones.")
    elif memory is not None:
        raise InputError(f"strategy {strategy!r} does not replay; pass memory=None, or use "
                         f"strategy={'lwf+replay' if strategy == 'lwf' else 'replay'!r}.")


def train_step(model: keras.Model, new_data, *, strategy: str = "naive", num_old: int | None = None,
               memory: ExemplarMemory | None = None, freeze_body: bool = False, epochs: int = 5,
               lr: float = 1e-3, batch_size: int = 32, temperature: float = 2.0, lwf_weight: float = 1.0,
               optimizer="adam", seed: int = 0, verbose: int | str = 0) -> keras.callbacks.History:
    """Train an already grown classifier on one incremental step's data (in place).

    Use ``learn_new_classes`` to grow and train in one call; this is the training half, for a model
    whose head already has room for the new classes (``kzoo.add_classes``).

    Args:
        model: a classifier with a logits head covering every label in ``new_data`` and ``memory``.
        new_data: ``(x, y)`` numpy arrays, ``y`` integer indices into the head.
        strategy: ``"naive"``, ``"replay"``, ``"lwf"`` or ``"lwf+replay"`` (see the module docstring).
        num_old: number of old classes (the first ``num_old`` outputs); required by the LwF strategies,
            whose distillation targets are the model's own old-class logits before this step.
        memory: an ``ExemplarMemory`` for the replay strategies (not updated here).
        freeze_body: train only the head, on features computed once (``kzoo.freeze``; otherwise the
            whole model trains, with BatchNorm kept in inference mode as ``kzoo.unfreeze`` does).
        epochs: passes over the new data plus the memory.
        lr: learning rate.
        batch_size: examples per batch (replayed exemplars included).
        temperature: distillation temperature T (LwF).
        lwf_weight: weight lambda of the distillation term (LwF).
        optimizer: name or instance (a fresh one is made).
        seed: seeds Keras (initialisation, dropout) and the batch order.
        verbose: passed to ``fit``.

    Returns:
        The ``keras.callbacks.History`` of the training (loss and accuracy on the training batches).

    Raises:
        kzoo.InputError: bad arguments, labels outside the head, a softmax head, or a replay strategy
            without a filled memory.

    Example:
        >>> import kzoo
        >>> x, y = kzoo.datasets.load("digits", "train", as_numpy=True)
        >>> old, new = y < 8, y >= 8
        >>> model = kzoo.load("glyphnet", class_names=list("01234567"))  # stands for a model trained on 0-7
        >>> grown = kzoo.add_classes(model, ["8", "9"])
        >>> history = train_step(grown, (x[new], y[new]), strategy="lwf", num_old=8, epochs=1, freeze_body=True)
        >>> sorted(history.history)
        ['accuracy', 'loss']
    """
    _check_strategy(strategy, memory)
    x, y = labelled_pair(new_data, "new_data", class_indices=True)
    for name, value in (("epochs", epochs), ("batch_size", batch_size)):
        whole_number(name, value)
    for name, value in (("lr", lr), ("temperature", temperature)):
        positive_number(name, value)
    check_scalar("lwf_weight", lwf_weight, min_val=0)
    whole_number("seed", seed, low=0)
    head = find_head(model)
    activation = output_activation(model, head)
    if activation is not None:
        raise InputError(f"{model.name!r} applies {activation} to its head's output; incremental training "
                         "needs logits (kzoo.add_classes and kzoo.swap_head give a logits head).")
    distill = strategy.startswith("lwf")
    if distill:
        whole_number("num_old", num_old)
        if num_old >= head.units:
            raise InputError(f"num_old={num_old} but the head has {head.units} classes; the new classes "
                             "come after the old ones (grow the head with kzoo.add_classes).")
    replay = (memory.x, memory.y) if "replay" in strategy else None
    check_training_data((x, y), head.units, "new_data")
    if replay is not None:
        check_training_data(replay, head.units, "the memory")

    keras.utils.set_random_seed(seed)
    if freeze_body:
        freeze(model)
        net = split_model(model)[1]
        x = extract_features(model, x, batch_size=max(batch_size, 256))
        if replay is not None:
            replay = (extract_features(model, replay[0], batch_size=max(batch_size, 256)), replay[1])
    else:
        unfreeze(model)
        net = model

    def targets(inputs, labels):
        if not distill:
            return labels
        old = net.predict(inputs, batch_size=max(batch_size, 256), verbose=0)[:, :num_old]
        return np.concatenate([labels[:, None].astype("float32"), old.astype("float32")], axis=1)

    memory_part = None if replay is None else (replay[0], targets(*replay), len(np.unique(replay[1])))
    batches = _Batches(x, targets(x, y), batch_size, memory_part, seed)
    if distill:
        loss = DistillationLoss(num_old, temperature, lwf_weight, separate_new=replay is None)
        metrics = [keras.metrics.MeanMetricWrapper(_label_accuracy, name="accuracy")]
    else:
        loss, metrics = keras.losses.SparseCategoricalCrossentropy(from_logits=True), ["accuracy"]
    net.compile(optimizer=fresh_optimizer(optimizer, lr), loss=loss, metrics=metrics)
    return net.fit(batches, epochs=epochs, verbose=verbose)


def train_step_naive(model: keras.Model, new_data, **kwargs) -> keras.callbacks.History:
    """The baseline that forgets: fine-tune a grown classifier on the new classes' data alone.

    Args:
        model: a classifier whose head already has the new classes (``kzoo.add_classes``).
        new_data: ``(x, y)`` numpy arrays of the new step.
        **kwargs: ``freeze_body``, ``epochs``, ``lr``, ``batch_size``, ``optimizer``, ``seed``,
            ``verbose`` as in ``train_step``.

    Returns:
        The ``keras.callbacks.History`` of the training.

    Raises:
        kzoo.InputError: as ``train_step``.

    Example:
        >>> import kzoo
        >>> x, y = kzoo.datasets.load("digits", "train", as_numpy=True)
        >>> old, new = y < 8, y >= 8
        >>> model = kzoo.load("glyphnet", class_names=list("01234567"))  # stands for a model trained on 0-7
        >>> history = train_step_naive(kzoo.add_classes(model, ["8", "9"]), (x[new], y[new]), epochs=1)
        >>> len(history.history["loss"])
        1
    """
    return train_step(model, new_data, strategy="naive", **kwargs)


# train_step's settings that learn_new_classes forwards (it fills in new_data, strategy, num_old, memory).
_TRAIN_SETTINGS = frozenset(inspect.signature(train_step).parameters) - {"model", "new_data", "strategy", "num_old",
                                                                         "memory"}


def learn_new_classes(model: keras.Model, new_data, new_class_names: Sequence[str], *, strategy: str = "naive",
                      memory: ExemplarMemory | None = None, init: str = "mean", **train_kwargs
                      ) -> tuple[keras.Model, keras.callbacks.History]:
    """Grow a classifier by new classes (``kzoo.add_classes``) and train it on their data.

    The grown model shares its body with ``model``, so training changes ``model``'s body too: keep
    using the returned model. With a replay strategy, the memory is updated with the new classes
    after training (so it is ready for the next step).

    Args:
        model: a trained classifier with a logits head over N classes.
        new_data: ``(x, y)`` numpy arrays; ``y`` indexes the grown head: the new classes are
            N .. N + k - 1, in the order of ``new_class_names`` (old-class examples, 0 .. N - 1, may be mixed in).
        new_class_names: names of the k new classes.
        strategy: ``"naive"`` (forgets), ``"replay"``, ``"lwf"`` or ``"lwf+replay"``.
        memory: an ``ExemplarMemory`` holding old classes (replay strategies only).
        init: how the new head rows start (``kzoo.add_classes``).
        **train_kwargs: the training settings of ``train_step`` (``freeze_body``, ``epochs``, ``lr``,
            ``batch_size``, ``temperature``, ``lwf_weight``, ``optimizer``, ``seed``, ``verbose``).

    Returns:
        ``(grown_model, history)``.

    Raises:
        kzoo.InputError: labels the grown model will not know, bad names or arguments, a replay
            strategy without a filled memory.

    Example:
        >>> import kzoo
        >>> x, y = kzoo.datasets.load("digits", "train", as_numpy=True)
        >>> old, new = y < 8, y >= 8
        >>> model = kzoo.load("glyphnet", class_names=list("01234567"))  # stands for a model trained on 0-7
        >>> memory = ExemplarMemory(per_class=5).update(model, x[old], y[old])
        >>> model10, history = learn_new_classes(model, (x[new], y[new]), ["8", "9"], strategy="replay",
        ...                                      memory=memory, epochs=1, freeze_body=True)
        >>> kzoo.class_names(model10)[-3:], memory.classes[-3:]   # the memory now holds 8 and 9 too
        (['7', '8', '9'], [7, 8, 9])
    """
    _check_strategy(strategy, memory)
    x, y = labelled_pair(new_data, "new_data", class_indices=True)
    new_class_names = class_names(new_class_names, name="new_class_names")
    unknown_kwargs = sorted(set(train_kwargs) - _TRAIN_SETTINGS)
    if unknown_kwargs:
        raise InputError(f"learn_new_classes got unknown arguments {unknown_kwargs}; it takes "
                         f"strategy, memory, init and train_step's {sorted(_TRAIN_SETTINGS)}.")
    num_old = find_head(model).units
    units = num_old + len(new_class_names)
    unknown = sorted(set(y[(y < 0) | (y >= units)].tolist()))
    if unknown:
        raise InputError(
            f"new_data has labels {unknown[:10]} that the grown model will not know: it will have {units} "
            f"classes ({num_old} old: 0..{num_old - 1}, {len(new_class_names)} new: {num_old}..{units - 1}). "
            "Label the new classes N, N+1, ... in the order of new_class_names.")
    with warnings.catch_warnings():  # "add_classes returns an uncompiled model": train_step compiles it
        warnings.filterwarnings("ignore", message="add_classes returns an uncompiled model")
        grown = add_classes(model, new_class_names, init=init)
    history = train_step(grown, (x, y), strategy=strategy, num_old=num_old, memory=memory, **train_kwargs)
    if memory is not None:
        memory.update(grown, x, y)
    return grown, history


def learn_in_steps(model: keras.Model, steps: Sequence, x_test, *, strategy: str = "naive",
                   memory: ExemplarMemory | None = None, **kwargs) -> tuple[keras.Model, list[np.ndarray]]:
    """Learn several steps of new classes in turn, predicting a test set before and after each.

    The evaluation loop of class-incremental learning: one ``learn_new_classes`` call per step,
    each continuing from the model the previous step returned, with the same memory throughout.

    Args:
        model: a classifier trained on the first step's classes.
        steps: the later steps, each ``(x, y, new_class_names)`` as ``learn_new_classes`` takes them.
        x_test: inputs of every class (old and new) to predict after each step.
        strategy: ``"naive"``, ``"replay"``, ``"lwf"`` or ``"lwf+replay"`` (``learn_new_classes``).
        memory: an ``ExemplarMemory`` holding the first step's classes (replay strategies only).
        **kwargs: any other ``learn_new_classes`` argument (``epochs``, ``lr``, ``freeze_body`` ...).

    Returns:
        ``(final_model, predictions)``: ``predictions[0]`` is ``model``'s output on ``x_test``,
        ``predictions[i]`` the output after step ``i``; give them to ``accuracy_matrix``.

    Raises:
        kzoo.InputError: ``steps`` is not a non-empty list of ``(x, y, new_class_names)``, or a step
            fails ``learn_new_classes``'s checks (the message says which step).

    Example:
        >>> import kzoo
        >>> x, y = kzoo.datasets.load("digits", "train", as_numpy=True)
        >>> old, new = y < 8, y >= 8
        >>> model = kzoo.load("glyphnet", class_names=list("01234567"))  # stands for a model trained on 0-7
        >>> x_test, y_test = kzoo.datasets.load("digits", "test", as_numpy=True)
        >>> model, predictions = learn_in_steps(model, [(x[new], y[new], ["8", "9"])], x_test,
        ...                                     epochs=1, freeze_body=True)
        >>> R = accuracy_matrix(predictions, y_test, [[0, 1, 2, 3, 4, 5, 6, 7], [8, 9]])
        >>> R.shape, float(R[0, 1])   # before step 1 the model cannot predict 8 or 9
        ((2, 2), 0.0)
    """
    if not isinstance(steps, Sequence) or not steps \
            or any(not isinstance(step, (tuple, list)) or len(step) != 3 for step in steps):
        raise InputError("steps must be a non-empty list of (x, y, new_class_names), one per step after the "
                         "first, e.g. [(x_23, y_23, ['2', '3'])].")
    predictions = [model.predict(x_test, verbose=0)]
    for i, (x, y, names) in enumerate(steps, start=1):
        try:
            model, _ = learn_new_classes(model, (x, y), names, strategy=strategy, memory=memory, **kwargs)
        except InputError as error:
            raise InputError(f"step {i} of {len(steps)}: {error}") from None
        predictions.append(model.predict(x_test, verbose=0))
    return model, predictions


def accuracy_matrix(predictions: Sequence, y_true, steps: Sequence[Sequence[int]]) -> np.ndarray:
    """The accuracy matrix R of a class-incremental run (Lopez-Paz & Ranzato 2017, GEM, sec. 4).

    ``R[i, j]`` is the accuracy on the test examples of step j's classes after training step i. In
    class-incremental learning the model cannot predict classes it has not met yet, so entries with
    j > i are 0.

    Args:
        predictions: one entry per step i: the model's predictions on the whole test set after training
            step i, as labels (N,) or scores/logits (N, classes so far; the argmax is taken).
        y_true: the test labels (N,).
        steps: the class indices of each step, e.g. ``[[0, 1], [2, 3], ...]``; disjoint.

    Returns:
        A (T, T) float array.

    Raises:
        kzoo.InputError: lengths disagree, steps overlap, or a step has no test examples.

    Example:
        >>> y = np.array([0, 0, 1, 1])
        >>> accuracy_matrix([[0, 0, 0, 0], [0, 1, 1, 1]], y, [[0], [1]]).tolist()
        [[1.0, 0.0], [0.5, 1.0]]
    """
    y_true = np.asarray(y_true)
    steps = [np.asarray(s, dtype=int).ravel() for s in steps]
    if len(predictions) != len(steps):
        raise InputError(f"{len(predictions)} predictions (one per step trained) but {len(steps)} steps; "
                         "give the predictions on the test set after each step.")
    flat = np.concatenate(steps) if steps else np.array([], int)
    if len(set(flat.tolist())) != len(flat):
        raise InputError(f"steps overlap: each class belongs to exactly one step, got {[s.tolist() for s in steps]}.")
    members = [np.isin(y_true, s) for s in steps]
    empty = [j for j, m in enumerate(members) if not m.any()]
    if empty:
        raise InputError(f"steps {empty} have no examples in y_true; every step needs test examples.")
    R = np.zeros((len(steps), len(steps)))
    for i, pred in enumerate(predictions):
        pred = np.asarray(pred)
        pred = pred.argmax(axis=-1) if pred.ndim == 2 else pred
        if pred.shape != y_true.shape:
            raise InputError(f"predictions after step {i} have shape {pred.shape}; expected {y_true.shape} "
                             "(one label, or one row of scores, per test example).")
        R[i] = [np.mean(pred[m] == y_true[m]) for m in members]
    return R


def _matrix(R, min_steps: int = 1) -> np.ndarray:
    R = np.asarray(R, dtype=float)
    if R.ndim != 2 or R.shape[0] != R.shape[1] or R.shape[0] < min_steps:
        raise InputError(f"expected a square accuracy matrix R (T x T, T >= {min_steps}) from accuracy_matrix, "
                         f"got shape {R.shape}.")
    return R


def average_accuracy(R) -> float:
    """Average accuracy at the end, ACC = (1/T) sum_j R[T-1, j] (Lopez-Paz & Ranzato 2017, eq. 2).

    Args:
        R: the accuracy matrix (T x T) from ``accuracy_matrix``.

    Returns:
        The mean accuracy over all steps after the last one.

    Example:
        >>> average_accuracy([[0.9, 0.0], [0.6, 0.8]])
        0.7
    """
    return float(np.mean(_matrix(R)[-1]))


def backward_transfer(R) -> float:
    """Backward transfer, BWT = 1/(T-1) sum_{j<T-1} (R[T-1, j] - R[j, j]) (Lopez-Paz & Ranzato 2017, eq. 3).

    How much learning later steps changed the accuracy on earlier ones, measured against the accuracy
    right after each was learned: negative means forgetting. (Avalanche's ``StreamForgetting`` is
    ``-BWT``.)

    Args:
        R: the accuracy matrix (T x T, T >= 2).

    Returns:
        BWT in [-1, 1].

    Example:
        >>> round(backward_transfer([[0.9, 0.0], [0.6, 0.8]]), 4)
        -0.3
    """
    R = _matrix(R, 2)
    return float(np.mean(R[-1, :-1] - np.diag(R)[:-1]))


def forgetting(R) -> float:
    """Average forgetting at the end (Chaudhry et al. 2018, "Riemannian Walk", eq. 5-6).

    For each earlier step j, the drop from the best accuracy it ever had before the last step to its
    accuracy after the last step, ``f_j = max_{l < T-1} R[l, j] - R[T-1, j]``, averaged over j < T-1.
    It is >= ``-backward_transfer(R)`` (equal when no step improved on an earlier one after learning it).

    Args:
        R: the accuracy matrix (T x T, T >= 2).

    Returns:
        Average forgetting (0 = nothing forgotten, 1 = everything; negative when the last step
        lifted earlier steps above their best).

    Example:
        >>> round(forgetting([[0.9, 0.0, 0.0], [0.95, 0.8, 0.0], [0.5, 0.6, 0.7]]), 4)
        0.325
    """
    R = _matrix(R, 2)
    return float(np.mean(R[:-1, :-1].max(axis=0) - R[-1, :-1]))
