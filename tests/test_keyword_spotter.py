"""kzoo.audio.keyword_spotter (module kzoo.audio.spotter): input checks, the sliding-segment path against
the Keras model, and real spotting (synthetic tones and FSDD digits from a held-out speaker) with the
published embedding net."""
import keras
import numpy as np
import pytest

from kzoo.audio import KeywordSpotter, build_classifier, keyword_spotter
from kzoo.audio import spotter as spotter_module
from kzoo.errors import InputError
from needs import assets_or_skip, package_or_skip

T = np.arange(8000) / 16000


def _tone(hz, amp=0.5):
    return (amp * np.sin(2 * np.pi * hz * T)).astype("float32")


def _noise(seed):
    return (0.1 * np.random.default_rng(seed).standard_normal(8000)).astype("float32")


NEG = [_noise(0), _noise(1)]
GOOD = {"low": [_tone(300)]}


@pytest.mark.parametrize("examples, negatives, kwargs, message", [
    ({}, NEG, {}, "non-empty dict"),
    ([_tone(300)], NEG, {}, "non-empty dict"),
    ({"low": _tone(300)}, NEG, {}, "must be a list of clips"),
    ({"low": []}, NEG, {}, r"examples\['low'\] is empty"),
    ({"unknown": [_tone(300)]}, NEG, {}, "rename that keyword"),
    ({"low": [np.stack([_tone(300)] * 2, axis=1)]}, NEG, {}, "stereo"),
    ({"low": [np.stack([_tone(300)] * 2)]}, NEG, {}, r"stereo \(2, 8000\).*axis=0"),
    ({"low": [np.array([0.1, np.nan, 0.2], "float32")]}, NEG, {}, "NaN"),
    ({"low": [_tone(300) * 3]}, NEG, {}, "outside -1..1"),
    ({"low": [np.zeros(0, "float32")]}, NEG, {}, "non-empty 1-D"),
    (GOOD, [], {}, "negatives is empty"),
    (GOOD, None, {}, "negatives must be a list"),
    (GOOD, NEG, {"sample_rate": 8000}, "16 kHz"),
    (GOOD, NEG, {"threshold": 1.0}, "threshold"),
    (GOOD, NEG, {"threshold": 0}, "threshold"),
    (GOOD, NEG, {"epochs": 0}, "epochs"),
    (GOOD, NEG, {"segment_seconds": -1.0}, "segment_seconds"),
])
def test_bad_inputs_are_refused_before_any_work(monkeypatch, examples, negatives, kwargs, message):
    def no_loading(*_):
        raise AssertionError("the embedding net was loaded before the inputs were checked")

    monkeypatch.setattr(spotter_module, "load_embedding_net", no_loading)
    monkeypatch.setattr(spotter_module, "build_classifier", no_loading)
    with pytest.raises(InputError, match=message):
        keyword_spotter(examples, negatives, **kwargs)


def test_spotter_needs_unknown_as_last_class():
    with pytest.raises(InputError, match="keywords then 'unknown'"):
        KeywordSpotter(build_classifier(["yes", "no"]), 16000, 0.5)
    with pytest.raises(InputError, match="threshold"):
        KeywordSpotter(build_classifier(["yes", "unknown"]), 16000, 1.5)


def test_segment_scores_are_the_keras_model_on_one_segment():
    """Pooling stored window embeddings, as classify and spot do, gives the classifier's own output on a
    clip of one segment; a longer clip gives one score per window step (80 ms)."""
    keras.utils.set_random_seed(0)
    model = build_classifier(["a", "b", "unknown"], dropout=0.0)
    head = model.get_layer("head")
    # The random net's embeddings are ~1e-3: a large head makes the logits differ between clips.
    head.kernel.assign(np.random.default_rng(0).normal(0, 3000, head.kernel.shape).astype("float32"))
    spotter = KeywordSpotter(model, 12000, 0.5)
    clips = [_tone(300)[:6000].tolist() + [0.0] * 6000, np.r_[_noise(2), _noise(3)[:4000]]]
    got = spotter._segment_probabilities([np.asarray(c, "float32") for c in clips])
    want = keras.ops.convert_to_numpy(keras.ops.softmax(model.predict(np.asarray(clips, "float32"), verbose=0)))
    assert got.shape == (2, 1, 3)
    np.testing.assert_allclose(got[:, 0], want, atol=1e-5)
    assert got.std() > 0.01  # the comparison is not between two uniform outputs
    longer = spotter._segment_probabilities([np.zeros(12000 + 5 * 1280, "float32"), clips[1]])
    assert longer.shape == (2, 6, 3)
    np.testing.assert_allclose(longer[1, 0], want[1], atol=1e-5)  # a shorter clip padded in a batch


