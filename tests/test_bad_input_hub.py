"""Bad input and faults through the hub and ``kzoo.load``: each case expects a kzoo error with a
useful message, and nothing half-written left behind (``_clean``), against a loopback HTTP server."""
from __future__ import annotations

import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import tarfile
import time
import types
import warnings
import zipfile
from pathlib import Path

import pytest
from http_server import LoopbackServer

import kzoo
from kzoo import config
from kzoo.errors import (ChecksumError, CorruptFileError, DownloadError, InputError, NotAvailableError,
                         UnknownNameError)
from kzoo.hub import MARKER, download, extract, fetch, find_local

ROOT = Path(kzoo.__file__).parent
MIRROR = os.environ.get("KZOO_ASSETS")  # read before the fixture below hides it from each test
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
ZIP_FILES = {"tinyset/train/a.txt": b"a" * 100, "tinyset/val/b.txt": b"b" * 100}


@pytest.fixture(autouse=True)
def _loopback_without_proxy(monkeypatch):
    for name in ("KZOO_ASSETS", "KZOO_OFFLINE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


def _clean(root: Path) -> None:
    """Nothing temporary or partial anywhere under root."""
    leftovers = [str(p.relative_to(root)) for p in root.rglob("*") if ".part" in p.name]
    assert not leftovers, leftovers


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate names some tests want
        with zipfile.ZipFile(buffer, "w", method) as zf:
            for name, data in members.items() if isinstance(members, dict) else members:
                zf.writestr(name, data)
    return buffer.getvalue()


def _record(url: str, name: str = "tinyset", files: tuple = ()) -> types.SimpleNamespace:
    return types.SimpleNamespace(name=name, cache_group="datasets", files=files, sha256={}, sources=(url,))


def _cache() -> Path:
    return config.cache_dir()


# --- downloads ---------------------------------------------------------------------------------
def test_html_page_for_a_binary_is_not_kept(tmp_path):
    with LoopbackServer({"/w.bin": b"<html><body>Please log in</body></html>"}, html={"/w.bin"}) as server:
        with pytest.raises(DownloadError, match="HTML page"):
            download(server.url + "/w.bin", tmp_path / "w.bin", progress=False)
    assert not (tmp_path / "w.bin").exists()
    _clean(tmp_path)


def test_html_body_is_recognised_even_when_labelled_binary(tmp_path):
    with LoopbackServer({"/w.bin": b"\n  <!DOCTYPE html><html>404</html>"}) as server:
        with pytest.raises(DownloadError, match="HTML page"):
            download(server.url + "/w.bin", tmp_path / "w.bin", progress=False)
    assert list(tmp_path.iterdir()) == [tmp_path / "w.bin.lock"]


def test_html_is_kept_when_an_html_file_is_asked_for(tmp_path):
    page = b"<html>docs</html>"
    with LoopbackServer({"/index.html": page}, html={"/index.html"}) as server:
        assert download(server.url + "/index.html", tmp_path / "index.html", progress=False).read_bytes() == page


def test_cut_off_without_content_length_fails_the_pinned_checksum(tmp_path):
    body = os.urandom(50_000)
    with LoopbackServer({"/w.bin": body}, no_length={"/w.bin"}, truncate={"/w.bin"}) as server:
        with pytest.raises(ChecksumError, match="Checksum mismatch"):
            download(server.url + "/w.bin", tmp_path / "w.bin", sha256=hashlib.sha256(body).hexdigest(),
                     progress=False)
    assert not (tmp_path / "w.bin").exists()
    _clean(tmp_path)


def test_empty_body_is_not_kept(tmp_path):
    with LoopbackServer({"/w.bin": b""}) as server:
        with pytest.raises(DownloadError, match="empty body"):
            download(server.url + "/w.bin", tmp_path / "w.bin", progress=False)
    assert not (tmp_path / "w.bin").exists()


def test_orphan_part_file_of_a_killed_download_is_removed_by_the_next_one(tmp_path):
    orphan = tmp_path / ".w.bin.0123456789ab.part"
    orphan.write_bytes(b"half")
    with LoopbackServer({"/w.bin": b"weights"}) as server:
        download(server.url + "/w.bin", tmp_path / "w.bin", progress=False)
    assert not orphan.exists() and (tmp_path / "w.bin").read_bytes() == b"weights"


# --- fetching into the cache ---------------------------------------------------------------------
def test_archive_cut_off_without_content_length_is_not_kept_and_the_next_run_retries():
    body = _zip(ZIP_FILES)
    with LoopbackServer({"/d/tinyset.zip": body}, no_length={"/d/tinyset.zip"},
                        truncate={"/d/tinyset.zip"}) as server:
        record = _record(server.url + "/d/tinyset.zip")
        with pytest.raises(NotAvailableError, match="did not give a complete archive"):
            fetch(record, progress=False)
        assert not (_cache() / "datasets" / "tinyset").exists() and find_local(record) is None
        _clean(_cache())
        server.truncate.clear()
        folder = fetch(record, progress=False)
    assert (folder / "tinyset" / "tinyset" / "val" / "b.txt").read_bytes() == b"b" * 100


def test_html_answer_for_an_archive_is_not_kept():
    with LoopbackServer({"/d/tinyset.zip": b"<html>rate limited</html>"}, html={"/d/tinyset.zip"}) as server:
        with pytest.raises(NotAvailableError, match="HTML page"):
            fetch(_record(server.url + "/d/tinyset.zip"), progress=False)
    assert not (_cache() / "datasets" / "tinyset").exists()
    _clean(_cache())


def test_completed_fetch_records_sizes_and_sha256_and_a_changed_file_is_fetched_again():
    body = _zip(ZIP_FILES)
    with LoopbackServer({"/d/tinyset.zip": body}) as server:
        record = _record(server.url + "/d/tinyset.zip")
        folder = fetch(record, progress=False)
        manifest = json.loads((folder / MARKER).read_text())["files"]
        assert manifest["tinyset/tinyset/train/a.txt"] == [100, hashlib.sha256(b"a" * 100).hexdigest()]
        (folder / "tinyset" / "tinyset" / "train" / "a.txt").write_bytes(b"A" * 100)  # same size
        assert find_local(record) is None  # no longer trusted
        assert fetch(record, progress=False) == folder
        assert server.requests.count("/d/tinyset.zip") == 2
    assert (folder / "tinyset" / "tinyset" / "train" / "a.txt").read_bytes() == b"a" * 100


def test_a_missing_file_or_a_bare_marker_is_not_trusted():
    body = _zip(ZIP_FILES)
    with LoopbackServer({"/d/tinyset.zip": body}) as server:
        record = _record(server.url + "/d/tinyset.zip")
        folder = fetch(record, progress=False)
        (folder / "tinyset" / "tinyset" / "val" / "b.txt").unlink()
        assert find_local(record) is None
        fetch(record, progress=False)
        (folder / MARKER).write_text("")  # the empty marker of older kzoo versions
        assert find_local(record) is None
        fetch(record, progress=False)
        assert server.requests.count("/d/tinyset.zip") == 3
    assert find_local(record) == folder


def test_orphan_temporary_folder_in_the_cache_is_removed_by_the_next_fetch():
    group = _cache() / "datasets"
    orphan = group / ".tinyset.0123456789ab.part"
    (orphan / "half").mkdir(parents=True)
    with LoopbackServer({"/d/tinyset.zip": _zip(ZIP_FILES)}) as server:
        fetch(_record(server.url + "/d/tinyset.zip"), progress=False)
    assert not orphan.exists()
    _clean(_cache())


def test_failed_extraction_leaves_nothing_a_later_run_trusts():
    bomb = _zip({"zeros.bin": bytes(100 << 20)})
    with LoopbackServer({"/d/tinyset.zip": bomb}) as server:
        record = _record(server.url + "/d/tinyset.zip")
        with pytest.raises(InputError, match="decompression bomb"):
            fetch(record, progress=False)
    assert not (_cache() / "datasets" / "tinyset").exists() and find_local(record) is None
    _clean(_cache())


_KILLED_FETCH = """
import sys, types
pkg = types.ModuleType("kzoo"); pkg.__path__ = [{root!r}]; sys.modules["kzoo"] = pkg
from kzoo.hub import fetch
record = types.SimpleNamespace(name="slowset", cache_group="datasets", files=(), sha256={{}},
                               sources=({url!r},))
fetch(record, progress=False)
"""


def test_killed_download_leaves_an_orphan_that_the_next_run_cleans(tmp_path):
    body = _zip({"slowset/data.bin": os.urandom(1 << 20)}, zipfile.ZIP_STORED)
    with LoopbackServer({"/d/slowset.zip": body}, chunk_delay=0.01) as server:
        url = f"{server.url}/d/slowset.zip#sha256={hashlib.sha256(body).hexdigest()}"
        child = subprocess.Popen([sys.executable, "-c", _KILLED_FETCH.format(root=str(ROOT), url=url)],
                                 env={**os.environ, "KZOO_CACHE": str(_cache())})
        group = _cache() / "datasets"
        deadline = time.monotonic() + 60
        while not any(".part" in p.name and p.is_file() for p in group.rglob("*")):
            assert child.poll() is None and time.monotonic() < deadline, "the download did not start"
            time.sleep(0.05)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        assert any(".part" in p.name for p in group.iterdir())  # the killed fetch's leftovers
        assert find_local(_record(url, "slowset")) is None
        server.chunk_delay = 0.0
        folder = fetch(_record(url, "slowset"), progress=False)
    assert (folder / "slowset" / "slowset" / "data.bin").stat().st_size == 1 << 20
    _clean(_cache())


# --- extraction limits -------------------------------------------------------------------------
def test_zip_bomb_by_ratio_is_refused(tmp_path):
    archive = tmp_path / "bomb.zip"
    archive.write_bytes(_zip({"zeros.bin": bytes(100 << 20)}))
    assert archive.stat().st_size < 200_000
    with pytest.raises(InputError, match="decompression bomb"):
        extract(archive, tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bomb.zip"]


def test_tar_bomb_by_ratio_is_refused(tmp_path):
    archive = tmp_path / "bomb.tar.gz"
    with tarfile.open(archive, "w:gz") as tf:
        member = tarfile.TarInfo("zeros.bin")
        member.size = 50 << 20
        tf.addfile(member, io.BytesIO(bytes(member.size)))
    with pytest.raises(InputError, match="over kzoo's limit"):
        extract(archive, tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bomb.tar.gz"]


def test_duplicate_member_names_are_refused(tmp_path):
    archive = tmp_path / "dup.zip"
    archive.write_bytes(_zip([("data/a.txt", b"one"), ("data/a.txt", b"two")]))
    with pytest.raises(InputError, match="appears more than once"):
        extract(archive, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    _clean(tmp_path)


def test_a_name_that_is_both_a_file_and_a_folder_is_refused(tmp_path):
    archive = tmp_path / "clash.zip"
    archive.write_bytes(_zip({"data": b"file", "data/inner.txt": b"x"}))
    with pytest.raises(InputError, match="is a file and also a folder"):
        extract(archive, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def _patch_central_directory(data: bytes, offset: int, value: int) -> bytes:
    at = data.index(b"PK\x01\x02") + offset
    return data[:at] + value.to_bytes(2, "little") + data[at + 2:]


def test_encrypted_member_is_refused(tmp_path):
    archive = tmp_path / "secret.zip"
    archive.write_bytes(_patch_central_directory(_zip({"a.txt": b"secret"}), 8, 0x1))  # flag bit 0
    with pytest.raises(InputError, match="encrypted"):
        extract(archive, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_unsupported_compression_method_is_refused(tmp_path):
    archive = tmp_path / "odd.zip"
    archive.write_bytes(_patch_central_directory(_zip({"a.txt": b"data"}), 10, 99))  # method 99 (AES)
    with pytest.raises(InputError, match="compression method 99"):
        extract(archive, tmp_path / "out")
    assert not (tmp_path / "out").exists()


# --- cache and mirror folders ------------------------------------------------------------------
def test_cache_variable_naming_a_file_is_a_clear_error(tmp_path, monkeypatch):
    (tmp_path / "cache").write_text("not a folder")
    monkeypatch.setenv("KZOO_CACHE", str(tmp_path / "cache"))
    with pytest.raises(InputError, match="KZOO_CACHE"):
        kzoo.fetch("glyphnet", force=True)


def test_cache_below_a_file_is_a_clear_error(tmp_path, monkeypatch):
    (tmp_path / "file").write_text("x")
    monkeypatch.setenv("KZOO_CACHE", str(tmp_path / "file" / "cache"))
    with pytest.raises(InputError, match="a file is in the way.*KZOO_CACHE"):
        config.cache_dir()


def test_cache_group_folder_replaced_by_a_file_is_a_clear_error(tmp_path):
    (_cache() / "datasets").write_text("x")
    with LoopbackServer({"/d/tinyset.zip": _zip(ZIP_FILES)}) as server:
        with pytest.raises(InputError, match="KZOO_CACHE"):
            fetch(_record(server.url + "/d/tinyset.zip"), progress=False)


def test_assets_variable_naming_a_file_is_a_clear_error(tmp_path, monkeypatch):
    (tmp_path / "mirror").write_text("x")
    monkeypatch.setenv("KZOO_ASSETS", str(tmp_path / "mirror"))
    with pytest.raises(InputError, match="KZOO_ASSETS=.* is a file"):
        kzoo.find_local("efficientnet_lite0")


@pytest.mark.skipif(IS_ROOT, reason="root can write into read-only folders")
def test_read_only_cache_is_a_clear_error(tmp_path, monkeypatch):
    cache = tmp_path / "ro"
    cache.mkdir()
    cache.chmod(0o555)
    monkeypatch.setenv("KZOO_CACHE", str(cache))
    try:
        with pytest.raises(InputError, match="cannot be written.*KZOO_CACHE"):
            config.cache_dir()
    finally:
        cache.chmod(0o755)


@pytest.mark.skipif(IS_ROOT, reason="root can read unreadable folders")
def test_unreadable_mirror_is_a_clear_error(tmp_path, monkeypatch):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    mirror.chmod(0o000)
    monkeypatch.setenv("KZOO_ASSETS", str(mirror))
    try:
        with pytest.raises(InputError, match="KZOO_ASSETS"):
            kzoo.find_local("efficientnet_lite0")
    finally:
        mirror.chmod(0o755)


# --- kzoo.load and kzoo.fetch arguments --------------------------------------------------------
@pytest.mark.parametrize("name", ["", "   "])
def test_empty_name_is_refused_and_never_loads_the_current_folder(name):
    with pytest.raises(InputError, match="name must be a zoo name"):
        kzoo.load(name)


def test_glyphnet_refuses_another_input_shape_and_accepts_its_own():
    with pytest.raises(InputError, match=r"takes inputs of shape \(8, 8, 1\) only"):
        kzoo.load("glyphnet", input_shape=(16, 16, 1))
    assert kzoo.load("glyphnet", 3, input_shape=(8, 8, 1)).input_shape == (None, 8, 8, 1)


@pytest.mark.parametrize("shape", [(224, -1, 3), (224, 224.5, 3), "224x224", ()])
def test_malformed_input_shape_is_refused_before_any_file_is_looked_for(shape):
    with pytest.raises(InputError, match="input_shape"):
        kzoo.load("efficientnet_lite0", 2, input_shape=shape)
    _clean(_cache())


@pytest.mark.parametrize("value", ["false", "True", 1, 0.0])
def test_mixed_precision_must_be_a_bool_or_none(value):
    with pytest.raises(InputError, match="mixed_precision must be True, False or None"):
        kzoo.load("glyphnet", 3, mixed_precision=value)


@pytest.mark.parametrize("value", [-1, 0, float("nan"), float("inf"), 2.5, "128"])
def test_sequence_length_must_be_a_positive_int(value):
    with pytest.raises(InputError, match="sequence_length == .*, must be an int >= 1"):
        kzoo.load("minilm_l6", 2, sequence_length=value)


def test_text_file_passed_as_weights_is_a_corrupt_file_error(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("these are not weights")
    with pytest.raises(CorruptFileError, match=r"notes\.txt could not be read as model weights.*Pass a"):
        kzoo.load("glyphnet", weights=notes)


def test_truncated_keras_file_is_a_corrupt_file_error(tmp_path):
    shipped = config.data_dir() / "glyphnet" / "glyphnet.keras"
    cut = tmp_path / "glyphnet.keras"
    cut.write_bytes(shipped.read_bytes()[: shipped.stat().st_size // 2])
    with pytest.raises(CorruptFileError, match=r"glyphnet\.keras could not be read.*truncated"):
        kzoo.load("glyphnet", 3, weights=cut)


def test_truncated_safetensors_is_a_corrupt_file_error(tmp_path):
    if not MIRROR or not (Path(MIRROR) / "models" / "efficientnet_lite0_imagenet").is_dir():
        pytest.skip("KZOO_ASSETS is not set to the offline asset mirror")
    mirrored = Path(MIRROR) / "models" / "efficientnet_lite0_imagenet"
    (tmp_path / "config.json").write_bytes((mirrored / "config.json").read_bytes())
    (tmp_path / "model.safetensors").write_bytes((mirrored / "model.safetensors").read_bytes()[:100_000])
    with pytest.raises(CorruptFileError, match=r"model\.safetensors.*could not be read.*kzoo fetch"):
        kzoo.load("efficientnet_lite0", 2, weights=tmp_path)


def test_empty_weights_path_is_refused():
    with pytest.raises(InputError, match="weights must be 'pretrained', None or an existing path"):
        kzoo.load("glyphnet", weights="")


def test_data_set_name_fetch_recommends_a_command_that_works(monkeypatch):
    monkeypatch.setenv("KZOO_OFFLINE", "1")
    with pytest.raises(NotAvailableError, match="run `kzoo fetch ants_bees`") as err:
        kzoo.fetch("ants_bees")
    assert "data set 'ants_bees'" in str(err.value)
    monkeypatch.delenv("KZOO_OFFLINE")
    assert kzoo.models.record("ants_bees") is kzoo.datasets.info("ants_bees")  # the command's lookup


def test_unknown_name_for_fetch_suggests_close_names():
    with pytest.raises(UnknownNameError, match="glyphnet"):
        kzoo.fetch("glyphnett")


def test_doctor_reports_an_unusable_mirror_instead_of_crashing(tmp_path, monkeypatch):
    (tmp_path / "mirror").write_text("x")
    monkeypatch.setenv("KZOO_ASSETS", str(tmp_path / "mirror"))
    report = kzoo.doctor.report()
    assert "KZOO_ASSETS: unusable" in report and "is a file" in report


# --- data files --------------------------------------------------------------------------------
def test_tsv_with_a_utf8_byte_order_mark_reads_like_one_without(tmp_path):
    from kzoo.datasets.text import read_tsv

    (tmp_path / "bom.tsv").write_bytes("sentence\tlabel\nfine film\t1\n".encode("utf-8-sig"))
    x, y = read_tsv(tmp_path / "bom.tsv", 2)
    assert x.tolist() == ["fine film"] and y.tolist() == [1]


@pytest.mark.parametrize("side", [40, 100])  # between 1x and 2x PIL's limit (it only warns), above 2x
def test_decompression_bomb_image_is_refused(tmp_path, monkeypatch, side):
    from PIL import Image

    from kzoo.datasets.images import decode_image

    Image.new("L", (side, side)).save(tmp_path / "bomb.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    with pytest.raises(InputError, match="decompression bomb"):
        decode_image(tmp_path / "bomb.png", (8, 8))
