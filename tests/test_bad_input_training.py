"""Bad arguments and bad data through the training API: each is a kzoo error naming what is wrong,
raised before any training, so the model's weights are exactly what they were."""
import math

import keras
import numpy as np
import pytest
import tensorflow as tf

import kzoo
from kzoo.errors import InputError
from kzoo.features import extract_features
from kzoo.finetune import discriminative_optimizer, fine_tune, lr_find
from kzoo.heads import add_classes, swap_head
from kzoo.incremental import learn_new_classes, train_step

NAN, INF = float("nan"), float("inf")


def _data(n=24, seed=0):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 3
    return rng.normal(size=(n, 6)).astype("float32") + np.eye(3, 6)[y], y


def _model():
    keras.utils.set_random_seed(0)
    inp = keras.Input((6,))
    x = keras.layers.Dense(8, activation="relu", name="body1")(inp)
    x = keras.layers.Dense(8, activation="relu", name="body2")(x)
    return swap_head(keras.Model(inp, keras.layers.Dense(5)(x)), 3)


def _with_nan(where=(0, 0), value=NAN):
    x, y = _data()
    x = x.copy()
    x[where] = value
    return x, y


def _dataset(x, y, batch_size=8):
    return tf.data.Dataset.from_tensor_slices((x, y)).batch(batch_size)


def _refused(call, model, fragment):
    """``call(model)`` raises an InputError matching ``fragment`` and leaves every weight unchanged."""
    before = [np.array(w) for w in model.get_weights()]
    with pytest.raises(InputError, match=fragment):
        call(model)
    after = model.get_weights()
    assert len(before) == len(after) and all(np.array_equal(b, a) for b, a in zip(before, after))


# --- fine_tune: arguments, all checked before phase 1 trains -------------------------------------
FINE_TUNE_ARGUMENTS = [
    ({"lr": NAN}, "lr == nan, must be a finite number > 0"),
    ({"lr": INF}, "lr == inf, must be a finite number > 0"),
    ({"lr": -1e-3}, "lr == -0.001, must be a finite number > 0"),
    ({"lr": "0.01"}, "lr == '0.01', must be a finite number > 0"),
    ({"lr": True}, "lr == True, must be a finite number > 0"),
    ({"epochs": 1, "finetune_lr": NAN}, "finetune_lr == nan"),
    ({"epochs": 1, "finetune_lr": np.float32(INF)}, "finetune_lr == inf"),
    ({"head_epochs": np.int64(-1)}, "head_epochs == -1, must be an int >= 0"),
    ({"epochs": 2.5}, "epochs == 2.5, must be an int >= 0"),
    ({"batch_size": 0}, "batch_size == 0, must be an int >= 1"),
    ({"batch_size": np.float64(8)}, "batch_size == 8.0, must be an int >= 1"),
    ({"epochs": 1, "unfreeze_top": 99}, r"top \(the body has 2 layers with weights\) == 99"),
    ({"epochs": 1, "unfreeze_top": "body3"}, "no layer with weights named 'body3' in the body. Did you mean 'body2'"),
    ({"epochs": 1, "unfreeze_top": 1.5}, r"a fractional top == 1.5, must be a finite number in \(0, 1\]"),
    ({"epochs": 1, "lr_mult": 1.5}, r"lr_mult == 1.5, must be a finite number in \(0, 1\]"),
    ({"epochs": 1, "lr_mult": NAN}, "lr_mult == nan"),
    ({"epochs": 1, "lr_mult": {"nope": 0.1}}, r"lr_mult names layers that are not in the model: \['nope'\]"),
    ({"epochs": 1, "lr_mult": {"body1": -0.5}}, r"lr_mult\['body1'\] == -0.5, must be a finite number >= 0"),
    ({"epochs": 1, "lr_mult": 0.5, "groups": 0}, "groups == 0, must be an int >= 1"),
    ({"optimizer": "no_such_optimizer"}, "'no_such_optimizer' is not a Keras optimizer"),
    ({"epochs": 3, "initial_epoch": 1}, r"fine_tune sets \['initial_epoch'\] itself"),
]


