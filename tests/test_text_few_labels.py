"""Few-label text methods: bag of words, the logistic-regression head, SetFit-style contrastive tuning."""
import keras
import numpy as np
import pytest

import kzoo
from kzoo.contrastive import sentence_pairs

# The tiny BERT's words are w0..w19: w1-w5 play praise, w6-w10 complaint, w11-w14 neutral filler.
POSITIVE = ["w11 w1 w12", "w2 w13", "w12 w11 w13 w14 w11 w1", "w3 w14 w2", "w1 w1 w12", "w11 w4 w12"]
NEGATIVE = ["w11 w6 w12", "w7 w13", "w12 w11 w13 w14 w11 w8", "w6 w14 w7", "w8 w8 w12", "w11 w9 w12"]
TEXTS = np.array(POSITIVE + NEGATIVE, dtype=object)
LABELS = np.array([1] * len(POSITIVE) + [0] * len(NEGATIVE))


def test_bag_of_words_learns_words_and_word_pairs():
    result = kzoo.bag_of_words((TEXTS, LABELS), (["w2 w12", "w7 w11", "w8", "w1"], [1, 0, 0, 1]))
    assert result.predictions.tolist() == [1, 0, 0, 1]
    assert result.accuracy == 1.0
    names = result.model[0].get_feature_names_out()
    assert "w1 w12" in names and "w1" in names  # unigrams and bigrams
    unigram_only = kzoo.bag_of_words((TEXTS, LABELS), (TEXTS, LABELS), ngrams=1)
    assert all(" " not in name for name in unigram_only.model[0].get_feature_names_out())


@pytest.mark.parametrize("train, message", [
    ((["good", ""], [1, 0]), r"train texts\[1\] is empty"),
    ((["good", None], [1, 0]), r"train texts\[1\] is None"),
    ((["good", 3], [1, 0]), r"train texts\[1\] is 3"),
    ((["good", "bad"], [1, 1]), "single class"),
    ((["good", "bad"], [1]), "they must match"),
])
def test_bag_of_words_refuses_bad_text(train, message):
    with pytest.raises(kzoo.InputError, match=message):
        kzoo.bag_of_words(train, (["good"], [1]))


def test_fit_head_is_the_logistic_regression_of_the_features(tiny_text_model):
    from sklearn.linear_model import LogisticRegression

    model = kzoo.fit_head(tiny_text_model, (TEXTS, LABELS), C=0.5)
    features = kzoo.extract_features(model, TEXTS)
    expected = LogisticRegression(C=0.5, max_iter=5000).fit(features, LABELS).predict_proba(features)
    probabilities = keras.ops.convert_to_numpy(keras.ops.softmax(model.predict(TEXTS, verbose=0)))
    np.testing.assert_allclose(probabilities, expected, atol=1e-4)


def test_fit_head_multiclass_and_missing_classes():
    x, y = kzoo.datasets.load("digits", "train", as_numpy=True)
    model = kzoo.fit_head(kzoo.load("glyphnet", num_classes=10), (x[:300], y[:300]))
    assert np.mean(np.argmax(model.predict(x[300:600], verbose=0), axis=1) == y[300:600]) > 0.8
    with pytest.raises(kzoo.InputError, match=r"classes \[9\] have no example"):
        kzoo.fit_head(model, (x[y < 9][:100], y[y < 9][:100]))
    with pytest.raises(kzoo.InputError, match="C == -1"):
        kzoo.fit_head(model, (x[:100], y[:100]), C=-1)


def test_sentence_pairs_are_balanced_and_labelled_by_class():
    labels = np.array([0, 0, 0, 1, 1, 2, 2])
    first, second, target = sentence_pairs(labels, pairs_per_sentence=3, seed=1)
    assert len(target) == 2 * len(labels) * 3 and target.sum() == len(labels) * 3
    assert np.array_equal(labels[first] == labels[second], target == 1)
    assert not np.any(first == second)
    assert np.bincount(first).tolist() == [6] * len(labels)  # every sentence anchors its share
    assert len(sentence_pairs(labels, 3, max_pairs=10)[2]) == 10
    again = sentence_pairs(labels, pairs_per_sentence=3, seed=1)
    assert all(np.array_equal(a, b) for a, b in zip(again, (first, second, target)))


@pytest.mark.parametrize("labels, message", [([0, 1, 1], "counts"), ([1, 1, 1], "two classes")])
def test_sentence_pairs_need_two_examples_of_two_classes(labels, message):
    with pytest.raises(kzoo.InputError, match=message):
        sentence_pairs(labels)


def _mean_similarity(model, same):
    features = kzoo.extract_features(model, TEXTS)
    unit = features / np.linalg.norm(features, axis=1, keepdims=True)
    similarity = unit @ unit.T
    mask = (LABELS[:, None] == LABELS[None, :]) == same
    np.fill_diagonal(mask, False)
    return similarity[mask].mean()


def test_contrastive_fine_tune_pulls_classes_apart_and_fits_the_head(tiny_text_model):
    model = tiny_text_model
    gap_before = _mean_similarity(model, True) - _mean_similarity(model, False)
    encoder_before = [np.array(w) for w in model.backbone.get_weights()]
    kzoo.contrastive_fine_tune(model, TEXTS, LABELS, pairs_per_sentence=8, epochs=3, learning_rate=3e-3)
    gap_after = _mean_similarity(model, True) - _mean_similarity(model, False)
    assert gap_after > gap_before + 0.2
    assert any(not np.allclose(a, b) for a, b in zip(encoder_before, model.backbone.get_weights()))
    assert np.argmax(model.predict(TEXTS, verbose=0), axis=1).tolist() == LABELS.tolist()


@pytest.mark.parametrize("texts, labels, kwargs, message", [
    (TEXTS, LABELS[:-1], {}, "one per text"),
    (TEXTS, LABELS.astype(float), {}, "integer class indices"),
    (TEXTS, LABELS * 2, {}, "head has 2 classes"),
    (np.array(["w1", "", "w6", "w7"], dtype=object), [1, 1, 0, 0], {}, r"texts\[1\] is empty"),
    (TEXTS, LABELS, {"learning_rate": 0}, "learning_rate == 0"),
    (TEXTS, LABELS, {"pairs_per_sentence": 0}, "pairs_per_sentence == 0"),
    (TEXTS, LABELS, {"max_pairs": 1}, "max_pairs == 1"),
])
def test_contrastive_fine_tune_refuses_bad_input_before_training(tiny_text_model, texts, labels,
                                                                 kwargs, message):
    before = [np.array(w) for w in tiny_text_model.get_weights()]
    with pytest.raises(kzoo.InputError, match=message):
        kzoo.contrastive_fine_tune(tiny_text_model, texts, labels, **kwargs)
    assert all(np.array_equal(a, b) for a, b in zip(before, tiny_text_model.get_weights()))


def test_contrastive_fine_tune_needs_a_text_model():
    with pytest.raises(kzoo.InputError, match="no tokenizer"):
        kzoo.contrastive_fine_tune(kzoo.load("glyphnet", num_classes=2), TEXTS, LABELS)
