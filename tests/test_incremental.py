"""kzoo.incremental: strategies against forgetting, exemplar memory, LwF loss, metrics, plots.

The learning test is a small class-incremental task: a tiny MLP learns digits 0-4 (sklearn's 8x8
digits), then 5-9 arrive. Run on both backends (KERAS_BACKEND=tensorflow and KERAS_BACKEND=jax).
"""
import keras
import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from kzoo import plots  # noqa: E402
from kzoo.errors import InputError  # noqa: E402
from kzoo.heads import add_classes, class_names, swap_head  # noqa: E402
from kzoo.incremental import (DistillationLoss, ExemplarMemory, _Batches, accuracy_matrix,  # noqa: E402
                              average_accuracy, backward_transfer, forgetting, learn_in_steps,
                              learn_new_classes, train_step, train_step_naive)

OLD, NEW = [str(d) for d in range(5)], [str(d) for d in range(5, 10)]


@pytest.fixture(scope="module")
def digits():
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    x, y = load_digits(return_X_y=True)
    x_tr, x_te, y_tr, y_te = train_test_split((x / 16).astype("float32"), y, test_size=0.3, random_state=0,
                                              stratify=y)
    return x_tr, y_tr, x_te, y_te


def _mlp():
    keras.utils.set_random_seed(0)
    body = keras.Sequential([keras.Input((64,)), keras.layers.Dense(64, activation="relu"), keras.layers.Dense(5)])
    return swap_head(body, class_names=OLD)


@pytest.fixture(scope="module")
def base_weights(digits):
    x_tr, y_tr, _, _ = digits
    model = _mlp()
    train_step(model, (x_tr[y_tr < 5], y_tr[y_tr < 5]), epochs=10, seed=0)
    return model.get_weights()


def _base(weights):
    model = _mlp()
    model.set_weights(weights)
    return model


def _accuracy(model, x, y):
    return float(np.mean(np.argmax(model.predict(x, verbose=0), axis=-1) == y))


@pytest.fixture(scope="module")
def outcomes(digits, base_weights):
    """(old-class accuracy, new-class accuracy) after learning 5-9, for each strategy."""
    x_tr, y_tr, x_te, y_te = digits
    old_tr, old_te = y_tr < 5, y_te < 5
    out = {"base": (_accuracy(_base(base_weights), x_te[old_te], y_te[old_te]), 0.0)}
    for name, strategy, freeze_body in [("naive", "naive", False), ("replay", "replay", False),
                                        ("lwf", "lwf", False), ("lwf+replay", "lwf+replay", False),
                                        ("frozen+replay", "replay", True)]:
        model = _base(base_weights)
        memory = ExemplarMemory(10).update(model, x_tr[old_tr], y_tr[old_tr]) if "replay" in strategy else None
        grown, history = learn_new_classes(model, (x_tr[~old_tr], y_tr[~old_tr]), NEW, strategy=strategy,
                                           memory=memory, freeze_body=freeze_body, epochs=10, seed=0)
        assert class_names(grown) == OLD + NEW
        assert len(history.history["loss"]) == 10 and "accuracy" in history.history
        if memory is not None:  # updated with the new classes, ready for the next step
            assert memory.classes == list(range(10)) and len(memory) == 100
        out[name] = (_accuracy(grown, x_te[old_te], y_te[old_te]), _accuracy(grown, x_te[~old_te], y_te[~old_te]))
    return out


def test_base_model_learned_the_old_classes(outcomes):
    assert outcomes["base"][0] > 0.9


def test_naive_fine_tuning_forgets(outcomes):
    old, new = outcomes["naive"]
    assert old < 0.1 < 0.8 < new


# Freezing the body alone does not stop forgetting in class-incremental learning: the head still learns
# to prefer the new classes (about 0% old-class accuracy here after 10 epochs). With replay it helps.
# LwF with a frozen body keeps the old classes but hardly learns the new ones here, so it is not listed.
@pytest.mark.parametrize("strategy", ["replay", "lwf", "lwf+replay", "frozen+replay"])
def test_strategy_keeps_more_of_the_old_classes_than_naive(outcomes, strategy):
    old, new = outcomes[strategy]
    assert old > outcomes["naive"][0] + 0.4, outcomes
    assert new > 0.5, outcomes  # and it did learn the new classes


