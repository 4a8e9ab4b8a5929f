"""Bad text input is refused with a kzoo error naming what was wrong, before any training; texts longer
than the sequence length are cut to it with a warning (the tiny BERT of conftest.py, sequence length 64)."""
import numpy as np
import pytest

import kzoo

TEXTS = np.array(["w1 w2 w3", "w4 w5", "w6", "w7 w8 w9 w10"], dtype=object)
LABELS = np.array([0, 1, 0, 1])


def _weights(model):
    return [np.array(w) for w in model.get_weights()]


@pytest.mark.parametrize("texts, message", [
    (["w1 w2", None, "w3"], r"x\[1\] is None \(NoneType\), not a str; 1 of 3"),
    (["w1 w2", 3.5, float("nan")], r"x\[1\] is 3.5 \(float\), not a str; 2 of 3"),
    (["w1 w2", b"w3"], r"x\[1\] is b'w3' \(bytes\).*decode"),
    (["w1 w2", "", "w3"], r"x\[1\] is empty or only whitespace \(1 of 3"),
    (["w1 w2", "  \t", "w3"], r"x\[1\] is empty or only whitespace"),
    ([], r"x is empty"),
    ([["w1", "w2"], ["w3", "w4"]], r"1-D array of texts.*shape \(2, 2\)"),
])
def test_predict_and_features_refuse_texts_that_are_not_non_empty_strings(tiny_text_model, texts, message):
    with pytest.raises(kzoo.InputError, match=message):
        kzoo.predict(tiny_text_model, texts)
    with pytest.raises(kzoo.InputError, match=message):
        kzoo.extract_features(tiny_text_model, texts)


def test_a_single_string_is_refused_with_the_list_to_pass_instead(tiny_text_model):
    with pytest.raises(kzoo.InputError, match=r"single text; pass a list of texts, e.g. \['w1 w2'\]"):
        kzoo.predict(tiny_text_model, "w1 w2")


@pytest.mark.parametrize("x, y, message", [
    (["w1 w2", None, "w3", "w4"], LABELS, r"x\[1\] is None"),
    (TEXTS, np.array([0, 1, 2, 1]), r"labels \[2\] are outside the head, which has 2 classes"),
    (TEXTS, np.array(["neg", "pos", "neg", "pos"]), r"integer class indices"),
    (TEXTS, LABELS[:3], r"x has 4 texts but y has 3 labels"),
    (TEXTS, LABELS.reshape(2, 2), r"1-D array of integer class indices"),
])
def test_fine_tune_refuses_bad_texts_and_labels_before_training(tiny_text_model, x, y, message):
    before = _weights(tiny_text_model)
    with pytest.raises(kzoo.InputError, match=message):
        kzoo.fine_tune(tiny_text_model, (np.asarray(x, dtype=object), y), head_epochs=1, epochs=1)
    for b, a in zip(before, tiny_text_model.get_weights()):
        np.testing.assert_array_equal(b, a)


def test_bad_validation_texts_are_refused_before_phase_one(tiny_text_model):
    before = _weights(tiny_text_model)
    with pytest.raises(kzoo.InputError, match=r"x\[0\] is empty"):
        kzoo.fine_tune(tiny_text_model, (TEXTS, LABELS), (np.array([""], dtype=object), np.array([0])),
                       head_epochs=1)
    for b, a in zip(before, tiny_text_model.get_weights()):
        np.testing.assert_array_equal(b, a)


def test_texts_longer_than_the_sequence_length_are_cut_with_a_warning(tiny_text_model):
    long_text = " ".join(["w3"] * 200)
    cut_to_fit = " ".join(["w3"] * 62)  # 62 words + [CLS] + [SEP] = the 64 tokens the model reads
    with pytest.warns(UserWarning, match=r"2 of 3 texts fill the model's sequence length of 64 tokens.*"
                                         r"sequence_length=128"):
        ranked = kzoo.predict(tiny_text_model, [long_text, cut_to_fit, "w1"], top=2)
    assert dict(ranked[0])["pos"] == pytest.approx(dict(ranked[1])["pos"])  # the same 64 tokens seen


def test_a_truncated_weights_file_in_a_preset_is_named_as_the_damaged_file(tiny_preset_copy):
    preset = tiny_preset_copy()
    weights = preset / "model.weights.h5"
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    with pytest.raises(kzoo.CorruptFileError, match=r"preset \(model\.weights\.h5\) could not be read.*kzoo fetch"):
        kzoo.load("minilm_l6", 2, weights=preset)


def test_a_preset_folder_without_config_or_weights_says_what_is_missing(tmp_path):
    (tmp_path / "vocab.txt").write_text("[PAD]\n")
    with pytest.raises(kzoo.CorruptFileError,
                       match=r"config\.json \(missing\), a \.safetensors or \.h5 weights file \(missing\)"):
        kzoo.load("minilm_l6", 2, weights=tmp_path)


def test_intact_files_that_keras_hub_cannot_build_are_not_called_corrupt(tiny_preset_copy):
    # as a newer KerasHub release might write
    preset = tiny_preset_copy(lambda config: config.update(registered_name="keras_hub>BackboneFromANewerKerasHub"))
    with pytest.raises(kzoo.ModelBuildError, match=r"pass kzoo's checks.*BackboneFromANewerKerasHub.*"
                                                   r"would not help.*kzoo doctor") as err:
        kzoo.load("minilm_l6", 2, weights=preset)
    assert not isinstance(err.value, kzoo.CorruptFileError)
