"""kzoo.heads.add_classes: N -> N + k classes, old rows kept exactly, names saved with the model.

Run on both backends (KERAS_BACKEND=tensorflow and KERAS_BACKEND=jax).
"""
import keras
import numpy as np
import pytest

import kzoo
from kzoo.errors import InputError
from kzoo.heads import add_classes, class_names, find_head, swap_head

RNG = np.random.default_rng(0)
X_VEC = RNG.normal(size=(16, 6)).astype("float32")
X_IMG = RNG.uniform(0, 255, size=(4, 32, 32, 3)).astype("float32")


def _sequential():
    keras.utils.set_random_seed(1)
    return keras.Sequential([keras.Input((6,)), keras.layers.Dense(8, activation="relu"),
                             keras.layers.Dense(3)])


def _functional():
    keras.utils.set_random_seed(2)
    inputs = keras.Input((6,))
    x = keras.layers.Dense(8, activation="relu")(inputs)
    x = keras.layers.Dropout(0.5)(x)
    return keras.Model(inputs, keras.layers.Dense(4, name="logits")(x))


def _mobilenet():
    keras.utils.set_random_seed(3)
    net = keras.applications.MobileNetV2(weights=None, input_shape=(32, 32, 3))
    return swap_head(net, class_names=[f"c{i}" for i in range(10)])


def _logits(model, x):
    return keras.ops.convert_to_numpy(model(x, training=False))


@pytest.mark.parametrize("build, x", [(_sequential, X_VEC), (_functional, X_VEC), (_mobilenet, X_IMG)],
                         ids=["sequential", "functional", "mobilenetv2"])
def test_old_logits_unchanged_and_names_extended(build, x):
    model = build()
    old_names, before = class_names(model), _logits(model, x)
    grown = add_classes(model, ["new_a", "new_b"])
    after = _logits(grown, x)
    n = len(old_names)
    assert after.shape == (len(x), n + 2)
    # The old rows are copied and the body is shared, so the old logits are the same numbers.
    np.testing.assert_array_equal(after[:, :n], before)
    assert class_names(grown) == old_names + ["new_a", "new_b"]
    kernel, bias = find_head(grown).get_weights()
    old_kernel, old_bias = (find_head(model).get_weights() + [np.zeros(n, "float32")])[:2]
    np.testing.assert_array_equal(kernel[:, :n], old_kernel)
    np.testing.assert_array_equal(bias[:n], old_bias)
    # init="mean": the new rows start at the mean of the old ones, so new logits start on the old scale.
    np.testing.assert_allclose(kernel[:, n], old_kernel.mean(axis=1), rtol=1e-6)


def test_body_is_shared_and_mean_init_scores_like_an_average_old_class():
    model = _sequential()
    grown = add_classes(model, ["x"])
    assert grown.layers[1] is model.layers[0]
    logits = _logits(grown, X_VEC)
    np.testing.assert_allclose(logits[:, 3], logits[:, :3].mean(axis=1), rtol=1e-5, atol=1e-6)


def test_small_init_starts_near_zero():
    grown = add_classes(_sequential(), ["x", "y"], init="small")
    kernel, bias = find_head(grown).get_weights()
    assert np.abs(kernel[:, 3:]).max() < 0.1 and np.all(bias[3:] == 0)


def test_names_are_saved_with_the_model(tmp_path):
    model = swap_head(_sequential(), class_names=["cat", "dog", "cow"])
    grown = add_classes(model, ["owl", "emu"])
    grown.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")  # kzoo is imported: ClassifierHead is known
    assert isinstance(find_head(loaded), kzoo.ClassifierHead)
    assert class_names(loaded) == ["cat", "dog", "cow", "owl", "emu"]
    np.testing.assert_array_equal(_logits(loaded, X_VEC), _logits(grown, X_VEC))


def test_grow_twice():
    grown = add_classes(add_classes(_sequential(), ["x"]), ["y", "z"])
    assert class_names(grown) == ["class_0", "class_1", "class_2", "x", "y", "z"]
    assert grown.output_shape == (None, 6)


def test_compiled_model_warns_that_optimizer_state_resets():
    model = _sequential()
    model.compile(optimizer="adam", loss="mse")
    with pytest.warns(UserWarning, match="uncompiled"):
        grown = add_classes(model, ["x"])
    assert not getattr(grown, "compiled", False)


@pytest.mark.parametrize("names, message", [
    (["class_1"], "exist already"),
    (["x", "class_0"], "exist already"),
    ([], "non-empty"),
    ("xy", "non-empty list"),
    (["x", "x"], "duplicates"),
])
def test_bad_names(names, message):
    with pytest.raises(InputError, match=message):
        add_classes(_sequential(), names)


def test_bad_init():
    with pytest.raises(InputError, match="init must be"):
        add_classes(_sequential(), ["x"], init="zeros")


def test_model_without_dense_head():
    model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(3, 3),
                              keras.layers.GlobalAveragePooling2D()])
    with pytest.raises(InputError, match="no recognisable classification head"):
        add_classes(model, ["x"])


@pytest.mark.parametrize("output", ["dense_softmax", "softmax_layer", "activation_layer"])
def test_softmax_head_is_refused(output):
    inputs = keras.Input((6,))
    x = keras.layers.Dense(8, activation="relu")(inputs)
    if output == "dense_softmax":
        out = keras.layers.Dense(3, activation="softmax")(x)
    else:
        logits = keras.layers.Dense(3)(x)
        out = keras.layers.Softmax()(logits) if output == "softmax_layer" else \
            keras.layers.Activation("softmax")(logits)
    with pytest.raises(InputError, match="softmax .*logits head.*swap_head"):
        add_classes(keras.Model(inputs, out), ["x"])


def test_linear_activation_after_head_is_fine():
    inputs = keras.Input((6,))
    out = keras.layers.Activation("linear")(keras.layers.Dense(3)(inputs))
    assert add_classes(keras.Model(inputs, out), ["x"]).output_shape == (None, 4)