@pytest.mark.parametrize("strategy", ["replay", "lwf+replay"])
def test_replay_strategies_do_well_on_both(outcomes, strategy):
    old, new = outcomes[strategy]
    assert old > 0.85 and new > 0.8, outcomes


def test_frozen_body_leaves_body_weights_alone(digits, base_weights):
    x_tr, y_tr, _, _ = digits
    model = _base(base_weights)
    body_before = [w.copy() for w in model.layers[0].get_weights()]
    grown, _ = learn_new_classes(model, (x_tr[y_tr >= 5][:50], y_tr[y_tr >= 5][:50]), NEW, freeze_body=True,
                                 epochs=1)
    for before, after in zip(body_before, grown.layers[1].get_weights()):
        np.testing.assert_array_equal(before, after)


def test_train_step_naive_on_a_grown_model(digits, base_weights):
    x_tr, y_tr, _, _ = digits
    grown = add_classes(_base(base_weights), NEW)
    history = train_step_naive(grown, (x_tr[y_tr >= 5][:64], y_tr[y_tr >= 5][:64]), epochs=2, batch_size=16)
    assert len(history.history["loss"]) == 2 and history.history["loss"][1] < history.history["loss"][0]


def test_lwf_trained_model_saves_and_loads(tmp_path, digits, base_weights):
    x_tr, y_tr, x_te, _ = digits
    grown, _ = learn_new_classes(_base(base_weights), (x_tr[y_tr >= 5][:64], y_tr[y_tr >= 5][:64]), NEW,
                                 strategy="lwf", epochs=1)
    grown.save(tmp_path / "m.keras")  # compiled with DistillationLoss, which is registered
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(loaded.predict(x_te[:8], verbose=0), grown.predict(x_te[:8], verbose=0), atol=1e-6)


# --- the exemplar memory -------------------------------------------------------------------------


@pytest.mark.parametrize("per_class", [0, -3, 2.5, True])
def test_memory_budget_must_be_positive(per_class):
    with pytest.raises(InputError, match="per_class == .*, must be an int >= 1"):
        ExemplarMemory(per_class)


def test_memory_selection_must_be_known():
    with pytest.raises(InputError, match="selection must be one of"):
        ExemplarMemory(5, selection="best")


def _identity_classifier(width):
    """A classifier whose features are its inputs (head on the input): herding sees the raw points."""
    inputs = keras.Input((width,))
    return keras.Model(inputs, keras.layers.Dense(2)(inputs))


def test_memory_is_bounded_per_class_and_replaces_updated_classes():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(50, 3)).astype("float32"), np.repeat([0, 1, 2], [30, 17, 3])
    memory = ExemplarMemory(5, seed=1).update(None, x, y)
    assert len(memory) == 13 and memory.classes == [0, 1, 2]
    assert np.bincount(memory.y).tolist() == [5, 5, 3]  # class 2 has only 3 examples
    for c in range(3):  # stored examples are real examples of their class
        assert all(any(np.array_equal(row, other) for other in x[y == c]) for row in memory.x[memory.y == c])
    again = ExemplarMemory(5, seed=1).update(None, x, y)
    np.testing.assert_array_equal(again.x, memory.x)  # the seed fixes the random choice
    memory.update(None, x[:4] + 100, np.array([1, 1, 3, 3]))
    assert np.bincount(memory.y).tolist() == [5, 2, 3, 2] and memory.x[memory.y == 1].min() > 50


def test_herding_first_picks_the_example_nearest_the_class_mean():
    angles = np.deg2rad([0.0, 10.0, 20.0, 80.0, 90.0])
    x = np.stack([np.cos(angles), np.sin(angles)], axis=1).astype("float32")
    memory = ExemplarMemory(1, selection="herding").update(_identity_classifier(2), x, np.zeros(5, int))
    # mean direction is about 38 degrees: 20 degrees is the nearest
    np.testing.assert_allclose(memory.x[0], x[2])
    full = ExemplarMemory(5, selection="herding").update(_identity_classifier(2), x, np.zeros(5, int))
    assert sorted(map(tuple, full.x.round(5))) == sorted(map(tuple, x.round(5)))


