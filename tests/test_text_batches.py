"""Length-bucketed text batches: same outputs as full padding, every example once per epoch, the unused
pooler left alone. A tiny randomly initialised BERT, saved as a local preset, loads through kzoo.load
(the tiny_text_model fixture of conftest.py)."""
import warnings

import keras
import numpy as np
import pytest

import kzoo
from kzoo import _text_batches
from kzoo.freeze import body_layers

SEQUENCE_LENGTH = 64  # the tiny BERT's (tests/conftest.py)


@pytest.fixture
def model(tiny_text_model):
    return tiny_text_model


def _texts(n=40, seed=0):
    """Sentences of 1 to 61 words (3 to 63 tokens: no truncation), so every bucket is used; y: contains w1."""
    rng = np.random.default_rng(seed)
    texts = np.array([" ".join(f"w{j}" for j in rng.integers(0, 20, rng.integers(1, 62))) for _ in range(n)],
                     dtype=object)
    return texts, np.array([int("w1" in t.split()) for t in texts], dtype="int32")


def test_buckets_grow_by_at_most_2x_from_8_up_to_the_sequence_length():
    assert _text_batches.buckets_for(128) == (8, 16, 24, 32, 48, 64, 96, 128)
    assert _text_batches.buckets_for(512)[-4:] == (192, 256, 384, 512)
    assert _text_batches.buckets_for(40) == (8, 16, 24, 32, 40)


def test_predict_in_buckets_matches_full_padding_in_input_order(model):
    texts, _ = _texts()
    full = keras.ops.convert_to_numpy(keras.ops.softmax(model.predict(texts, batch_size=8, verbose=0)))
    ranked = kzoo.predict(model, texts, top=2, batch_size=8)
    bucketed = np.array([[dict(row)[name] for name in ("neg", "pos")] for row in ranked])
    np.testing.assert_allclose(bucketed, full, atol=1e-5)


def test_features_in_buckets_match_full_padding_and_keep_labels(model):
    texts, y = _texts()
    extractor, _ = kzoo.split_model(model)
    full = extractor.predict(model.preprocessor(texts.tolist()), verbose=0)
    features, labels = kzoo.extract_features(model, (texts, y), batch_size=8)
    np.testing.assert_allclose(features, full, atol=1e-5)
    np.testing.assert_array_equal(labels, y)


def _one_epoch(ds):
    """The numpy batches of one pass over a tf.data dataset or a PyDataset (then told the epoch ended)."""
    if hasattr(ds, "as_numpy_iterator"):
        yield from ds.as_numpy_iterator()
        return
    for i in range(len(ds)):
        yield ds[i]
    ds.on_epoch_end()


def test_training_batches_are_cut_to_buckets_and_cover_every_example_once_per_epoch(model):
    texts, _ = _texts(60)
    # The labels are the example indices, so each batch says which examples it holds.
    tokens = _text_batches.tokenize(model, (texts, np.arange(len(texts))))
    assert len(set(np.searchsorted(tokens.buckets, tokens.lengths).tolist())) >= 4, "use several buckets"
    ds = _text_batches.dataset(tokens, 8, shuffle=True)
    epochs = []
    for _ in range(2):
        seen, short = [], 0
        for x, index in _one_epoch(ds):
            width = x["token_ids"].shape[1]
            assert {k: v.shape for k, v in x.items()} == {k: (len(index), width) for k in x}
            # the batch's width is the smallest bucket of some of its sentences and holds them all
            smallest = np.searchsorted(tokens.buckets, tokens.lengths[index])
            assert tokens.buckets.index(width) in smallest and tokens.lengths[index].max() <= width
            short += len(index) < 8
            seen.extend(index.tolist())
        assert sorted(seen) == list(range(len(texts)))
        assert short <= 1, "leftovers move up a bucket: only the last batch may be short"
        epochs.append(seen)
    assert epochs[0] != epochs[1], "the order must be drawn anew each epoch"


def test_fine_tune_trains_the_encoder_but_never_the_unused_pooler(model):
    texts, y = _texts(48)
    pooler = model.backbone.get_layer("pooled_dense")
    attention = model.backbone.get_layer("transformer_layer_0")
    pooler_before = [np.array(w) for w in pooler.get_weights()]
    encoder_before = [np.array(w) for w in attention.get_weights()]
    assert pooler not in body_layers(model) and attention in body_layers(model)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="Gradients do not exist")
        history = kzoo.fine_tune(model, (texts, y), (texts[:16], y[:16]), head_epochs=1, epochs=1,
                                 batch_size=8)
    assert [p["phase"] for p in history.phases] == ["head", "fine-tune"]
    assert all(np.isfinite(history.history["val_loss"]))
    for before, after in zip(pooler_before, pooler.get_weights()):
        np.testing.assert_array_equal(before, after)
    assert any(not np.allclose(b, a) for b, a in zip(encoder_before, attention.get_weights()))
    assert not pooler.trainable


def test_a_tf_data_pipeline_of_texts_still_trains(model):
    import tensorflow as tf

    texts, y = _texts(16)
    ds = tf.data.Dataset.from_tensor_slices((texts.astype(str), y)).batch(8)
    history = kzoo.fine_tune(model, ds, head_epochs=0, epochs=1, cache_features=False)
    assert np.isfinite(history.history["loss"][0])
