"""``LazyAdam``: Adam that updates only the embedding rows a batch used.

A text encoder's token-embedding table is the largest weight it has (all-MiniLM-L6-v2: 30,522 tokens x
384 = 11.7 M of its 22.7 M weights), yet a batch of short sentences looks up a few hundred of its rows.
On TensorFlow the gradient of such a lookup arrives as the used rows alone (``tf.IndexedSlices``), but
Keras's ``Adam`` turns it into a full-size update of the table and of both its moment estimates at every
step. ``LazyAdam`` (the same rule as TensorFlow Addons' ``LazyAdam``) reads, updates and writes back only
those rows; every other weight, and every gradient on backends that give full-size gradients (JAX,
PyTorch), gets Keras's Adam step unchanged.
"""
from __future__ import annotations

import keras
from keras import ops

from kzoo.errors import InputError


@keras.saving.register_keras_serializable(package="kzoo")
class LazyAdam(keras.optimizers.Adam):
    """Keras's ``Adam``, except that a row-sparse gradient updates only its rows and their moments.

    Rows a batch did not use keep their weights and moments (Adam would keep moving them with their
    old momentum). Takes the same arguments as ``keras.optimizers.Adam``; ``amsgrad`` is not supported.

    Example:
        >>> import keras, kzoo
        >>> table = keras.Sequential([keras.Input((3,), dtype="int32"), keras.layers.Embedding(10, 4)])
        >>> table.compile(optimizer=kzoo.LazyAdam(0.1), loss="mse")
        >>> before = table.get_weights()[0]
        >>> _ = table.fit(keras.ops.convert_to_numpy([[1, 2, 2]]), keras.ops.ones((1, 3, 4)), verbose=0)
        >>> moved = (table.get_weights()[0] != before).any(axis=1)
        >>> bool(moved[1] and moved[2]), bool(moved[[0, 3, 4, 5, 6, 7, 8, 9]].any())
        (True, False)
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.amsgrad:
            raise InputError("kzoo.LazyAdam does not support amsgrad=True; use keras.optimizers.Adam for it.")

    def update_step(self, gradient, variable, learning_rate):
        rows = getattr(gradient, "indices", None)  # only TensorFlow's IndexedSlices carry them
        if rows is None:
            return super().update_step(gradient, variable, learning_rate)
        # A row looked up twice in the batch appears twice: sum its gradients first.
        rows, where = ops.unique(rows, return_inverse=True)
        grad = ops.segment_sum(ops.cast(gradient.values, variable.dtype), where, num_segments=ops.shape(rows)[0])

        step = ops.cast(self.iterations + 1, variable.dtype)
        lr = ops.cast(learning_rate, variable.dtype)
        alpha = lr * ops.sqrt(1 - ops.power(ops.cast(self.beta_2, variable.dtype), step)) / (
            1 - ops.power(ops.cast(self.beta_1, variable.dtype), step))
        index = self._get_variable_index(variable)
        m, v = self._momentums[index], self._velocities[index]
        m_rows = self.beta_1 * ops.take(m, rows, axis=0) + (1 - self.beta_1) * grad
        v_rows = self.beta_2 * ops.take(v, rows, axis=0) + (1 - self.beta_2) * ops.square(grad)
        new_rows = ops.take(variable, rows, axis=0) - alpha * m_rows / (ops.sqrt(v_rows) + self.epsilon)
        as_rows = type(gradient)  # the backend's row-sparse type, so assign() scatters the rows in place
        for target, values in ((m, m_rows), (v, v_rows), (variable, new_rows)):
            self.assign(target, as_rows(values, rows, gradient.dense_shape))
