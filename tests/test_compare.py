"""kzoo.compare: scratch / option 1 / option 2 on glyphnet and sklearn's digits, a few steps each."""
import keras
import numpy as np
import pytest
from sklearn.datasets import load_digits

import kzoo
from kzoo.compare import LABELS, METHODS, data_efficiency, train_method

FEW = {"steps": 4, "min_epochs": 2}


@pytest.fixture(scope="module")
def digits():
    d = load_digits()
    x, y = d.images[..., None].astype("float32"), d.target.astype("int64")
    return (x[:900], y[:900]), (x[900:1200], y[900:1200])


def test_results_have_one_accuracy_per_method_shots_and_seed(digits, capsys):
    train, test = digits
    results = data_efficiency("glyphnet", train, test, shots=(2, 1), **FEW)
    assert set(results) == set(METHODS)
    for by_shots in results.values():
        assert list(by_shots) == [1, 2]
        assert all(len(accs) == 1 and 0 <= accs[0] <= 1 for accs in by_shots.values())
    # Even after a few steps the pre-trained letters features beat chance (10%) at 2 examples per class.
    assert results["frozen"][2][0] > 0.2
    assert "2 per class, seed 0: scratch" in capsys.readouterr().out


def test_same_seed_same_numbers_other_seed_other_examples(digits):
    train, test = digits
    first = data_efficiency("glyphnet", train, test, shots=(1,), methods=["frozen"], seeds=2, verbose=False, **FEW)
    again = data_efficiency("glyphnet", train, test, shots=(1,), methods=["frozen"], seeds=2, verbose=False, **FEW)
    assert first == again
    accs = first["frozen"][1]
    assert len(accs) == 2 and accs[0] != accs[1]


def test_option_1_keeps_the_body_and_scratch_starts_from_random_weights(digits):
    (x, y), _ = digits
    names = [str(d) for d in range(10)]
    pretrained = kzoo.load("glyphnet", class_names=names)
    first_kernel = [i for i, v in enumerate(pretrained.weights) if v.name == "kernel"][0]
    before = pretrained.weights[first_kernel].numpy()

    def body_kernel(model):
        return model.weights[first_kernel].numpy()

    option_1 = train_method("glyphnet", "frozen", (x[:20], y[:20]), class_names=names, **FEW)
    np.testing.assert_array_equal(body_kernel(option_1), before)
    assert kzoo.class_names(option_1) == names
    scratch = train_method("glyphnet", "scratch", (x[:20], y[:20]), class_names=names, **FEW)
    assert not np.allclose(body_kernel(scratch), before)


def test_patience_holds_out_a_fifth_of_each_class_and_stops_early(digits, monkeypatch):
    (x, y), _ = digits
    subset = kzoo.datasets.few_shot((x, y), 30, seed=0)
    calls = []
    real_fine_tune = kzoo.compare.fine_tune
    monkeypatch.setattr("kzoo.compare.fine_tune", lambda *a, **k: calls.append((a, k)) or real_fine_tune(*a, **k))
    train_method("glyphnet", "scratch", subset, class_names=[str(d) for d in range(10)], steps=400, min_epochs=1,
                 patience=2)
    (_, (x_fit, y_fit)), kwargs = calls[0]
    held_x, held_y = kwargs["validation_data"]
    assert np.bincount(held_y).tolist() == [6] * 10 and np.bincount(y_fit).tolist() == [24] * 10
    stop = kwargs["callbacks"][0]
    assert kwargs["epochs"] == 50 and 0 < stop.stopped_epoch < kwargs["epochs"] - 1  # stopped well before the cap


def test_patience_holds_out_at_least_min_held_out_per_class(digits, monkeypatch):
    (x, y), _ = digits
    calls = []
    monkeypatch.setattr("kzoo.compare.fine_tune", lambda *a, **k: calls.append((a, k)))
    subset = kzoo.datasets.few_shot((x, y), 2 * kzoo.compare.MIN_HELD_OUT, seed=0)
    train_method("glyphnet", "frozen", subset, class_names=[str(d) for d in range(10)], patience=2, **FEW)
    (_, (_, y_fit)), kwargs = calls[0]
    assert np.bincount(kwargs["validation_data"][1]).tolist() == [kzoo.compare.MIN_HELD_OUT] * 10
    assert np.bincount(y_fit).tolist() == [kzoo.compare.MIN_HELD_OUT] * 10


