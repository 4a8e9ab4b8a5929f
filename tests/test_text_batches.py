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


def test_training_batches_are_cut_to_their_longest_and_cover_every_example_once_per_epoch(model):
    texts, _ = _texts(60)
    # The labels are the example indices, so each batch says which examples it holds.
    tokens = _text_batches.tokenize(model, (texts, np.arange(len(texts))))
    ds = _text_batches.dataset(tokens, 8, shuffle=True)
    on_tensorflow = keras.backend.backend() == "tensorflow"
    epochs, padding = [], []
    for _ in range(2):
        seen, short, padded = [], 0, 0
        for x, index in _one_epoch(ds):
            width = x["token_ids"].shape[1]
            assert {k: v.shape for k, v in x.items()} == {k: (len(index), width) for k in x}
            longest = tokens.lengths[index].max()
            # TensorFlow traces one step for any width; elsewhere widths are rounded up to a bucket
            assert width == (longest if on_tensorflow else _text_batches._bucket_width(tokens.buckets, longest))
            short += len(index) < 8
            padded += width * len(index)
            seen.extend(index.tolist())
        assert sorted(seen) == list(range(len(texts)))
        assert short <= 1, "only the last batch may be short"
        epochs.append(seen)
        padding.append(padded)
    assert epochs[0] != epochs[1], "the order must be drawn anew each epoch"
    # batches group similar lengths: far less padding than batches drawn at random
    rng = np.random.default_rng(0)
    random_batches = [tokens.lengths[b].max() * len(b) for b in np.split(rng.permutation(60), range(8, 60, 8))]
    assert max(padding) < 0.8 * sum(random_batches)


def test_batch_plan_sorts_by_length_within_groups_of_batches(monkeypatch):
    lengths = np.random.default_rng(1).integers(2, 64, 100)
    tokens = _text_batches.TokenizedText({}, lengths, None, _text_batches.buckets_for(64))
    monkeypatch.setattr(_text_batches, "SORTED_GROUP", 5)  # groups of 5 batches of 4 examples
    plan = _text_batches.batch_plan(tokens, 4, np.random.default_rng(0))
    assert sorted(np.concatenate([m for _, m in plan]).tolist()) == list(range(100))
    assert all(width == lengths[m].max() for width, m in plan)
    # the groups are consecutive runs of the epoch's random order (the plan draws it first)
    groups = np.split(np.random.default_rng(0).permutation(100), range(20, 100, 20))
    for group in groups:
        batches = sorted((m for _, m in plan if set(m) <= set(group)), key=lambda m: lengths[m].min())
        assert sum(len(m) for m in batches) == 20, "a batch never mixes two groups"
        for shorter, longer in zip(batches, batches[1:]):
            assert lengths[shorter].max() <= lengths[longer].min()
    in_order = _text_batches.batch_plan(tokens, 4)  # prediction: everything sorted, shortest first
    assert np.array_equal(np.concatenate([m for _, m in in_order]), np.argsort(lengths, kind="stable"))


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


def test_text_batch_order_follows_keras_random_seed(tiny_preset_copy):
    """Without dropout and from the same initial weights, only the order of the batches can differ."""
    preset = tiny_preset_copy(lambda config: config["config"].update(dropout=0.0))
    keras.utils.set_random_seed(0)
    start = kzoo.load("minilm_l6", 2, weights=preset, sequence_length=SEQUENCE_LENGTH, dropout=0.0).get_weights()

    def trained(seed):
        model = kzoo.load("minilm_l6", 2, weights=preset, sequence_length=SEQUENCE_LENGTH, dropout=0.0)
        model.set_weights(start)
        keras.utils.set_random_seed(seed)
        kzoo.fine_tune(model, _texts(64), head_epochs=0, epochs=1, finetune_lr=1e-3, batch_size=8)
        return np.concatenate([w.ravel() for w in model.get_weights()])

    first, again, other = trained(1), trained(1), trained(2)
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, other)
