"""Where the project lives: its repository and docs site, read from ``[project.urls]`` in pyproject.toml.

pyproject.toml is the one place these addresses are written; this module reads them from the
installed package's metadata, and the Colab badge, the notebooks' install cell, the README and
``mkdocs.yml`` are derived from (and tested against) them.
"""
from __future__ import annotations

import importlib.metadata

from kzoo.errors import KzooError


def _project_urls() -> dict[str, str]:
    try:
        entries = importlib.metadata.metadata("kzoo").get_all("Project-URL") or []
    except importlib.metadata.PackageNotFoundError as err:
        raise KzooError("kzoo's package metadata is missing: install kzoo (pip install -e . in a checkout) "
                        "so its [project.urls] can be read.") from err
    return dict(entry.split(", ", 1) for entry in entries)


_URLS = _project_urls()
REPOSITORY_URL = _URLS["Repository"].rstrip("/")
DOCS_URL = _URLS["Documentation"]
REPOSITORY = REPOSITORY_URL.removeprefix("https://github.com/")
COLAB_URL = f"https://colab.research.google.com/github/{REPOSITORY}/blob/main/notebooks/"
# What pip installs when kzoo is missing: the repository's default branch.
INSTALL_SOURCE = f"git+{REPOSITORY_URL}"
