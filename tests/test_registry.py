"""The zoo's registry and the hub's layering: families register themselves, nothing heavy is
imported to look up kzoo's own names, every writer leaves readable files, imports run one way."""
from __future__ import annotations

import dataclasses
import io
import json
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from http_server import LoopbackServer
from needs import package_or_skip

import kzoo
from kzoo import datasets
from kzoo._files import atomic_path
from kzoo.datasets.glyphs import LETTERS
from kzoo.errors import InputError
from kzoo.hub import Record, download, extract
from kzoo.zoo import catalog, glyphnet

KZOO = Path(kzoo.__file__).parent
# A fresh interpreter that imports kzoo.models without running kzoo/__init__.py (which imports the
# whole toolkit), to see what the registry and the family modules import by themselves.
_BARE = ("import sys, types; pkg = types.ModuleType('kzoo'); pkg.__path__ = [{path!r}]; "
         "sys.modules['kzoo'] = pkg; import kzoo.models as m; {body}")
_HEAVY = "[x for x in ('keras', 'tensorflow', 'keras_hub', 'jax') if x in sys.modules]"


def _bare(body: str, env: dict | None = None) -> str:
    code = _BARE.format(path=str(KZOO), body=body)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                            env={**os.environ, **(env or {})})
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip().splitlines()[-1]


def test_registry_and_families_import_no_keras_and_own_names_resolve_without_enumerating():
    names = "glyphnet", "efficientnet_lite0", "minilm_l6", "musicnn_mtt", "vgg_msd"
    out = _bare(f"print([m.info(n).name for n in {names!r}], {_HEAVY})")
    assert out == f"{list(names)} []"


def test_library_families_are_indexed_once_per_installed_version(tmp_path):
    env = {"KZOO_CACHE": str(tmp_path)}
    first = _bare(f"print(len(m.list_models()), {_HEAVY})", env)
    assert "keras_hub" in first  # the first listing enumerates KerasHub's presets
    index = sorted(p.name for p in (tmp_path / catalog.INDEX_FOLDER).iterdir())
    assert len(index) == 3 and all(".json" in name and "keras-3" in name for name in index)
    second = _bare(f"print(len(m.list_models()), {_HEAVY})", env)
    assert second == f"{first.split()[0]} []"  # same rows, no Keras imported
    for path in (tmp_path / catalog.INDEX_FOLDER).iterdir():
        assert stat.S_IMODE(path.stat().st_mode) & 0o044 == 0o044  # readable by others


def test_each_family_registers_its_entries_with_a_builder_callable():
    assert kzoo.info("glyphnet").builder is glyphnet.build
    assert kzoo.info("musicnn_mtt").builder is kzoo.audio.musicnn_zoo.build
    assert kzoo.info("resnet50").builder is kzoo.info("vgg16").builder  # one builder per family
    assert all(callable(e.builder) for e in kzoo.list_models())


def test_register_refuses_duplicates_and_string_builders():
    mine = dataclasses.replace(kzoo.info("glyphnet"), name="glyphnet_copy")
    catalog.register(mine)
    try:
        assert kzoo.info("glyphnet_copy") is mine
        with pytest.raises(InputError, match="exists already"):
            catalog.register(mine)
    finally:
        catalog.unregister("glyphnet_copy")
    with pytest.raises(InputError, match="builder must be a callable"):
        catalog.register(dataclasses.replace(mine, builder="glyphnet"))
    with pytest.raises(InputError, match="modality"):
        catalog.register(dataclasses.replace(mine, modality="video"))


def test_zoo_and_dataset_entries_are_hub_records():
    assert isinstance(kzoo.info("glyphnet"), Record) and kzoo.info("glyphnet").cache_group == "models"
    assert isinstance(datasets.info("ants_bees"), Record)
    assert datasets.info("ants_bees").cache_group == "datasets"


def test_glyphnet_published_classes_are_the_glyph_letters():
    assert "".join(glyphnet.CLASS_NAMES) == LETTERS


def test_fetch_takes_data_set_names(tmp_path, monkeypatch):
    mirrored = tmp_path / "mirror" / "datasets" / "hymenoptera"
    (mirrored / "train" / "ants").mkdir(parents=True)
    (mirrored / "train" / "ants" / "a.jpg").write_bytes(b"jpg")
    monkeypatch.setenv("KZOO_ASSETS", str(tmp_path / "mirror"))
    assert kzoo.fetch("ants_bees") == mirrored == kzoo.find_local("ants_bees")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_downloaded_file_and_extracted_folder_are_readable_by_others(tmp_path, umask_022, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    with LoopbackServer({"/w.bin": b"weights" * 100}) as server:
        file = download(server.url + "/w.bin", tmp_path / "cache" / "w.bin", progress=False)
    assert _mode(file) == 0o644
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("data/train/a.txt", "a")
    (tmp_path / "d.zip").write_bytes(buffer.getvalue())
    folder = extract(tmp_path / "d.zip", tmp_path / "out")
    assert _mode(folder) == _mode(folder / "data" / "train") == 0o755
    assert _mode(folder / "data" / "train" / "a.txt") == 0o644


def test_converted_weights_cache_is_readable_by_others(tmp_path, umask_022):
    package_or_skip("musicnn")
    from kzoo.audio import convert

    checkpoint = kzoo.find_local("vgg_mtt")
    out = convert.convert_checkpoint("vgg_mtt", checkpoint, tmp_path / "cache" / "vgg.weights.h5")
    assert _mode(out) == 0o644
    assert [p.name for p in out.parent.iterdir()] == ["vgg.weights.h5"]  # no temporary file left


def test_atomic_path_leaves_target_untouched_on_failure(tmp_path):
    target = tmp_path / "notes.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("writer failed")
    assert target.read_text() == "old" and sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
    folder = tmp_path / "folder"
    (folder / "old").mkdir(parents=True)
    with atomic_path(folder) as tmp:
        (tmp / "new").mkdir(parents=True)
    assert [p.name for p in folder.iterdir()] == ["new"]  # a folder is replaced as a whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder", "notes.txt"]


def test_glyphnet_script_writes_model_and_metadata_atomically(tmp_path, umask_022):
    import importlib.util

    spec = importlib.util.spec_from_file_location("pretrain_glyphnet",
                                                  KZOO.parent / "scripts" / "pretrain_glyphnet.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    model = glyphnet.build_glyphnet(["a", "b"])
    model_path, meta_path = script.save_atomically(model, {"note": "test"}, tmp_path)
    assert json.loads(meta_path.read_text())["sha256"] == kzoo.hub.file_sha256(model_path)
    assert _mode(model_path) == _mode(meta_path) == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["glyphnet.keras", "metadata.json"]
