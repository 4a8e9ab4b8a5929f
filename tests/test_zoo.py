"""The catalog, load's argument checks and its offline failure messages."""
import pytest

import kzoo
from kzoo.errors import InputError, NotAvailableError, UnknownNameError


def test_catalog_comes_from_keras_and_keras_hub_registries():
    names = {e.name for e in kzoo.list_models()}
    assert {"resnet50", "mobilenetv2", "efficientnetb0"} <= names           # keras.applications
    assert {"resnet_50_imagenet", "bert_base_en_uncased"} <= names          # KerasHub presets
    assert {"efficientnet_lite0", "minilm_l6", "glyphnet"} <= names          # kzoo's own
    assert all(e.modality == "text" for e in kzoo.list_models(modality="text"))


@pytest.mark.parametrize("name, preprocessing", [
    ("efficientnetb0", "built-in"), ("resnet50", "caffe"), ("mobilenetv2", "tf"), ("densenet121", "torch"),
])
def test_keras_applications_record_their_preprocessing(name, preprocessing):
    assert kzoo.info(name).preprocessing == preprocessing


def test_unknown_name_suggests_close_names():
    with pytest.raises(UnknownNameError, match="Did you mean 'efficientnet_lite0'"):
        kzoo.info("efficientnet_lite")


def test_load_argument_checks():
    with pytest.raises(InputError, match="num_classes == 0, must be an int >= 1"):
        kzoo.load("glyphnet", num_classes=0)
    with pytest.raises(InputError, match="3 but 2 class_names"):
        kzoo.load("glyphnet", num_classes=3, class_names=["a", "b"])
    with pytest.raises(InputError, match="does not exist"):
        kzoo.load("glyphnet", weights="/nonexistent/weights.keras")


def test_offline_with_nothing_local_names_the_fix(monkeypatch, tmp_path):
    monkeypatch.setenv("KZOO_OFFLINE", "1")
    monkeypatch.setenv("KZOO_ASSETS", str(tmp_path))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    with pytest.raises(NotAvailableError, match="kzoo fetch resnet50"):
        kzoo.load("resnet50")


def test_corrupt_weights_file_is_reported(tmp_path):
    bad = tmp_path / "glyphnet.keras"
    bad.write_bytes(b"not a zip file")
    with pytest.raises(kzoo.CorruptFileError, match="could not be read"):
        kzoo.load("glyphnet", weights=bad)