def test_spot_keeps_the_best_of_overlapping_segments(monkeypatch):
    """spot's choice from segment scores: keywords over the threshold, the best of overlapping ones,
    times from the window index (80 ms a step)."""
    spotter = KeywordSpotter(build_classifier(["yes", "no", "unknown"]), 8000, 0.6)  # 0.5 s = 6.25 steps
    scores = np.tile([0.05, 0.05, 0.9], (40, 1))
    scores[10:14] = [[0.7, 0.1, 0.2], [0.9, 0.05, 0.05], [0.8, 0.1, 0.1], [0.1, 0.85, 0.05]]  # overlapping
    scores[20] = [0.1, 0.95, 0.05]
    scores[30] = [0.55, 0.1, 0.35]  # a keyword, but under the threshold
    monkeypatch.setattr(spotter, "_segment_probabilities", lambda waves: scores[None])
    found = spotter.spot(np.zeros(16000, "float32"))
    assert [(d.word, d.start_s, d.end_s) for d in found] == [("yes", 0.88, 1.38), ("no", 1.6, 2.1)]
    assert found[0].score == pytest.approx(0.9)
    assert [d.word for d in spotter.spot(np.zeros(16000, "float32"), threshold=0.5)] == ["yes", "no", "yes"]
    with pytest.raises(InputError, match="16 kHz"):
        spotter.spot(np.zeros(16000, "float32"), sample_rate=44100)
    with pytest.raises(InputError, match="threshold"):
        spotter.spot(np.zeros(16000, "float32"), threshold=0)
    with pytest.raises(InputError, match="list of clips"):
        spotter.classify(np.zeros(16000, "float32"))


def test_tones_are_told_apart_from_noise():
    package_or_skip("openwakeword")
    spotter = keyword_spotter({"low": [_tone(300, a) for a in (0.3, 0.5, 0.7)],
                               "high": [_tone(2500, a) for a in (0.3, 0.5, 0.7)]},
                              [_noise(i) for i in range(4)], epochs=100)
    assert spotter.keywords == ["low", "high"]
    labels = [word for word, _ in spotter.classify([_tone(2500, 0.4), _tone(300, 0.6), _noise(9)])]
    assert labels == ["high", "low", "unknown"]


def test_keywords_of_a_speaker_never_heard():
    """FSDD: 'zero' and 'one' from 5 recordings each of three speakers, the other digits as negatives;
    tested on clips of the fourth speaker (george)."""
    from kzoo.datasets.audio import prepare_wave, read_wav

    package_or_skip("openwakeword")
    folder = assets_or_skip("datasets", "fsdd", "recordings")

    def clips(digits, speakers, indices):
        out = []
        for d in digits:
            for s in speakers:
                for i in indices:
                    rate, wave = read_wav(folder / f"{d}_{s}_{i}.wav")
                    out.append(prepare_wave(wave, rate, 16000, 2 * len(wave)))
        return out

    train = ("jackson", "lucas", "yweweler")
    spotter = keyword_spotter({"zero": clips([0], train, range(5)), "one": clips([1], train, range(5))},
                              clips(range(2, 10), train, range(3)))
    said = [w for w, _ in spotter.classify(clips([0], ["george"], range(10)) + clips([1], ["george"], range(10)))]
    others = [w for w, _ in spotter.classify(clips(range(2, 10), ["george"], range(10, 13)))]
    detected = np.mean(np.array(said) == np.array(["zero"] * 10 + ["one"] * 10))
    false_alarms = np.mean(np.array(others) != "unknown")
    assert detected >= 0.7, said
    assert false_alarms <= 0.25, others

    # george says 0, 5, 1, 8, 0, 3 with short pauses: the keywords are found near where they start
    pause = np.zeros(4000, "float32")
    words = [np.trim_zeros(clips([d], ["george"], [20 + k])[0], "b") for k, d in enumerate((0, 5, 1, 8, 0, 3))]
    starts = np.cumsum([0] + [len(w) + len(pause) for w in words])[:-1] / 16000
    found = spotter.spot(np.concatenate([p for w in words for p in (w, pause)]))
    truth = [("zero", starts[0]), ("one", starts[2]), ("zero", starts[4])]
    hits = [any(d.word == w and abs(d.start_s - t) <= 0.35 for d in found) for w, t in truth]
    assert sum(hits) >= 2, (found, truth)
    assert len(found) <= len(truth) + 1, found
