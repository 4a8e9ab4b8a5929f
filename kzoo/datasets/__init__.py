"""kzoo's data sets: a catalog, one ``load`` for images, audio and text, few-shot subsets and splits.

Example:
    >>> from kzoo import datasets
    >>> digits = datasets.load("digits", as_numpy=True)
    >>> x, y = datasets.few_shot(digits, per_class=5, seed=0)
    >>> x.shape, sorted(set(y.tolist())) == list(range(10))
    ((50, 8, 8, 1), True)
    >>> train = datasets.load("ants_bees", "train")  # doctest: +ASSETS
"""
from kzoo.datasets.catalog import DatasetEntry, info, list_datasets
from kzoo.datasets.load import load
from kzoo.datasets.splits import few_shot, stratified_split

__all__ = ["DatasetEntry", "few_shot", "info", "list_datasets", "load", "stratified_split"]
