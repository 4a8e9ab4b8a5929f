"""kzoo.LazyAdam: Keras's Adam for dense gradients, row by row for the row-sparse gradients of embedding
lookups (TensorFlow), checked against Adam on the same table looked up through a one-hot product,
whose gradient is dense."""
import keras
import numpy as np
import pytest

import kzoo

SPARSE_GRADIENTS = keras.backend.backend() == "tensorflow"  # only TensorFlow gives lookups row gradients


class OneHotTable(keras.layers.Layer):
    """An embedding table looked up as one_hot(x) @ table: the same outputs, a dense gradient."""

    def build(self, input_shape):
        self.table = self.add_weight(shape=(10, 4), initializer="zeros")

    def call(self, x):
        return keras.ops.matmul(keras.ops.one_hot(x, 10), self.table)


def _two_steps(table_layer, optimizer):
    model = keras.Sequential([keras.Input((3,), dtype="int32"), table_layer])
    model.layers[0].set_weights([np.arange(40, dtype="float32").reshape(10, 4) / 40])
    model.compile(optimizer=optimizer, loss="mse")
    tables = []
    for rows in ([[1, 2, 2]], [[3, 3, 4]]):  # row 2 twice in the first batch; 1 and 2 unused in the second
        model.train_on_batch(np.array(rows, dtype="int32"), np.ones((1, 3, 4), dtype="float32"))
        tables.append(np.array(model.layers[0].get_weights()[0]))
    return tables


def test_lazy_adam_is_adam_on_used_rows_and_leaves_unused_rows_alone():
    lazy = _two_steps(keras.layers.Embedding(10, 4), kzoo.LazyAdam(0.1))
    adam = _two_steps(OneHotTable(), keras.optimizers.Adam(0.1))
    np.testing.assert_allclose(lazy[0], adam[0], rtol=1e-5, atol=1e-6)  # first step: Adam, duplicates summed
    np.testing.assert_allclose(lazy[1][[0, 3, 4]], adam[1][[0, 3, 4]], rtol=1e-5, atol=1e-6)
    moved_by_adam = ~np.isclose(adam[1][[1, 2]], adam[0][[1, 2]]).all(axis=1)
    assert moved_by_adam.all(), "Adam keeps moving rows with momentum"
    if SPARSE_GRADIENTS:
        np.testing.assert_array_equal(lazy[1][[1, 2]], lazy[0][[1, 2]])
    else:  # a dense gradient: exactly Adam
        np.testing.assert_allclose(lazy[1], adam[1], rtol=1e-5, atol=1e-6)


def test_lazy_adam_equals_adam_on_dense_weights_and_round_trips_its_config():
    x, y = np.random.default_rng(0).normal(size=(2, 16, 3)).astype("float32")[0], np.ones((16, 1), "float32")
    weights = []
    for optimizer in (kzoo.LazyAdam(0.01), keras.optimizers.Adam(0.01)):
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        model.compile(optimizer=optimizer, loss="mse")
        model.fit(x, y, epochs=3, batch_size=4, verbose=0)
        weights.append(model.get_weights())
    for lazy, adam in zip(*weights):
        np.testing.assert_allclose(lazy, adam, rtol=1e-6)
    restored = keras.optimizers.deserialize(keras.optimizers.serialize(kzoo.LazyAdam(0.02, beta_1=0.8)))
    assert type(restored) is kzoo.LazyAdam and restored.beta_1 == 0.8


def test_lazy_adam_refuses_amsgrad():
    with pytest.raises(ValueError, match="amsgrad"):
        kzoo.LazyAdam(amsgrad=True)
