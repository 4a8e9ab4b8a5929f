"""kzoo.datasets.few_shot and stratified_split: exact counts, reproducible, clear errors."""
from __future__ import annotations

import numpy as np
import pytest

from kzoo.datasets import few_shot, stratified_split
from kzoo.errors import InputError


@pytest.fixture
def data():
    y = np.repeat(np.arange(4), [10, 7, 12, 5]).astype(np.int32)
    x = np.arange(len(y) * 3, dtype=np.float32).reshape(len(y), 3)  # row i starts at 3 * i
    return x, y


def test_few_shot_exact_counts_and_rows_kept_with_their_labels(data):
    x, y = data
    xs, ys = few_shot((x, y), 5, seed=0)
    assert np.bincount(ys).tolist() == [5, 5, 5, 5]
    np.testing.assert_array_equal(y[(xs[:, 0] // 3).astype(int)], ys)  # each x stays with its y
    assert len(np.unique(xs[:, 0])) == 20  # no example twice


def test_few_shot_is_reproducible_nested_and_seed_dependent(data):
    x, y = data
    a = few_shot((x, y), 3, seed=7)
    np.testing.assert_array_equal(a[0], few_shot((x, y), 3, seed=7)[0])
    assert not np.array_equal(a[0], few_shot((x, y), 3, seed=8)[0])
    one, five = few_shot((x, y), 1, seed=7), few_shot((x, y), 5, seed=7)
    assert set(one[0][:, 0]) < set(a[0][:, 0]) < set(five[0][:, 0])  # nested shots


def test_few_shot_works_on_strings():
    x = np.asarray(["a", "b", "c", "d"], dtype=object)
    xs, ys = few_shot((x, np.array([0, 1, 0, 1])), 1, seed=0)
    assert xs.dtype == object and sorted(ys.tolist()) == [0, 1]


def test_few_shot_errors(data):
    x, y = data
    with pytest.raises(InputError, match=r"\{3: 5\}"):
        few_shot((x, y), 6, seed=0)
    with pytest.raises(InputError, match="per_class"):
        few_shot((x, y), 0, seed=0)
    with pytest.raises(InputError, match="must match"):
        few_shot((x, y[:-1]), 1, seed=0)
    with pytest.raises(InputError, match=r"\(x, y\) pair"):
        few_shot(x, 1, seed=0)
    with pytest.raises(InputError, match="seed"):
        few_shot((x, y), 1, seed=-3)


def test_stratified_split_keeps_class_shares(data):
    x, y = data
    (x_train, y_train), (x_test, y_test) = stratified_split(x, y, 0.4, seed=0)
    assert len(x_train) + len(x_test) == len(x)
    assert np.bincount(y_test).tolist() == [4, 3, 5, 2]
    rows = np.concatenate([x_train[:, 0], x_test[:, 0]])
    assert sorted(rows.tolist()) == x[:, 0].tolist()  # a partition: nothing lost or doubled
    again = stratified_split(x, y, 0.4, seed=0)
    np.testing.assert_array_equal(again[1][0], x_test)
    assert not np.array_equal(stratified_split(x, y, 0.4, seed=1)[1][0], x_test)


def test_stratified_split_errors(data):
    x, y = data
    for fraction in (0, 1, 1.5, "half"):
        with pytest.raises(InputError, match="test_fraction"):
            stratified_split(x, y, fraction, seed=0)
    with pytest.raises(InputError, match="single example"):
        stratified_split(x[:11], y[:11], 0.5, seed=0)
    with pytest.raises(InputError, match="cannot hold"):
        stratified_split(x, y, 0.05, seed=0)
