"""fine_tune (both options, both phases), feature caching, discriminative rates, lr_find."""
import keras
import numpy as np
import pytest

import kzoo.features
from kzoo.errors import InputError
from kzoo.features import extract_features, split_model
from kzoo.finetune import discriminative_optimizer, fine_tune, lr_find
from kzoo.freeze import unfreeze
from kzoo.heads import find_head, swap_head


def _data(n=240, seed=0):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 3
    x = rng.normal(size=(n, 6)).astype("float32") + 2.0 * np.eye(3, 6)[y]
    return x, y


def _model():
    keras.utils.set_random_seed(0)
    inp = keras.Input((6,))
    x = keras.layers.Dense(16, activation="relu", name="body1")(inp)
    x = keras.layers.Dense(16, activation="relu", name="body2")(x)
    x = keras.layers.Dropout(0.1)(x)
    return swap_head(keras.Model(inp, keras.layers.Dense(5, name="old")(x)), 3)


def test_two_phase_history_and_learning():
    x, y = _data()
    model = _model()
    history = fine_tune(model, (x, y), _data(seed=1), head_epochs=4, epochs=3, lr=1e-2)
    assert [p["phase"] for p in history.phases] == ["head", "fine-tune"]
    assert history.phases[0]["end_epoch"] == 4 and history.phases[1]["end_epoch"] == 7
    assert len(history.history["loss"]) == 7 and len(history.history["val_accuracy"]) == 7
    assert history.history["val_accuracy"][-1] > 0.6  # three separable classes, chance is 1/3


def test_option1_trains_only_the_head():
    x, y = _data()
    model = _model()
    body = [np.array(w) for w in model.get_layer("body1").weights]
    fine_tune(model, (x, y), head_epochs=2)
    assert all(np.array_equal(a, np.array(b)) for a, b in zip(body, model.get_layer("body1").weights))


def test_cached_head_epochs_do_not_run_the_backbone(monkeypatch):
    """After features are extracted, poison the body: cached epochs must not notice."""
    x, y = _data()
    model = _model()
    real_extract = kzoo.features.extract_features

    def extract_then_poison(*args, **kwargs):
        out = real_extract(*args, **kwargs)
        for w in model.get_layer("body1").weights:
            w.assign(np.full(w.shape, np.nan, dtype="float32"))
        return out

    monkeypatch.setattr("kzoo.finetune.extract_features", extract_then_poison)
    head_before = np.array(model.get_layer("head").kernel)
    history = fine_tune(model, (x, y), head_epochs=3, lr=1e-2)
    assert np.all(np.isfinite(history.history["loss"]))
    assert not np.allclose(head_before, np.array(model.get_layer("head").kernel))


def test_uncached_head_phase_matches_the_guide_recipe():
    x, y = _data()
    history = fine_tune(_model(), (x, y), head_epochs=3, cache_features=False, lr=1e-2)
    assert len(history.history["loss"]) == 3


def test_cached_head_phase_builds_its_pipeline_once(monkeypatch):
    """Every cached epoch draws from one repeated pipeline: to_dataset is not called per epoch."""
    calls = []
    real_to_dataset = kzoo.finetune.to_dataset
    monkeypatch.setattr("kzoo.finetune.to_dataset", lambda *a, **k: calls.append(1) or real_to_dataset(*a, **k))
    x, y = _data()
    history = fine_tune(_model(), (x, y), _data(seed=1), head_epochs=6, lr=1e-2)
    # TensorFlow: one tf.data pipeline each for training and validation; other backends: numpy batches
    expected = 2 if keras.backend.backend() == "tensorflow" else 0
    assert len(history.history["loss"]) == 6 and len(calls) == expected


class _Count(keras.layers.Layer):
    """An 'augmentation' that counts the batches it sees in training and leaves inputs alone."""

    def __init__(self):
        super().__init__()
        self.seen = keras.Variable(0.0, trainable=False)

    def call(self, x, training=False):
        if training:
            self.seen.assign_add(1.0)
        return x


