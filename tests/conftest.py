"""Shared test set-up: quiet logs, a private kzoo cache per test session, asset discovery."""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory, monkeypatch):
    """Every test gets a fresh kzoo cache, so nothing leaks between tests or into ~/.cache."""
    monkeypatch.setenv("KZOO_CACHE", str(tmp_path_factory.mktemp("kzoo_cache")))