def test_memory_update_rejects_bad_data():
    with pytest.raises(InputError, match="integer class indices"):
        ExemplarMemory(2).update(None, np.zeros((3, 2)), np.array([0.5, 1, 2]))
    memory = ExemplarMemory(2).update(None, np.zeros((3, 2)), np.array([0, 1, 2]))
    with pytest.raises(InputError, match="do not match"):
        memory.update(None, np.zeros((3, 4)), np.array([0, 1, 2]))


def test_replay_batches_always_mix_old_and_new_classes():
    x_new, y_new = np.arange(100, dtype="float32")[:, None], np.repeat([8, 9], 50)
    x_mem, y_mem = np.arange(16, dtype="float32")[:, None] + 1000, np.repeat(np.arange(8), 2)
    batches = _Batches(x_new, y_new, 20, (x_mem, y_mem, 8), seed=0)
    assert len(batches) == 6  # one pass over new + memory
    seen_new = []
    for i in range(len(batches)):
        x, y = batches[i]
        assert len(x) == 20 and (y < 8).sum() == 16 and (y >= 8).sum() == 4  # 8 of 10 classes are old
        assert np.all((x[:, 0] >= 1000) == (y < 8))  # labels travel with their examples
        seen_new.extend(x[y >= 8, 0].tolist())
    assert len(set(seen_new)) == len(seen_new)  # no new example twice within an epoch


# --- the LwF loss -----------------------------------------------------------------------------------


def _loss_value(loss, y_true, y_pred):
    return float(keras.ops.convert_to_numpy(loss(np.asarray(y_true, "float32"), np.asarray(y_pred, "float32"))))


def test_distillation_term_is_zero_when_old_scores_are_kept_up_to_a_shift():
    loss, ce = DistillationLoss(num_old=2, temperature=2.0, weight=5.0), keras.losses.SparseCategoricalCrossentropy(
        from_logits=True)
    logits = [[3.0, 1.0, 0.5]]
    expected = float(keras.ops.convert_to_numpy(ce(np.array([2]), np.array(logits, "float32"))))
    assert _loss_value(loss, [[2, 1.0, -1.0]], logits) == pytest.approx(expected, rel=1e-5)
    assert _loss_value(loss, [[2, -1.0, 1.0]], logits) > expected + 1.0  # ranking of old classes flipped


def test_distillation_matches_hand_computed_kl():
    T, w = 2.0, 0.5
    loss = DistillationLoss(num_old=2, temperature=T, weight=w)
    old, new = np.array([2.0, 0.0]), np.array([0.0, 0.0, 1.0])
    p = np.exp(old / T) / np.exp(old / T).sum()
    q = np.exp(new[:2] / T) / np.exp(new[:2] / T).sum()
    ce = -np.log(np.exp(new[0]) / np.exp(new).sum())
    expected = ce + w * np.sum(p * np.log(p / q))
    assert _loss_value(loss, [[0, *old]], [new]) == pytest.approx(expected, rel=1e-5)


def test_separate_new_cross_entropy_ignores_the_old_outputs_for_new_examples():
    loss = DistillationLoss(num_old=2, weight=0.0, separate_new=True)
    low, high = _loss_value(loss, [[2, 0, 0]], [[0.0, 0.0, 2.0, 0.0]]), \
        _loss_value(loss, [[2, 0, 0]], [[9.0, 9.0, 2.0, 0.0]])
    assert low == pytest.approx(high, rel=1e-6) == pytest.approx(np.log(1 + np.exp(-2.0)), rel=1e-5)
    # an example of an old class still competes against every class
    assert _loss_value(loss, [[0, 0, 0]], [[0.0, 0.0, 9.0, 0.0]]) > 8


def test_distillation_loss_config_round_trip():
    loss = DistillationLoss(num_old=3, temperature=4.0, weight=0.3, separate_new=True)
    again = DistillationLoss.from_config(loss.get_config())
    assert (again.num_old, again.temperature, again.weight, again.separate_new) == (3, 4.0, 0.3, True)


# --- bad input -----------------------------------------------------------------------------------


@pytest.fixture
def small():
    rng = np.random.default_rng(0)
    model = swap_head(keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)]), class_names=["a", "b"])
    return model, (rng.normal(size=(10, 4)).astype("float32"), np.array([2, 3] * 5))


