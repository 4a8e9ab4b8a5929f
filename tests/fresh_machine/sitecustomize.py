"""Test-only: packages named in ``$KZOO_TEST_HIDE`` look uninstalled, as on a fresh machine.

Put this folder first on ``PYTHONPATH`` (``.ci/run`` does): Python imports ``sitecustomize`` at start-up,
so the tests and every process they start see ``importlib.util.find_spec(name)`` return None and
``import name`` fail for the hidden top-level packages, without uninstalling anything.
"""
import os
import sys

HIDDEN = frozenset(os.environ.get("KZOO_TEST_HIDE", "").replace(",", " ").split())


class _Hiding:
    """Wraps one import finder; answers "not here" for a hidden package, asks the finder otherwise."""

    def __init__(self, finder):
        self._finder = finder

    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in HIDDEN:
            return None
        return self._finder.find_spec(name, path, target)

    def __getattr__(self, attr):
        return getattr(self._finder, attr)


if HIDDEN:
    sys.meta_path[:] = [_Hiding(finder) for finder in sys.meta_path]
