"""Shared test set-up: quiet logs, a private kzoo cache per test session, asset discovery."""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory, monkeypatch):
    """Every test gets a fresh kzoo cache, so nothing leaks between tests or into ~/.cache."""
    monkeypatch.setenv("KZOO_CACHE", str(tmp_path_factory.mktemp("kzoo_cache")))


TINY_VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "good", "great", "fine", "bad", "awful",
              "dull", "film", "plot", "the", "and"]


@pytest.fixture
def tiny_sentence_classifier():
    """A 1-layer, 8-wide BERT with a 16-word vocabulary under kzoo's 2-way SentenceClassifier head."""
    import keras
    import keras_hub

    from kzoo.zoo.sentence import SentenceClassifier

    keras.utils.set_random_seed(0)
    preprocessor = keras_hub.models.BertTextClassifierPreprocessor(
        keras_hub.models.BertTokenizer(vocabulary=TINY_VOCAB), sequence_length=12)
    backbone = keras_hub.models.BertBackbone(len(TINY_VOCAB), num_layers=1, num_heads=1, hidden_dim=8,
                                             intermediate_dim=16, max_sequence_length=12)
    return SentenceClassifier(backbone, ["negative", "positive"], preprocessor=preprocessor)