@pytest.mark.parametrize("kwargs, message", [
    ({"strategy": "ewc"}, "strategy must be one of"),
    ({"strategy": "replay"}, "memory=kzoo.incremental.ExemplarMemory"),
    ({"strategy": "lwf+replay", "memory": ExemplarMemory(3)}, "memory is empty"),
    ({"strategy": "naive", "memory": ExemplarMemory(3)}, "does not replay"),
    ({"epochs": 0}, "epochs == 0, must be an int >= 1"),
    ({"lr": -1.0}, "lr == -1.0, must be a finite number > 0"),
    ({"strategy": "lwf", "temperature": 0}, "temperature == 0, must be a finite number > 0"),
    ({"strategy": "lwf", "lwf_weight": -1}, "lwf_weight == -1, must be a finite number >= 0"),
])
def test_learn_new_classes_bad_arguments(small, kwargs, message):
    model, data = small
    with pytest.raises(InputError, match=message):
        learn_new_classes(model, data, ["c", "d"], **kwargs)


def test_labels_the_model_will_not_know(small):
    model, (x, y) = small
    with pytest.raises(InputError, match=r"labels \[4\] that the grown model will not know: it will have 4"):
        learn_new_classes(model, (x, np.where(y == 3, 4, y)), ["c", "d"])
    with pytest.raises(InputError, match="integer class indices"):
        learn_new_classes(model, (x, y.astype(float)), ["c", "d"])
    with pytest.raises(InputError, match=r"must be an \(x, y\) pair"):
        learn_new_classes(model, x, ["c", "d"])
    with pytest.raises(InputError, match="non-empty list"):
        learn_new_classes(model, (x, y), [])


def test_replayed_labels_must_fit_the_head(small):
    model, data = small
    memory = ExemplarMemory(2).update(None, data[0], np.full(10, 7))
    with pytest.raises(InputError, match=r"labels \[7\] are outside the head"):
        learn_new_classes(model, data, ["c", "d"], strategy="replay", memory=memory)


def test_train_step_lwf_needs_num_old(small):
    model, data = small
    grown = add_classes(model, ["c", "d"])
    with pytest.raises(InputError, match="num_old == None, must be an int >= 1"):
        train_step(grown, data, strategy="lwf")
    with pytest.raises(InputError, match="num_old=4 but the head has 4 classes"):
        train_step(grown, data, strategy="lwf", num_old=4)


def test_softmax_model_is_refused():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(4, activation="softmax")])
    with pytest.raises(InputError, match="needs logits"):
        train_step(model, (np.zeros((2, 4)), np.array([0, 1])))


# --- metrics (hand-computed) ------------------------------------------------------------------------


def test_accuracy_matrix_by_hand():
    y = np.array([0, 0, 1, 1, 2, 3])
    steps = [[0, 1], [2, 3]]
    after_1 = np.array([0, 1, 1, 1, 0, 0])  # step 1: 3/4 right; step 2: not learned yet
    after_2 = np.eye(4)[[0, 2, 2, 1, 2, 3]]  # as scores: step 1: 2/4; step 2: 2/2
    R = accuracy_matrix([after_1, after_2], y, steps)
    np.testing.assert_allclose(R, [[0.75, 0.0], [0.5, 1.0]])


def test_learn_in_steps_grows_step_by_step_and_predicts_after_each(digits, base_weights):
    x_tr, y_tr, x_te, y_te = digits
    steps = [(x_tr[np.isin(y_tr, c)], y_tr[np.isin(y_tr, c)], [str(k) for k in c]) for c in ([5, 6, 7], [8, 9])]
    model = _base(base_weights)
    memory = ExemplarMemory(10).update(model, x_tr[y_tr < 5], y_tr[y_tr < 5])
    final, predictions = learn_in_steps(model, steps, x_te, strategy="replay", memory=memory, epochs=10)
    assert class_names(final) == OLD + NEW
    assert [p.shape for p in predictions] == [(len(x_te), 5), (len(x_te), 8), (len(x_te), 10)]
    np.testing.assert_allclose(predictions[0], _base(base_weights).predict(x_te, verbose=0), atol=1e-5)
    assert memory.classes == list(range(10))  # the memory followed every step
    R = accuracy_matrix(predictions[1:], y_te, [[5, 6, 7], [8, 9]])
    assert R[0, 0] > 0.8 and R[1, 1] > 0.4  # each step learned its classes (chance: 0.1)