def test_augment_runs_in_training_only_and_trains_the_model_in_place():
    x, y = _data()
    model, augment = _model(), _Count()
    before = np.array(model.get_layer("body1").kernel)
    history = fine_tune(model, (x, y), _data(seed=1), head_epochs=1, epochs=2, lr=1e-2, augment=augment)
    assert float(augment.seen) == 16  # phase 2: 2 epochs of 8 batches; the cached phase 1 sees none
    assert not np.allclose(before, np.array(model.get_layer("body1").kernel))
    assert history.history["val_accuracy"][-1] > 0.6


def test_cosine_schedule_warms_up_then_decays_to_zero():
    x, y = _data()
    model = _model()
    fine_tune(model, (x, y), head_epochs=0, epochs=4, finetune_lr=1e-2, schedule="cosine", warmup=0.25)
    # 4 epochs of 8 batches = 32 steps, 8 of them warming up
    rate = keras.optimizers.schedules.deserialize(model.optimizer.get_config()["learning_rate"])
    assert [round(float(rate(s)), 6) for s in (0, 4, 8, 32)] == [0.0, 0.005, 0.01, 0.0]
    assert int(model.optimizer.iterations) == 32


def test_label_smoothing_trains_on_smoothed_one_hot_targets():
    x, y = _data()
    model = _model()
    history = fine_tune(model, (x, y), _data(seed=1), head_epochs=2, epochs=2, lr=1e-2, label_smoothing=0.3)
    assert history.history["val_accuracy"][-1] > 0.6
    out = np.asarray(model.predict(x[:20], verbose=0), "float64")
    from_logits = find_head(model).activation in (None, keras.activations.linear)
    probs = np.exp(out) / np.exp(out).sum(1, keepdims=True) if from_logits else out
    targets = 0.7 * np.eye(3)[y[:20]] + 0.1  # 1 - 0.3 on the true class, plus 0.3 / 3 on every class
    expected = -(targets * np.log(probs)).sum(1).mean()
    np.testing.assert_allclose(float(model.loss(y[:20], out)), expected, rtol=1e-4)
    np.testing.assert_allclose(float(model.loss(y[:20, None], out)), expected, rtol=1e-4)  # (n, 1) labels too


def test_discriminative_rates_scale_updates_per_layer():
    x, y = _data()
    model = _model()
    before = {n: [np.array(w) for w in model.get_layer(n).weights] for n in ("body1", "body2")}
    fine_tune(model, (x, y), head_epochs=0, epochs=2, finetune_lr=1e-2, lr_mult={"body1": 0.0})
    after = {n: [np.array(w) for w in model.get_layer(n).weights] for n in ("body1", "body2")}
    assert all(np.array_equal(a, b) for a, b in zip(before["body1"], after["body1"]))
    assert not all(np.array_equal(a, b) for a, b in zip(before["body2"], after["body2"]))


def test_refreezing_after_discriminative_fine_tuning_keeps_the_rates():
    """unfreeze/freeze recompile with a clone of the on-the-fly optimizer class, factors included."""
    x, y = _data()
    model = _model()
    fine_tune(model, (x, y), head_epochs=0, epochs=1, finetune_lr=1e-2, lr_mult={"body1": 0.0})
    unfreeze(model)
    assert type(model.optimizer).__name__.startswith("Discriminative")
    before = [np.array(w) for w in model.get_layer("body1").weights]
    model.fit(x, y, epochs=1, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_layer("body1").weights))


def test_discriminative_optimizer_rejects_negative_factor():
    model = _model()
    with pytest.raises(InputError, match=">= 0"):
        discriminative_optimizer(keras.optimizers.Adam(), [(model.weights[0], -1.0)])


