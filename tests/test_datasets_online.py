"""kzoo.datasets' online path: canonical archives fetched from a loopback server, checked, extracted."""
from __future__ import annotations

import dataclasses
import hashlib
import io
import tarfile
import wave as wavelib
import zipfile

import numpy as np
import pytest

from kzoo import config, datasets
from kzoo.errors import NotAvailableError

from http_server import LoopbackServer

COLORS = {"ants": (250, 10, 10), "bees": (10, 10, 250)}


@pytest.fixture
def online(monkeypatch, tmp_path):
    """No mirror, an empty cache, the network allowed (it only ever reaches 127.0.0.1 here)."""
    monkeypatch.delenv(config.ASSETS_ENV, raising=False)
    monkeypatch.delenv(config.OFFLINE_ENV, raising=False)
    monkeypatch.setenv(config.CACHE_ENV, str(tmp_path / "cache"))
    return tmp_path / "cache"


def _hymenoptera_zip() -> bytes:
    """The canonical layout (hymenoptera_data/{train,val}/{ants,bees}/) with flat-colour images."""
    from PIL import Image

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for split, count in (("train", 3), ("val", 1)):
            for name, color in COLORS.items():
                for i in range(count):
                    image = io.BytesIO()
                    Image.new("RGB", (30, 20), color).save(image, "PNG")
                    zf.writestr(f"hymenoptera_data/{split}/{name}/{i}.jpg", image.getvalue())
    return buffer.getvalue()


def _fsdd_tar() -> bytes:
    """The v1.0.9 archive's layout with 2 speakers x 2 digits x indices 0-5, one tone per digit."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tf:
        for speaker in ("ann", "bob"):
            for digit in (1, 2):
                for index in range(6):
                    samples = (10000 * np.sin(np.arange(2000) * 0.05 * digit)).astype("<i2")
                    wav = io.BytesIO()
                    with wavelib.open(wav, "wb") as w:
                        w.setnchannels(1)
                        w.setsampwidth(2)
                        w.setframerate(8000)
                        w.writeframes(samples.tobytes())
                    member = tarfile.TarInfo(
                        f"free-spoken-digit-dataset-1.0.9/recordings/{digit}_{speaker}_{index}.wav")
                    member.size = len(wav.getvalue())
                    tf.addfile(member, io.BytesIO(wav.getvalue()))
    return buffer.getvalue()


def _entry(name: str, server: LoopbackServer, path: str, body: bytes, sha256: str | None = None):
    """A test copy of a catalog entry whose only source is the loopback server."""
    pinned = sha256 or hashlib.sha256(body).hexdigest()
    return dataclasses.replace(datasets.info(name), sources=(f"{server.url}{path}#sha256={pinned}",))


def test_ants_bees_downloads_checks_and_extracts_the_zip(online):
    body = _hymenoptera_zip()
    with LoopbackServer({"/tutorial/hymenoptera_data.zip": body}) as server:
        entry = _entry("ants_bees", server, "/tutorial/hymenoptera_data.zip", body)
        x, y = datasets.load(entry, "train", image_size=8, as_numpy=True, shuffle=False)
        assert x.shape == (6, 8, 8, 3) and y.tolist() == [0, 0, 0, 1, 1, 1]
        np.testing.assert_allclose(x[:, 4, 4], [COLORS["ants"]] * 3 + [COLORS["bees"]] * 3)
        ds = datasets.load(entry, "val", image_size=8)  # from the cache now
        assert [b[1].tolist() for b in ds.as_numpy_iterator()] == [[0, 1]]
        assert server.requests == ["/tutorial/hymenoptera_data.zip"]
    assert not list(online.rglob("*.zip"))  # the archive is removed once extracted


def test_a_wrong_checksum_leaves_nothing(online):
    body = _hymenoptera_zip()
    with LoopbackServer({"/h.zip": body}) as server:
        entry = _entry("ants_bees", server, "/h.zip", body, sha256="0" * 64)
        with pytest.raises(NotAvailableError, match="sha256"):
            datasets.load(entry, "train", as_numpy=True)
    assert not [p for p in online.rglob("*") if p.is_file() and not p.name.endswith(".lock")]


def test_spoken_digits_from_the_tar_archive(online):
    body = _fsdd_tar()
    with LoopbackServer({"/archive/v1.0.9.tar.gz": body}) as server:
        entry = _entry("spoken_digits", server, "/archive/v1.0.9.tar.gz", body)
        x, y = datasets.load(entry, "test", as_numpy=True, shuffle=False)
        assert x.shape == (20, 16000) and np.bincount(y).tolist() == [0, 10, 10]  # indices 0-4
        x_train, _ = datasets.load(entry, "train", as_numpy=True)
        assert len(x_train) == 4
        x_bob, _ = datasets.load(entry, "test", as_numpy=True, split_by="speaker", test_speakers=("bob",))
        assert len(x_bob) == 12
        assert len(server.requests) == 1


def test_offline_never_touches_the_network(online, monkeypatch):
    monkeypatch.setenv(config.OFFLINE_ENV, "1")
    body = _fsdd_tar()
    with LoopbackServer({"/v.tar.gz": body}) as server:
        with pytest.raises(NotAvailableError, match="KZOO_OFFLINE"):
            datasets.load(_entry("spoken_digits", server, "/v.tar.gz", body), "test", as_numpy=True)
        assert server.requests == []