@pytest.mark.parametrize("kwargs, fragment", FINE_TUNE_ARGUMENTS, ids=[repr(k) for k, _ in FINE_TUNE_ARGUMENTS])
def test_fine_tune_refuses_bad_arguments_before_training(kwargs, fragment):
    _refused(lambda m: fine_tune(m, _data(), **{"head_epochs": 2, **kwargs}), _model(), fragment)


def test_phase_two_mistake_costs_no_phase_one_training():
    """The head of a two-phase run is not trained when only phase 2's argument is wrong."""
    model = _model()
    _refused(lambda m: fine_tune(m, _data(), head_epochs=5, epochs=1, unfreeze_top=-1), model,
             r"== -1, must be an int in \[0, 2\]")
    assert len(model.trainable_weights) == len(model.weights)  # not even frozen: nothing ran


# --- fine_tune: data -----------------------------------------------------------------------------
def _empty():
    x, y = _data()
    return x[:0], y[:0]


FINE_TUNE_DATA = [
    ("nan in x", lambda: (_with_nan(), None), "train: x holds 1 NaN or infinite value"),
    ("inf in x", lambda: (_with_nan((3, 2), INF), None), "train: x holds 1 NaN or infinite value"),
    ("nan in validation", lambda: (_data(), _with_nan((1, 1))), "validation_data: x holds 1 NaN"),
    ("nan in tf.data", lambda: (_dataset(*_with_nan()), None), "train: x holds 1 NaN"),
    ("empty train", lambda: (_empty(), None), "train is empty"),
    ("empty validation", lambda: (_data(), _empty()), "validation_data is empty"),
    ("empty tf.data train", lambda: (_dataset(*_empty()), None), "train is empty"),
    ("empty tf.data validation", lambda: (_data(), _dataset(*_empty())), "validation_data is empty"),
    ("labels outside the head", lambda: ((_data()[0], _data()[1] + 1), None),
     r"train: labels \[3\] are outside the head, which has 3 classes"),
    ("tf.data labels outside the head", lambda: (_dataset(_data()[0], _data()[1] * 2), None),
     r"train: labels \[4\] are outside the head"),
    ("negative validation labels", lambda: (_data(), (_data()[0], -_data()[1])),
     r"validation_data: labels \[-2, -1\] are outside the head"),
    ("float labels", lambda: ((_data()[0], _data()[1].astype("float32")), None), "integer class indices"),
    ("no labels", lambda: (_data()[0], None), "train needs labels"),
    ("unbatched tf.data", lambda: (tf.data.Dataset.from_tensor_slices(_data()), None), r"not batches: call .batch"),
    ("unlabelled tf.data", lambda: (tf.data.Dataset.from_tensor_slices(_data()[0]).batch(4), None),
     "train needs labels"),
]


@pytest.mark.parametrize("train_val, fragment", [c[1:] for c in FINE_TUNE_DATA], ids=[c[0] for c in FINE_TUNE_DATA])
@pytest.mark.parametrize("cache_features", [True, False])
def test_fine_tune_refuses_bad_data_before_training(train_val, fragment, cache_features):
    train, validation = train_val()
    _refused(lambda m: fine_tune(m, train, validation, head_epochs=1, epochs=1, cache_features=cache_features),
             _model(), fragment)


def test_numpy_scalars_are_accepted():
    history = fine_tune(_model(), _data(), head_epochs=np.int64(1), epochs=np.int32(1), lr=np.float32(1e-2),
                        finetune_lr=np.float64(1e-3), batch_size=np.int64(8), unfreeze_top=np.int64(1))
    assert [p["phase"] for p in history.phases] == ["head", "fine-tune"]
    assert all(math.isfinite(v) for v in history.history["loss"])


# --- lr_find, discriminative rates ---------------------------------------------------------------
@pytest.mark.parametrize("kwargs, fragment", [
    ({"start_lr": NAN}, "start_lr == nan, must be a finite number > 0"),
    ({"start_lr": 1e-2, "end_lr": 1e-3}, r"end_lr == 0.001, must be a finite number > 0.01"),
    ({"end_lr": INF}, "end_lr == inf"),
    ({"num_steps": 3}, "num_steps == 3, must be an int >= 5"),
    ({"batch_size": -4}, "batch_size == -4"),
])
def test_lr_find_refuses_bad_arguments(kwargs, fragment):
    _refused(lambda m: lr_find(m, _data(), **kwargs), _model(), fragment)