@pytest.mark.parametrize("kwargs, message", [
    ({"head_epochs": 0, "epochs": 0}, "nothing to train"),
    ({"head_epochs": -1}, "head_epochs == -1, must be an int >= 0"),
    ({"lr": 0}, "lr == 0, must be a finite number > 0"),
    ({"lr_mult": 2.0, "epochs": 1}, r"lr_mult == 2.0, must be a finite number in \(0, 1\]"),
    ({"schedule": "linear", "epochs": 1}, r"schedule == 'linear': choose None or 'cosine'"),
    ({"schedule": "cosine", "epochs": 1, "finetune_lr": keras.optimizers.schedules.ExponentialDecay(1e-3, 10, 0.5)},
     "pass finetune_lr as a number"),
    ({"warmup": 1.0, "epochs": 1}, r"warmup == 1.0, must be a finite number in \[0, 1\)"),
    ({"augment": "flip", "epochs": 1}, "augment must be a Keras layer"),
    ({"label_smoothing": 1.0}, r"label_smoothing == 1.0, must be a finite number in \[0, 1\)"),
    ({"label_smoothing": 0.1, "loss": "mse"}, "label_smoothing applies to the default loss"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(InputError, match=message):
        fine_tune(_model(), _data(), **kwargs)


def test_labels_outside_the_head_are_refused():
    x, y = _data()
    with pytest.raises(InputError, match=r"outside the head, which has 3 classes"):
        fine_tune(_model(), (x, y + 5), head_epochs=1)


def test_extract_features_cache_roundtrip(tmp_path, monkeypatch):
    monkeypatch.setenv("KZOO_CACHE", str(tmp_path))
    x, y = _data(60)
    model = _model()
    feats, labels = extract_features(model, (x, y), cache=True)
    files = list((tmp_path / "features").glob("*.npz"))
    assert len(files) == 1 and not list((tmp_path / "features").glob("*.tmp"))
    again, labels2 = extract_features(model, (x, y), cache=True)
    np.testing.assert_array_equal(feats, again)
    np.testing.assert_array_equal(labels, labels2)
    extractor, head = split_model(model)
    np.testing.assert_allclose(head.predict(feats, verbose=0), model.predict(x, verbose=0), atol=1e-5)


def test_lr_find_restores_weights_and_suggests_a_rate():
    x, y = _data()
    model = _model()
    weights = [np.array(w) for w in model.get_weights()]
    result = lr_find(model, (x, y), num_steps=30, end_lr=100.0)
    assert all(np.array_equal(a, b) for a, b in zip(weights, model.get_weights()))
    assert 1e-8 <= result.suggestion <= 10 and len(result.lrs) == len(result.losses) <= 30
    assert np.all(np.diff(result.lrs) > 0)
    assert result.plot() is not None


def test_wrong_input_shape_is_explained():
    x, y = _data()
    with pytest.raises(InputError, match=r"takes examples of shape \(6,\) but got \(5,\)"):
        fine_tune(_model(), (x[:, :5], y), head_epochs=1)


def test_wrong_channels_get_a_hint():
    from kzoo.predict import predict

    inp = keras.Input((4, 4, 3))
    model = swap_head(keras.Model(inp, keras.layers.Dense(2)(keras.layers.Flatten()(inp))), 2)
    with pytest.raises(InputError, match="wants 3 channel"):
        predict(model, np.zeros((1, 4, 4, 1)))
    assert predict(model, np.zeros((1, 4, 4, 3)), top=1)[0][0][0] in ("class_0", "class_1")


def _weights_after(seed, head_epochs, epochs):
    """A dropout-free model from the same initial weights, fine-tuned after ``set_random_seed(seed)``: only
    the order of the training batches can depend on the seed."""
    keras.utils.set_random_seed(0)
    inp = keras.Input((6,))
    model = keras.Model(inp, keras.layers.Dense(3, name="head")(keras.layers.Dense(8, name="body")(inp)))
    keras.utils.set_random_seed(seed)
    fine_tune(model, _data(96), head_epochs=head_epochs, epochs=epochs, lr=1e-2, batch_size=16)
    return np.concatenate([w.ravel() for w in model.get_weights()])


@pytest.mark.parametrize("head_epochs, epochs", [(2, 0), (0, 2)], ids=["cached head", "whole model"])
def test_batch_order_follows_keras_random_seed(head_epochs, epochs):
    first, again, other = (_weights_after(seed, head_epochs, epochs) for seed in (1, 1, 2))
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, other)