@pytest.mark.parametrize("per_class", [1, 5, 2 * kzoo.compare.MIN_HELD_OUT - 1])
def test_patience_on_too_few_examples_trains_on_all_of_them_for_the_whole_budget(digits, monkeypatch, per_class):
    (x, y), _ = digits
    calls = []
    monkeypatch.setattr("kzoo.compare.fine_tune", lambda *a, **k: calls.append((a, k)))
    train_method("glyphnet", "frozen", kzoo.datasets.few_shot((x, y), per_class, seed=0),
                 class_names=[str(d) for d in range(10)], patience=2, **FEW)
    (_, (_, y_fit)), kwargs = calls[0]
    assert np.bincount(y_fit).tolist() == [per_class] * 10
    assert "validation_data" not in kwargs and "callbacks" not in kwargs


def test_the_recipe_reaches_the_phases_that_train_the_body(digits, monkeypatch):
    (x, y), _ = digits
    calls = []
    real_fine_tune = kzoo.compare.fine_tune
    monkeypatch.setattr("kzoo.compare.fine_tune", lambda *a, **k: calls.append(k) or real_fine_tune(*a, **k))
    made = []

    def shifts():
        made.append(keras.layers.RandomTranslation(0.125, 0.125, fill_mode="constant"))
        return made[-1]

    recipe = {"augment": shifts, "schedule": "cosine", "label_smoothing": 0.1}
    names = [str(d) for d in range(10)]
    for method in METHODS:
        train_method("glyphnet", method, (x[:40], y[:40]), class_names=names, **recipe, **FEW)
    scratch, frozen, fine_tuned = calls
    assert len(made) == 2 and made[0] is not made[1]  # a fresh layer per model that trains its body
    for kwargs in (scratch, fine_tuned):
        assert kwargs["schedule"] == "cosine" and kwargs["label_smoothing"] == 0.1
    assert scratch["augment"] is made[0] and fine_tuned["augment"] is made[1]
    assert frozen["label_smoothing"] == 0.1 and "augment" not in frozen


def test_augment_must_be_a_layer_factory(digits):
    (x, y), _ = digits
    with pytest.raises(kzoo.InputError, match="augment must be a function"):
        train_method("glyphnet", "fine_tune", (x[:40], y[:40]), class_names=[str(d) for d in range(10)],
                     augment=keras.layers.RandomTranslation(0.1, 0.1), **FEW)


@pytest.mark.parametrize("kwargs, message", [
    ({"methods": ["option 3"]}, "unknown method"),
    ({"shots": (0, 1)}, "shots == 0, must be an int >= 1"),
    ({"shots": 5}, "non-empty list"),
    ({"seeds": 0}, "seeds == 0, must be an int >= 1"),
    ({"class_names": ["a", "b"]}, "class_names has only 2"),
    ({"shots": (500,)}, "fewer examples"),
])
def test_bad_arguments_are_refused_before_training(digits, kwargs, message):
    train, test = digits
    with pytest.raises(kzoo.InputError, match=message):
        data_efficiency("glyphnet", train, test, **kwargs)


def test_bad_data_is_refused(digits):
    (x, y), test = digits
    with pytest.raises(kzoo.InputError, match="must match"):
        data_efficiency("glyphnet", (x, y[:-1]), test)
    with pytest.raises(kzoo.InputError, match=r"\(x, y\) pair"):
        data_efficiency("glyphnet", x, test)
    with pytest.raises(kzoo.InputError, match="integer class indices"):
        data_efficiency("glyphnet", (x, y.astype("float32")), test)
    with pytest.raises(kzoo.InputError, match="unknown method"):
        train_method("glyphnet", "fine-tune", (x, y), class_names=list("0123456789"))
    with pytest.raises(kzoo.InputError, match=r"finetune_share == 0, must be a finite number in \(0, 1\]"):
        train_method("glyphnet", "fine_tune", (x, y), class_names=list("0123456789"), finetune_share=0)


def test_course_words_still_work_with_a_deprecation_warning(digits):
    (x, y), _ = digits
    names = [str(d) for d in range(10)]
    with pytest.warns(DeprecationWarning, match=r"pass \['frozen'\]"):
        model = train_method("glyphnet", "option 1", (x[:20], y[:20]), class_names=names, **FEW)
    assert kzoo.class_names(model) == names
    assert LABELS == {"scratch": "scratch", "frozen": "option 1", "fine_tune": "option 2"}