def test_lr_find_refuses_nan_inputs():
    _refused(lambda m: lr_find(m, _with_nan()), _model(), "NaN or infinite")


def test_discriminative_factor_must_be_finite():
    model = _model()
    with pytest.raises(InputError, match="learning-rate factor for .* == nan"):
        discriminative_optimizer(keras.optimizers.Adam(), [(model.weights[0], NAN)])


# --- heads ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, fragment", [
    ({"num_classes": 2, "dropout": NAN}, "dropout == nan"),
    ({"num_classes": np.int64(0)}, "num_classes == 0, must be an int >= 1"),
    ({"class_names": "cats"}, "class_names must be a non-empty list of strings"),
    ({"class_names": ["a", "b", "a"]}, r"duplicates: \['a'\]"),
])
def test_swap_head_refuses_bad_arguments(kwargs, fragment):
    with pytest.raises(InputError, match=fragment):
        swap_head(_model(), **kwargs)


def test_swap_head_takes_numpy_counts():
    assert swap_head(_model(), np.int64(4)).output_shape == (None, 4)


# --- incremental: learn_new_classes forwards train_step's settings, checked before training -------
def _grow_data():
    x, y = _data()
    return x, np.where(y == 2, 3, y)  # labels 0, 1 old; 3 is the second new class


@pytest.mark.parametrize("kwargs, fragment", [
    ({"lr": NAN}, "lr == nan"),
    ({"epochs": 0}, "epochs == 0, must be an int >= 1"),
    ({"batch_size": 2.0}, "batch_size == 2.0"),
    ({"strategy": "lwf", "lwf_weight": INF}, "lwf_weight == inf"),
    ({"strategy": "lwf", "temperature": -1}, "temperature == -1"),
    ({"seed": -1}, "seed == -1, must be an int >= 0"),
    ({"learning_rate": 0.1}, r"unknown arguments \['learning_rate'\]"),
])
def test_learn_new_classes_refuses_bad_settings(kwargs, fragment):
    _refused(lambda m: learn_new_classes(m, _grow_data(), ["c", "d"], **kwargs), _model(), fragment)


def test_learn_new_classes_refuses_nan_inputs():
    x, y = _grow_data()
    x[5, 1] = NAN
    _refused(lambda m: learn_new_classes(m, (x, y), ["c", "d"]), _model(), "new_data: x holds 1 NaN")


def test_train_step_refuses_inf_inputs():
    x, y = _data()
    x[0, 0] = -INF
    _refused(lambda m: train_step(m, (x, y)), add_classes(_model(), ["d"]), "new_data: x holds 1 NaN or infinite")


# --- the feature cache stores string labels without pickling ---------------------------------------
def test_feature_cache_stores_string_labels_without_pickle(tmp_path, monkeypatch):
    monkeypatch.setenv("KZOO_CACHE", str(tmp_path))
    x, _ = _data(6)
    labels = np.array(["cat", "dog", "cat", "bird", "dog", "cat"], dtype=object)
    feats, got = extract_features(_model(), (x, labels), cache=True)
    (stored,) = (tmp_path / "features").glob("*.npz")
    with np.load(stored, allow_pickle=False) as npz:  # would raise on an object array
        assert npz["labels"].dtype.kind == "U" and npz["labels"].tolist() == labels.tolist()
    again, got_again = extract_features(_model(), (x, labels), cache=True)
    assert got.tolist() == got_again.tolist() == labels.tolist()
    assert np.array_equal(feats, again)


def test_predict_refuses_bad_batch_size():
    with pytest.raises(InputError, match="batch_size == 0"):
        kzoo.predict(_model(), _data()[0], batch_size=0)


@pytest.mark.parametrize("value", ["false", 0, "yes"])
def test_mixed_precision_must_be_a_bool(value):
    with pytest.raises(InputError, match=f"mixed_precision == {value!r}, must be True, False or None"):
        with kzoo.devices.build_scope(mixed_precision=value):
            pass
