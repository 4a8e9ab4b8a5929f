"""kzoo.audio.change_speed and predict_speeds (module kzoo.audio.speed), and kzoo.predict.probabilities."""
import keras
import numpy as np
import pytest

from kzoo.audio import SPEEDS, change_speed, predict_speeds
from kzoo.errors import InputError
from kzoo.layers import ClassifierHead
from kzoo.predict import probabilities

RNG = np.random.default_rng(0)
CLIPS = RNG.uniform(-1, 1, (3, 400)).astype("float32")


def test_change_speed_resamples_and_keeps_the_length():
    fast = change_speed(CLIPS, 2.0)
    np.testing.assert_allclose(fast[:, :200], CLIPS[:, ::2], atol=1e-6)
    assert fast.shape == CLIPS.shape and not fast[:, 200:].any()  # ends early: silence after
    slow = change_speed(CLIPS, 0.5)
    np.testing.assert_allclose(slow[:, ::2], CLIPS[:, :200], atol=1e-6)  # cut at the input's length
    np.testing.assert_allclose(slow[:, 1::2], (CLIPS[:, :200] + CLIPS[:, 1:201]) / 2, atol=1e-6)
    np.testing.assert_array_equal(change_speed(CLIPS, 1.0), CLIPS)
    np.testing.assert_array_equal(change_speed(list(CLIPS[0]), 1.1), change_speed(CLIPS, 1.1)[0])
    assert change_speed(CLIPS.astype("float64"), 0.9).dtype == np.float32


def test_change_speed_matches_linear_interpolation():
    positions = np.arange(400) * 0.9
    positions = positions[positions <= 399]
    expected = np.interp(positions, np.arange(400), CLIPS[1])
    np.testing.assert_allclose(change_speed(CLIPS, 0.9)[1, :len(positions)], expected, atol=1e-5)


def test_change_speed_reads_nan_as_silence():
    clip = np.array([0.0, np.nan, 1.0, np.inf, 0.5], "float32")
    np.testing.assert_array_equal(change_speed(clip, 1.0), [0.0, 0.0, 1.0, 0.0, 0.5])


@pytest.mark.parametrize("waveforms, factor, message", [
    (CLIPS, 0.0, r"factor == 0.0, must be a finite number in \[0.5, 2.0\]"),
    (CLIPS, 3, r"factor == 3, must be"),
    (CLIPS, float("nan"), "factor == nan"),
    (CLIPS, "fast", "factor == 'fast'"),
    (CLIPS[None], 1.0, r"shape \(1, 3, 400\).*mono"),
    (np.array(["a", "b"]), 1.0, "must be numbers"),
    (np.zeros(1), 1.0, "at least 2 samples"),
])
def test_change_speed_refuses_bad_input(waveforms, factor, message):
    with pytest.raises(InputError, match=message):
        change_speed(waveforms, factor)


def _classifier(seed, activation=None):
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((400,))
    return keras.Model(inputs, ClassifierHead(["a", "b", "c"], activation=activation)(inputs))


def test_probabilities_read_logits_and_softmax_heads():
    logits_model, softmax_model = _classifier(1), _classifier(1, "softmax")
    expected = np.asarray(keras.ops.softmax(logits_model.predict(CLIPS, verbose=0)))
    np.testing.assert_allclose(probabilities(logits_model, CLIPS), expected, rtol=1e-5)
    np.testing.assert_allclose(probabilities(softmax_model, CLIPS), expected, rtol=1e-5)
    with pytest.raises(InputError):
        probabilities(logits_model, CLIPS[:, :10])


def test_predict_speeds_averages_over_speeds_and_models():
    models = [_classifier(1), _classifier(2)]
    expected = np.mean([probabilities(m, change_speed(CLIPS, s)) for m in models for s in SPEEDS], axis=0)
    np.testing.assert_allclose(predict_speeds(models, CLIPS), expected, rtol=1e-5)
    np.testing.assert_allclose(predict_speeds(models[0], CLIPS, speeds=[1.0]), probabilities(models[0], CLIPS),
                               rtol=1e-6)
    assert not np.allclose(predict_speeds(models[0], CLIPS), probabilities(models[0], CLIPS))


@pytest.mark.parametrize("model, waveforms, kwargs, message", [
    ([], CLIPS, {}, "empty list"),
    (None, CLIPS, {"speeds": []}, "non-empty sequence"),
    (None, CLIPS, {"speeds": 1.0}, "non-empty sequence"),
    (None, CLIPS, {"speeds": (1.0, 2.5)}, r"speeds\[1\] == 2.5"),
    (None, CLIPS, {"batch_size": 0}, "batch_size == 0"),
    (None, CLIPS[0], {}, r"\(clips, samples\).*x\[None\]"),
])
def test_predict_speeds_refuses_bad_input(model, waveforms, kwargs, message):
    with pytest.raises(InputError, match=message):
        predict_speeds(_classifier(0) if model is None else model, waveforms, **kwargs)
