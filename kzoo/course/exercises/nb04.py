"""Exercises of notebook 04 (when transfer helps: labelled examples and input types)."""
import numpy as np

from kzoo.course.exercises.checks import choice, function_of
from kzoo.course.exercises.question import Question

_RESULTS = {"scratch": {1: [0.5, 0.7], 5: [0.9]}, "option 1": {1: [0.8, 0.8], 5: [0.93]},
            "option 2": {1: [0.75, 0.65], 5: [0.95]}}

QUESTIONS = (
    Question(
        "gain",
        "Write gain_over_scratch(results, shots): for each method other than 'scratch', its mean "
        "accuracy at `shots` labelled examples per class minus the mean accuracy of 'scratch' there "
        "(results: {method: {shots: [accuracy per seed]}}). Return a dict {method: gain}.",
        check=function_of([((_RESULTS, 1), {"option 1": 0.2, "option 2": 0.1}),
                           ((_RESULTS, 5), {"option 1": 0.03, "option 2": 0.05})],
                          verify=lambda result, args: _verify_gain(result, *args)),
        hint="np.mean(results[method][shots]) - np.mean(results['scratch'][shots]) for every other method.",
        solution="def gain_over_scratch(results, shots):\n"
                 "    base = np.mean(results['scratch'][shots])\n"
                 "    return {m: np.mean(r[shots]) - base for m, r in results.items() if m != 'scratch'}",
    ),
    Question(
        "when_it_helps",
        "When does pre-training buy the most? (a) with many labelled examples, where there is more "
        "data to adapt the features to; (b) with few labelled examples, when task A's inputs are of "
        "the same kind as task B's; (c) always equally, whatever the number of labels; (d) with few "
        "labels, whatever the input type, since any pre-trained network beats random weights.",
        check=choice("abcd", "b", why_not={
            "a": "with many labels the network from scratch learns its own features and the gap closes.",
            "c": "the curves meet as labels grow: the gain shrinks with the number of labels.",
            "d": "features help only when they fit the new inputs: in the notebook neither an ImageNet "
                 "body on spectrograms nor a music tagger gave good frozen features for spoken digits.",
        }),
        hint="Look at where the curves are far apart, and at the spectrogram experiment.",
        solution="(b): the gap is widest at 1-5 labels per class and closes as labels grow; and it needs "
                 "features that fit the input (Yosinski et al. 2014; Raghu et al. 2019).",
    ),
    Question(
        "spectrogram_mismatch",
        "Why do ImageNet features transfer poorly to log-mel spectrograms? (a) spectrograms are grey, "
        "and ImageNet networks need colour; (b) the two axes of a spectrogram mean time and frequency, "
        "so shifting a pattern up changes its pitch, and its textures are not the edges, surfaces and "
        "objects ImageNet features encode; (c) spectrograms are too small for the network; "
        "(d) the learning rate was wrong.",
        check=choice("abcd", "b", why_not={
            "a": "a grey image copied into three channels is a valid RGB image; the network runs fine on it.",
            "c": "the network's global pooling takes any size; the mismatch is in what the pixels mean.",
            "d": "both networks trained their heads the same way; the features are what differ.",
        }),
        hint="Is a spectrogram a photo of something? What does moving a pattern up mean in each?",
        solution="(b): a spectrogram is an image only in its storage format; its statistics and the "
                 "meaning of its axes differ from photos, so only ImageNet's generic lower features fit it, "
                 "not the upper ones that describe textures, parts and objects.",
    ),
)


def _verify_gain(result, results, shots):
    base = np.mean(results["scratch"][shots])
    expected = {m: float(np.mean(r[shots]) - base) for m, r in results.items() if m != "scratch"}
    if not isinstance(result, dict) or set(result) != set(expected):
        return f"it should return a dict with the keys {sorted(expected)}, got {result!r}."
    wrong = {m: float(result[m]) for m in expected if not np.isclose(float(result[m]), expected[m])}
    return f"it returned {wrong}, expected {expected}." if wrong else None
