"""swap_head / find_head / class_names on the kinds of models users have."""
import keras
import numpy as np
import pytest

import kzoo
from kzoo.errors import InputError
from kzoo.heads import class_names, find_head, swap_head


def _functional(n_out=5, activation="softmax"):
    inp = keras.Input((8, 8, 1))
    x = keras.layers.Conv2D(4, 3)(inp)
    x = keras.layers.GlobalAveragePooling2D()(x)
    return keras.Model(inp, keras.layers.Dense(n_out, activation=activation, name="pred")(x))


def test_find_head_looks_through_activation_layers():
    inp = keras.Input((3,))
    dense = keras.layers.Dense(4, name="logits")
    model = keras.Model(inp, keras.layers.Softmax()(dense(inp)))
    assert find_head(model) is dense


def test_swap_head_on_functional_sequential_and_applications():
    seq = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8), keras.layers.Dense(3)])
    app = keras.applications.MobileNetV2(weights=None, input_shape=(32, 32, 3), alpha=0.35)
    for model, x in ((_functional(), np.ones((2, 8, 8, 1))), (seq, np.ones((2, 4))), (app, np.ones((2, 32, 32, 3)))):
        new = swap_head(model, 10)
        assert new.output_shape == (None, 10)
        assert new.predict(x, verbose=0).shape == (2, 10)
        assert class_names(new) == [f"class_{i}" for i in range(10)]
        assert isinstance(find_head(new), kzoo.ClassifierHead)


def test_swap_head_shares_body_weights():
    model = _functional()
    new = swap_head(model, 2)
    conv = [layer for layer in new.layers if isinstance(layer, keras.layers.Conv2D)][0]
    assert conv is model.layers[1]


def test_swap_head_keeps_class_names_through_save(tmp_path):
    new = swap_head(_functional(), class_names=["ant", "bee"], dropout=0.3)
    path = tmp_path / "m.keras"
    new.save(path)
    again = keras.saving.load_model(path)
    assert class_names(again) == ["ant", "bee"]
    x = np.random.default_rng(0).random((3, 8, 8, 1)).astype("float32")
    np.testing.assert_allclose(again.predict(x, verbose=0), new.predict(x, verbose=0), atol=1e-6)


@pytest.mark.parametrize("kwargs, message", [
    ({"num_classes": 0}, "num_classes == 0, must be an int >= 1"),
    ({"num_classes": 2.5}, "num_classes == 2.5, must be an int >= 1"),
    ({"num_classes": 3, "class_names": ["a", "b"]}, "3 but 2 class_names"),
    ({"class_names": ["a", "a"]}, "duplicates"),
    ({}, "give num_classes"),
    ({"num_classes": 2, "dropout": 1.5}, r"dropout == 1.5, must be a finite number in \[0, 1\)"),
])
def test_swap_head_bad_arguments(kwargs, message):
    with pytest.raises(InputError, match=message):
        swap_head(_functional(), **kwargs)


def test_no_recognisable_head():
    inp = keras.Input((4,))
    model = keras.Model(inp, keras.layers.Conv1D(2, 1)(keras.layers.Reshape((4, 1))(inp)))
    with pytest.raises(InputError, match="no recognisable classification head"):
        swap_head(model, 3)


def test_subclassed_model_is_refused_clearly():
    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.d = keras.layers.Dense(3)

        def call(self, x):
            return self.d(x)

    with pytest.raises(InputError, match="subclassed or unbuilt"):
        swap_head(Net(), 2)
