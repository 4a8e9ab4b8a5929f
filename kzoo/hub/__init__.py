"""The hub: records in, local files out.

Given any ``Record`` (a name, its sources, the files it needs, their sha256, a cache group), the
hub finds the files on this machine (explicit path, ``$KZOO_ASSETS`` mirror, an installed package,
kzoo's package data, the standard caches) or downloads them (progress, sha256, file lock, atomic
rename, safe extraction). It knows nothing about models or data sets: ``kzoo.zoo`` and
``kzoo.datasets`` both hand it their entries.

Example:
    >>> import kzoo
    >>> kzoo.hub.fetch(kzoo.info("glyphnet"), progress=False).name
    'glyphnet'
"""
from kzoo.hub.archive import ARCHIVE_SUFFIXES, archive_suffix, extract
from kzoo.hub.download import download, file_sha256, hf_url
from kzoo.hub.record import CACHE_GROUPS, Record, mirror_folders, split_source
from kzoo.hub.resolve import KERAS_DOWNLOADS, MARKER, fetch, find_local

__all__ = ["ARCHIVE_SUFFIXES", "CACHE_GROUPS", "KERAS_DOWNLOADS", "MARKER", "Record", "archive_suffix",
           "download", "extract", "fetch", "file_sha256", "find_local", "hf_url", "mirror_folders",
           "split_source"]
