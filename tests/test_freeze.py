"""freeze / unfreeze / layer_groups, BatchNorm policy, and recompiling after a change."""
import keras
import numpy as np
import pytest

from kzoo.errors import InputError
from kzoo.freeze import freeze, layer_groups, leaf_layers, unfreeze
from kzoo.heads import swap_head


def _model():
    inner = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, name="d1"),
                              keras.layers.BatchNormalization(name="bn"), keras.layers.Dense(16, name="d2"),
                              keras.layers.Dense(16, name="d3")], name="body")
    inp = keras.Input((8,))
    return swap_head(keras.Model(inp, keras.layers.Dense(3, name="old")(inner(inp))), 4)


def _trainable(model):
    return sorted({w.path.split("/")[-2] for w in model.trainable_weights})


def test_freeze_leaves_only_the_head():
    model = freeze(_model())
    assert _trainable(model) == ["head"]


def test_unfreeze_all_keeps_batchnorm_frozen():
    model = unfreeze(freeze(_model()))
    assert _trainable(model) == ["d1", "d2", "d3", "head"]
    bn = [layer for layer in leaf_layers(model) if isinstance(layer, keras.layers.BatchNormalization)][0]
    assert not bn.trainable
    assert _trainable(unfreeze(model, train_batchnorm=True)) == ["bn", "d1", "d2", "d3", "head"]


@pytest.mark.parametrize("top, expected", [
    (1, ["d3", "head"]), (2, ["d2", "d3", "head"]), (0.5, ["d2", "d3", "head"]), ("d2", ["d2", "d3", "head"]),
    (0, ["head"]),
])
def test_unfreeze_top(top, expected):
    assert _trainable(unfreeze(_model(), top=top)) == expected


@pytest.mark.parametrize("top, message", [(9, r"4 layers with weights\) == 9, must be an int in \[0, 4\]"), (1.5, r"top == 1.5, must be a finite number in \(0, 1\]"), ("dd2", "Did you mean 'd2'"),
                                          (True, "top must be")])
def test_unfreeze_bad_top(top, message):
    with pytest.raises(InputError, match=message):
        unfreeze(_model(), top=top)


def test_trainability_change_after_compile_takes_effect():
    """Freezing a compiled model must change what fit() updates, on every backend."""
    model = _model()
    model.compile(optimizer="sgd", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    x, y = np.random.default_rng(0).random((32, 8)).astype("float32"), np.arange(32) % 4
    model.fit(x, y, epochs=1, verbose=0)
    freeze(model)
    body_before = [np.array(w) for w in model.weights if "head" not in w.path]
    head_before = [np.array(w) for w in model.weights if "head" in w.path]
    model.fit(x, y, epochs=1, verbose=0)
    body_after = [np.array(w) for w in model.weights if "head" not in w.path]
    head_after = [np.array(w) for w in model.weights if "head" in w.path]
    assert all(np.array_equal(a, b) for a, b in zip(body_before, body_after))
    assert not all(np.array_equal(a, b) for a, b in zip(head_before, head_after))


def test_layer_groups_cover_the_body_in_order():
    groups = layer_groups(_model(), 2)
    assert [[layer.name for layer in g] for g in groups] == [["d1", "bn"], ["d2", "d3"], ["head"]]
    with pytest.raises(InputError):
        layer_groups(_model(), 0)
