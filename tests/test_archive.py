"""kzoo.hub.archive.extract: good archives extract; unsafe or damaged ones leave nothing behind."""
from __future__ import annotations

import io
import os
import stat
import tarfile
import zipfile
from pathlib import Path

import pytest

from kzoo.errors import CorruptFileError, InputError
from kzoo.hub.archive import archive_suffix, extract

GOOD = {"set/train/a.txt": b"alpha", "set/val/b.bin": os.urandom(70_000), "top.txt": b"top"}


def _zip(path: Path, members: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED,
         symlinks: dict[str, str] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", compression=compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        for name, points_to in (symlinks or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, points_to)
    return path


def _tar(path: Path, members: dict[str, bytes], *, mode: str = "w:gz",
         specials: list[tarfile.TarInfo] = ()) -> Path:
    with tarfile.open(path, mode) as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
        for info in specials:
            tf.addfile(info)
    return path


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _link(name: str, target: str, kind: bytes = tarfile.SYMTYPE) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    return info


def test_zip_extracts_into_target(tmp_path):
    archive = _zip(tmp_path / "good.zip", GOOD)
    assert extract(archive, tmp_path / "out") == tmp_path / "out"
    assert _tree(tmp_path / "out") == GOOD
    assert sorted(os.listdir(tmp_path)) == ["good.zip", "out"]  # no temp folder left


@pytest.mark.parametrize("suffix, mode", [(".tar", "w"), (".tar.gz", "w:gz"), (".tgz", "w:gz"),
                                          (".tar.bz2", "w:bz2"), (".tar.xz", "w:xz")])
def test_tar_variants_extract(tmp_path, suffix, mode):
    archive = _tar(tmp_path / f"good{suffix}", GOOD, mode=mode)
    extract(archive, tmp_path / "out")
    assert _tree(tmp_path / "out") == GOOD


def test_type_is_sniffed_when_the_suffix_says_nothing(tmp_path):
    archive = _zip(tmp_path / "download.bin", GOOD)
    extract(archive, tmp_path / "out")
    assert _tree(tmp_path / "out") == GOOD
    junk = tmp_path / "junk.bin"
    junk.write_bytes(os.urandom(1000))
    with pytest.raises(InputError, match="not a zip or tar archive"):
        extract(junk, tmp_path / "out2")


def test_existing_empty_target_is_fine_but_a_full_one_is_refused(tmp_path):
    archive = _zip(tmp_path / "good.zip", GOOD)
    (tmp_path / "empty").mkdir()
    extract(archive, tmp_path / "empty")
    assert _tree(tmp_path / "empty") == GOOD
    with pytest.raises(InputError, match="not an empty folder"):
        extract(archive, tmp_path / "empty")
    with pytest.raises(InputError, match="not a file"):
        extract(tmp_path / "missing.zip", tmp_path / "out")


@pytest.mark.parametrize("build", [
    lambda d: _zip(d / "a.zip", {"ok.txt": b"ok", "../evil.txt": b"evil"}),
    lambda d: _zip(d / "a.zip", {"ok.txt": b"ok", "sub/../../evil.txt": b"evil"}),
    lambda d: _zip(d / "a.zip", {"ok.txt": b"ok", "..\\evil.txt": b"evil"}),
    lambda d: _zip(d / "a.zip", {"ok.txt": b"ok", f"{d}/evil.txt": b"evil"}),
    lambda d: _tar(d / "a.tar.gz", {"ok.txt": b"ok", "../evil.txt": b"evil"}),
    lambda d: _tar(d / "a.tar.gz", {"ok.txt": b"ok", f"{d}/evil.txt": b"evil"}),
], ids=["zip-dotdot", "zip-nested-dotdot", "zip-backslash", "zip-absolute", "tar-dotdot",
        "tar-absolute"])
def test_escaping_paths_are_refused_and_nothing_is_written(tmp_path, build):
    archive = build(tmp_path)
    with pytest.raises(InputError, match="outside the target"):
        extract(archive, tmp_path / "out" / "target")
    assert sorted(os.listdir(tmp_path)) == [archive.name, "out"]  # no evil.txt beside it
    assert os.listdir(tmp_path / "out") == []  # neither the target nor a temp folder


@pytest.mark.parametrize("build", [
    lambda d: _tar(d / "a.tar", {"ok.txt": b"ok"}, mode="w",
                   specials=[_link("link", "../../etc/passwd")]),
    lambda d: _tar(d / "a.tar", {"ok.txt": b"ok"}, mode="w",
                   specials=[_link("hard", "/etc/passwd", tarfile.LNKTYPE)]),
    lambda d: _tar(d / "a.tar", {"ok.txt": b"ok"}, mode="w",
                   specials=[_link("dev", "", tarfile.CHRTYPE)]),
    lambda d: _zip(d / "a.zip", {"ok.txt": b"ok"}, symlinks={"link": "../../etc/passwd"}),
], ids=["tar-symlink", "tar-hardlink", "tar-device", "zip-symlink"])
def test_links_and_devices_are_refused(tmp_path, build):
    archive = build(tmp_path)
    with pytest.raises(InputError, match="link or a device"):
        extract(archive, tmp_path / "out")
    assert os.listdir(tmp_path) == [archive.name]


def test_truncated_archives_raise_corrupt_file_error(tmp_path):
    for archive in (_zip(tmp_path / "t.zip", GOOD), _tar(tmp_path / "t.tar.gz", GOOD)):
        data = archive.read_bytes()
        archive.write_bytes(data[: len(data) // 2])
        with pytest.raises(CorruptFileError, match=archive.name):
            extract(archive, tmp_path / f"out-{archive.name}")
    assert sorted(os.listdir(tmp_path)) == ["t.tar.gz", "t.zip"]


def test_damage_found_midway_removes_what_was_already_written(tmp_path):
    archive = _zip(tmp_path / "d.zip", {"first.txt": b"fine", "second.bin": b"x" * 10_000},
                   compression=zipfile.ZIP_STORED)
    data = bytearray(archive.read_bytes())
    where = data.index(b"x" * 10_000)
    data[where: where + 10] = b"y" * 10  # the listing is intact; the CRC of the 2nd member is not
    archive.write_bytes(bytes(data))
    with pytest.raises(CorruptFileError, match="d.zip"):
        extract(archive, tmp_path / "out")
    assert os.listdir(tmp_path) == ["d.zip"]


def test_archive_suffix():
    assert archive_suffix("x/hymenoptera_data.ZIP") == ".zip"
    assert archive_suffix("set.tar.gz") == ".tar.gz"
    assert archive_suffix(Path("set.tgz")) == ".tgz"
    assert archive_suffix("model.safetensors") is None
