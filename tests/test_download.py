"""kzoo.hub.download against a loopback HTTP server: success, bad bytes, hang-ups, locking, offline."""
from __future__ import annotations

import hashlib
import multiprocessing
import os
from pathlib import Path

import pytest
from http_server import LoopbackServer

from kzoo.errors import ChecksumError, DownloadError, InputError, NotAvailableError
from kzoo.hub.download import download, file_sha256, hf_url

DATA = os.urandom(300_000)  # a few chunks' worth, incompressible
SHA = hashlib.sha256(DATA).hexdigest()


@pytest.fixture(autouse=True)
def _env(monkeypatch):
    monkeypatch.delenv("KZOO_OFFLINE", raising=False)
    monkeypatch.delenv("HF_ENDPOINT", raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


def _leftovers(folder: Path) -> list[str]:
    """Everything under folder except lock files (the lock stays by design; it holds no data)."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")
                  if p.is_file() and not p.name.endswith(".lock"))


def test_download_verifies_shows_progress_and_reuses_the_file(tmp_path, capsys):
    with LoopbackServer({"/w.bin": DATA}) as server:
        dest = download(server.url + "/w.bin", tmp_path / "cache" / "w.bin", sha256=SHA.upper())
        assert dest == tmp_path / "cache" / "w.bin"
        assert dest.read_bytes() == DATA
        assert file_sha256(dest) == SHA
        assert "w.bin" in capsys.readouterr().err  # tqdm's bar, on stderr
        assert download(server.url + "/w.bin", dest, sha256=SHA, progress=False) == dest
        assert server.requests == ["/w.bin"]  # the second call never touched the network
    assert _leftovers(tmp_path) == ["cache/w.bin"]


def test_existing_file_is_returned_without_network(tmp_path):
    dest = tmp_path / "w.bin"
    dest.write_bytes(DATA)
    # Nothing listens on this URL: any network use would fail.
    assert download("http://127.0.0.1:9/w.bin", dest, sha256=SHA, progress=False) == dest


def test_stale_file_is_replaced_by_a_fresh_download(tmp_path):
    dest = tmp_path / "w.bin"
    dest.write_bytes(b"old bytes")
    with LoopbackServer({"/w.bin": DATA}) as server:
        download(server.url + "/w.bin", dest, sha256=SHA, progress=False)
    assert dest.read_bytes() == DATA


def test_force_downloads_again(tmp_path):
    dest = tmp_path / "w.bin"
    dest.write_bytes(b"old bytes")
    with LoopbackServer({"/w.bin": DATA}) as server:
        download(server.url + "/w.bin", dest, progress=False, force=True)
        assert server.requests == ["/w.bin"]
    assert dest.read_bytes() == DATA


def test_checksum_mismatch_keeps_nothing(tmp_path):
    with LoopbackServer({"/w.bin": DATA}, corrupt={"/w.bin"}) as server:
        url = server.url + "/w.bin"
        with pytest.raises(ChecksumError) as err:
            download(url, tmp_path / "w.bin", sha256=SHA, progress=False)
    actual = hashlib.sha256(bytes(b ^ 0xFF for b in DATA)).hexdigest()
    assert url in str(err.value) and SHA in str(err.value) and actual in str(err.value)
    assert _leftovers(tmp_path) == []


def test_connection_dropped_mid_body_keeps_nothing(tmp_path):
    with LoopbackServer({"/w.bin": DATA}, truncate={"/w.bin"}) as server:
        url = server.url + "/w.bin"
        with pytest.raises(DownloadError) as err:
            download(url, tmp_path / "sub" / "w.bin", progress=False)
    message = str(err.value)
    assert url in message and f"{len(DATA) // 2} of {len(DATA)} bytes" in message
    assert _leftovers(tmp_path) == []


def test_http_error_and_refused_connection_raise_download_error(tmp_path):
    with LoopbackServer({}) as server:
        with pytest.raises(DownloadError, match="HTTP 404"):
            download(server.url + "/missing.bin", tmp_path / "m.bin", progress=False)
    with pytest.raises(DownloadError, match="cannot connect"):
        download(server.url + "/missing.bin", tmp_path / "m.bin", progress=False)  # server stopped
    assert _leftovers(tmp_path) == []


def test_slow_server_times_out(tmp_path):
    with LoopbackServer({"/w.bin": DATA}, delay=3.0) as server:
        with pytest.raises(DownloadError):
            download(server.url + "/w.bin", tmp_path / "w.bin", progress=False, timeout=0.5)
    assert _leftovers(tmp_path) == []


def test_offline_mode_refuses(tmp_path, monkeypatch):
    monkeypatch.setenv("KZOO_OFFLINE", "1")
    with LoopbackServer({"/w.bin": DATA}) as server:
        with pytest.raises(NotAvailableError) as err:
            download(server.url + "/w.bin", tmp_path / "w.bin", progress=False)
        assert server.requests == []
    assert "KZOO_OFFLINE" in str(err.value) and "KZOO_ASSETS" in str(err.value)
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("kwargs", [
    {"url": "ftp://example.org/w.bin"},
    {"url": 42},
    {"sha256": "abc"},
    {"timeout": 0},
    {"dest": 3},
])
def test_bad_arguments_are_refused_up_front(tmp_path, kwargs):
    args = {"url": "http://127.0.0.1:9/w.bin", "dest": tmp_path / "w.bin", **kwargs}
    with pytest.raises(InputError):
        download(args.pop("url"), args.pop("dest"), progress=False, **args)


def test_hf_url_honours_hf_endpoint(monkeypatch):
    assert hf_url("timm/efficientnet_lite0.ra_in1k", "config.json") == \
        "https://huggingface.co/timm/efficientnet_lite0.ra_in1k/resolve/main/config.json"
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:8080/")
    assert hf_url("org/repo", "sub dir/w.bin", revision="v1.0") == \
        "http://127.0.0.1:8080/org/repo/resolve/v1.0/sub%20dir/w.bin"
    with pytest.raises(InputError):
        hf_url("", "config.json")


def _download_in_child(url: str, dest: str, sha256: str, barrier, results) -> None:
    barrier.wait(timeout=120)  # both processes start downloading at the same moment
    try:
        results.put(str(download(url, dest, sha256=sha256, progress=False)))
    except Exception as err:  # report it to the parent instead of dying silently
        results.put(f"error: {err!r}")


def test_two_processes_fetching_one_file_end_with_one_valid_file(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_BACKEND", "numpy")  # downloads need no backend; children start faster
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(2), context.Queue()
    dest = tmp_path / "cache" / "w.bin"
    # The delay keeps the first download going while the second process waits on the lock.
    with LoopbackServer({"/w.bin": DATA}, delay=1.0) as server:
        children = [context.Process(target=_download_in_child,
                                    args=(server.url + "/w.bin", str(dest), SHA, barrier, results))
                    for _ in range(2)]
        for child in children:
            child.start()
        outcomes = [results.get(timeout=170) for _ in children]
        for child in children:
            child.join(timeout=30)
        assert server.requests == ["/w.bin"]  # the lock made the second process reuse the file
    assert outcomes == [str(dest), str(dest)]
    assert dest.read_bytes() == DATA
    assert _leftovers(tmp_path) == ["cache/w.bin"]