def test_learn_in_steps_says_which_step_is_wrong(digits, base_weights):
    x_tr, y_tr, x_te, _ = digits
    good = (x_tr[y_tr == 5], y_tr[y_tr == 5], ["5"])
    with pytest.raises(InputError, match="steps must be a non-empty list"):
        learn_in_steps(_base(base_weights), [], x_te)
    with pytest.raises(InputError, match="steps must be a non-empty list"):
        learn_in_steps(_base(base_weights), [good[:2]], x_te)
    with pytest.raises(InputError, match=r"step 2 of 2: new_data has labels \[9\]"):
        learn_in_steps(_base(base_weights), [good, (x_tr[y_tr == 9], y_tr[y_tr == 9], ["6"])], x_te, epochs=1)


def test_metrics_on_a_hand_computed_matrix():
    R = np.array([[0.9, 0.0, 0.0],
                  [0.7, 0.8, 0.0],
                  [0.6, 0.85, 0.95]])
    assert average_accuracy(R) == pytest.approx((0.6 + 0.85 + 0.95) / 3)
    assert backward_transfer(R) == pytest.approx(((0.6 - 0.9) + (0.85 - 0.8)) / 2)
    # forgetting: step 1 fell from its best 0.9 to 0.6; step 2 ends above its best earlier 0.8: -0.05
    assert forgetting(R) == pytest.approx((0.3 - 0.05) / 2)
    assert forgetting(R) == pytest.approx(-backward_transfer(R))  # no step peaked after it was learned


def test_forgetting_uses_the_best_earlier_accuracy():
    R = np.array([[0.5, 0.0, 0.0], [0.9, 0.7, 0.0], [0.4, 0.7, 0.8]])
    assert forgetting(R) == pytest.approx(((0.9 - 0.4) + 0.0) / 2)  # step 1 peaked at 0.9 after step 2
    assert backward_transfer(R) == pytest.approx(((0.4 - 0.5) + 0.0) / 2)  # BWT compares with 0.5
    assert forgetting(R) > -backward_transfer(R)


def test_no_forgetting_and_perfect_accuracy():
    R = np.eye(3) + np.tril(np.ones((3, 3)), -1)
    assert (average_accuracy(R), forgetting(R), backward_transfer(R)) == (1.0, 0.0, 0.0)


@pytest.mark.parametrize("call", [
    lambda: average_accuracy(np.ones((2, 3))),
    lambda: forgetting(np.ones((1, 1))),
    lambda: backward_transfer([0.5, 0.5]),
    lambda: accuracy_matrix([np.zeros(4)], np.array([0, 0, 1, 1]), [[0], [1]]),
    lambda: accuracy_matrix([np.zeros(4)] * 2, np.array([0, 0, 1, 1]), [[0, 1], [1]]),
    lambda: accuracy_matrix([np.zeros(4)] * 2, np.array([0, 0, 1, 1]), [[0], [2]]),
    lambda: accuracy_matrix([np.zeros(3)] * 2, np.array([0, 0, 1, 1]), [[0], [1]]),
])
def test_metric_inputs_are_checked(call):
    with pytest.raises(InputError):
        call()


# --- plots -----------------------------------------------------------------------------------------


def test_plot_accuracy_matrix_returns_a_figure_with_the_values():
    fig = plots.plot_accuracy_matrix([[0.99, 0.0], [0.6, 0.98]])
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts == ["99", "0", "60", "98"]
    with pytest.raises(InputError, match="accuracies in"):
        plots.plot_accuracy_matrix([[1.5]])


def test_plot_confusion_counts():
    import matplotlib.pyplot as plt

    _, ax = plt.subplots()
    fig = plots.plot_confusion([0, 1, 1, 2], np.eye(3)[[0, 1, 0, 2]], ["cat", "dog", "emu"], ax=ax)
    assert fig is ax.figure
    assert sorted(t.get_text() for t in ax.texts) == ["1", "1", "1", "1"]
    assert "75.0%" in ax.get_title()
    with pytest.raises(InputError, match="integer labels in 0..1"):
        plots.plot_confusion([0, 2], [0, 1], ["a", "b"])
    with pytest.raises(InputError, match="must match"):
        plots.plot_confusion([0, 1], [0], ["a", "b"])
