"""Shared test set-up: quiet logs, a private kzoo cache per test session, asset discovery."""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory, monkeypatch):
    """Every test gets a fresh kzoo cache, so nothing leaks between tests or into ~/.cache."""
    monkeypatch.setenv("KZOO_CACHE", str(tmp_path_factory.mktemp("kzoo_cache")))


TINY_BERT_SEQUENCE_LENGTH = 64
TINY_BERT_VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + [f"w{i}" for i in range(20)]


@pytest.fixture(scope="session")
def tiny_bert_preset(tmp_path_factory):
    """A randomly initialised one-layer BERT (words w0..w19) saved as a local KerasHub preset: it loads
    through ``kzoo.load("minilm_l6", ..., weights=folder)`` the way the real encoder does."""
    import keras
    import keras_hub

    keras.utils.set_random_seed(0)
    folder = tmp_path_factory.mktemp("tiny_bert")
    keras_hub.models.BertBackbone(len(TINY_BERT_VOCAB), num_layers=1, num_heads=2, hidden_dim=8,
                                  intermediate_dim=16,
                                  max_sequence_length=TINY_BERT_SEQUENCE_LENGTH).save_to_preset(folder)
    keras_hub.models.BertTextClassifierPreprocessor(
        keras_hub.models.BertTokenizer(vocabulary=TINY_BERT_VOCAB),
        sequence_length=TINY_BERT_SEQUENCE_LENGTH).save_to_preset(folder)
    return folder


@pytest.fixture
def tiny_preset_copy(tiny_bert_preset, tmp_path):
    """Makes a copy of the tiny BERT preset under ``tmp_path``, its ``config.json`` passed through
    ``edit`` (a function changing the parsed dict in place) when given, and returns its folder."""
    import json
    import shutil

    def copy(edit=None):
        folder = shutil.copytree(tiny_bert_preset, tmp_path / "preset")
        if edit is not None:
            config = json.loads((folder / "config.json").read_text())
            edit(config)
            (folder / "config.json").write_text(json.dumps(config))
        return folder

    return copy


@pytest.fixture
def tiny_text_model(tiny_bert_preset):
    """A fresh two-class (neg, pos) kzoo text classifier on the tiny BERT."""
    import keras

    import kzoo

    keras.utils.set_random_seed(1)
    return kzoo.load("minilm_l6", class_names=["neg", "pos"], weights=tiny_bert_preset,
                     sequence_length=TINY_BERT_SEQUENCE_LENGTH)
