"""kzoo.surgery.reinitialize: the lowest layers keep their weights, the ones above start afresh."""
import keras
import numpy as np
import pytest

import kzoo
from kzoo.surgery import reinitialize


def _weights(model):
    return {layer.name: [np.array(w) for w in layer.weights] for layer in kzoo.leaf_layers(model) if layer.weights}


def _same(a, b):
    return all(np.array_equal(x, y) for x, y in zip(a, b))


@pytest.fixture
def glyphnet():
    return kzoo.load("glyphnet", class_names=[str(d) for d in range(10)])


def test_keep_by_name_leaves_lower_layers_and_redraws_upper_ones(glyphnet):
    before = _weights(glyphnet)
    names = list(before)
    assert names[:4] == ["block1_conv", "block1_bn", "block2_conv", "block2_bn"]
    keras.utils.set_random_seed(0)
    assert reinitialize(glyphnet, keep="block2_bn") is glyphnet
    after = _weights(glyphnet)
    for name in names[:4]:
        assert _same(before[name], after[name]), name
    for name in names[4:]:
        assert not _same(before[name], after[name]), name
    bn = glyphnet.get_layer("block3_bn")  # gamma, beta, moving mean, moving variance back to 1, 0, 0, 1
    np.testing.assert_array_equal(bn.moving_mean.numpy(), 0.0)
    np.testing.assert_array_equal(bn.moving_variance.numpy(), 1.0)
    np.testing.assert_array_equal(bn.gamma.numpy(), 1.0)


def test_keep_zero_is_a_fresh_network_and_keep_all_changes_nothing(glyphnet):
    before = _weights(glyphnet)
    reinitialize(glyphnet, keep=len(before))
    assert all(_same(before[n], w) for n, w in _weights(glyphnet).items())
    keras.utils.set_random_seed(0)
    reinitialize(glyphnet, keep=0)
    conv = glyphnet.get_layer("block1_conv").kernel.numpy()
    assert not _same(before["block1_conv"], [conv])
    limit = np.sqrt(6.0 / (9 * 1 + 9 * 32))  # glorot_uniform for a 3x3, 1 -> 32 conv
    assert np.abs(conv).max() <= limit and conv.std() > limit / 4


def test_redrawn_weights_follow_the_seed(glyphnet):
    keras.utils.set_random_seed(1)
    first = _weights(reinitialize(glyphnet, keep=2))
    keras.utils.set_random_seed(1)
    second = _weights(reinitialize(glyphnet, keep=2))
    assert all(_same(first[n], second[n]) for n in first)


def test_nested_models_are_counted_flat_and_the_result_still_runs():
    inner = keras.Sequential([keras.Input((4,)), keras.layers.Dense(5, name="a"), keras.layers.Dense(5, name="b")],
                             name="inner")
    outer = keras.Sequential([keras.Input((4,)), inner, keras.layers.Dense(2, name="c")])
    outer.compile(optimizer="adam", loss="mse")
    before = _weights(outer)
    reinitialize(outer, keep=1)
    after = _weights(outer)
    assert _same(before["a"], after["a"])
    assert not _same(before["b"], after["b"]) and not _same(before["c"], after["c"])
    outer.fit(np.ones((4, 4)), np.zeros((4, 2)), epochs=1, verbose=0)  # still trains: same variables


@pytest.mark.parametrize("keep, match", [(-1, r"7 layers with weights\) == -1, must be an int in \[0, 7\]"),
                                         (99, r"== 99, must be an int in \[0, 7\]"), (True, "keep .* == True"),
                                         (1.5, "keep .* == 1.5"), ("block9_conv", "no layer"),
                                         ("block1_cnv", "block1_conv")])
def test_bad_keep_says_what_is_allowed(keep, match):
    model = kzoo.load("glyphnet")
    with pytest.raises(kzoo.InputError, match=match):
        reinitialize(model, keep=keep)


def test_not_a_model_is_an_input_error():
    with pytest.raises(kzoo.InputError, match="keras.Model"):
        reinitialize(keras.layers.Dense(2))
