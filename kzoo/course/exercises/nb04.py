"""Exercises of notebook 04 (when transfer helps: labelled examples and input types)."""
import numpy as np

from kzoo.course.exercises.checks import choice, function_of, in_range
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
        "When does pre-training buy the most? (a) with many labelled examples, where there is more data to "
        "adapt the features to; (b) always equally, whatever the number of labels; (c) with few labels, "
        "whatever the input type, since any pre-trained network beats random weights; (d) with few labelled "
        "examples, when task A's inputs are of the same kind as task B's.",
        check=choice("abcd", "d", why_not={
            "a": "with many labels the network from scratch learns its own features and the gap closes.",
            "b": "the curves meet as labels grow: the gain shrinks with the number of labels.",
            "c": "features help only when they fit the new inputs: in the notebook neither an ImageNet "
                 "body on spectrograms nor a music tagger gave good frozen features for spoken digits.",
        }),
        hint="Look at where the curves are far apart, and at the spectrogram experiment.",
        solution="(d): the gap is widest at 1-5 labels per class and closes as labels grow; and it needs "
                 "features that fit the input (Yosinski et al. 2014; Raghu et al. 2019).",
    ),
    Question(
        "spectrogram_mismatch",
        "Why do ImageNet features transfer poorly to log-mel spectrograms? (a) spectrograms are grey, "
        "and ImageNet networks need colour; (b) spectrograms are too small for the network; (c) the two axes "
        "of a spectrogram mean time and frequency, so shifting a pattern up changes its pitch, and its "
        "textures are not the edges, surfaces and objects ImageNet features encode; (d) the learning rate "
        "was wrong.",
        check=choice("abcd", "c", why_not={
            "a": "a grey image copied into three channels is a valid RGB image; the network runs fine on it.",
            "b": "the network's global pooling takes any size; the mismatch is in what the pixels mean.",
            "d": "both networks trained their heads the same way; the features are what differ.",
        }),
        hint="Is a spectrogram a photo of something? What does moving a pattern up mean in each?",
        solution="(c): a spectrogram is an image only in its storage format; its statistics and the "
                 "meaning of its axes differ from photos, so only ImageNet's generic lower features fit it, "
                 "not the upper ones that describe textures, parts and objects.",
    ),
    Question(
        "two_per_class",
        "Experiment: with data_efficiency, train option 1 alone (methods=['frozen']) on the digits at 2 "
        "labelled examples per class, one seed, steps=40. What test accuracy does it reach, as a fraction "
        "between 0 and 1?",
        check=in_range(0.5, 0.95),
        hint="data_efficiency('glyphnet', train_digits, test_digits, shots=[2], methods=['frozen'], "
             "steps=40)['frozen'][2][0]",
        solution="Between the 1- and 5-per-class points of option 1 in the plot: two letters-trained "
                 "examples per digit already give most of the gain.",
    ),
    Question(
        "q_holdout",
        "Why hold out part of the labelled examples when comparing methods? (a) to have more test data; "
        "(b) to know when each method has stopped improving, without looking at the test set; (c) to make "
        "training faster; (d) because Keras needs a validation set.",
        check=choice("abcd", "b", why_not={
            "a": "the held-out examples are never used to score the methods; the test set is.",
            "c": "it stops useless epochs, but the point is that each method reaches its best.",
            "d": "Keras trains fine without one; early stopping is what needs it.",
        }),
        hint="What decides how long each method trains?",
        solution="(b): early stopping on held-out examples lets every method train to convergence, and "
                 "keeps the test set for the final score only.",
    ),
    Question(
        "q_noise",
        "Over three seeds, method B's mean is two points above method A's, and each method's accuracy varies "
        "by three to four points from seed to seed. Does this show that B is better? Answer True or False.",
        check=choice([True, False], False, why_not={
            True: "the difference is smaller than the spread between seeds: another three seeds could "
                  "reverse it.",
        }),
        hint="Compare the difference of the means with the spread.",
        solution="False: a lead smaller than the seed-to-seed spread is within the noise.",
    ),
    Question(
        "q_speech_body",
        "Which pre-trained body would you pick for spoken digits? (a) an ImageNet CNN on spectrogram "
        "pictures; (b) a music tagger; (c) a network pre-trained on speech; (d) any, they transfer equally.",
        check=choice("abcd", "c", why_not={
            "a": "its features describe photos, not time and frequency.",
            "b": "it hears audio, but music, not the distinctions between words.",
            "d": "the notebook measured large differences between the three.",
        }),
        hint="Which one was pre-trained on the input type and the distinctions you need?",
        solution="(c): speech_embedding, pre-trained to tell spoken words apart.",
    ),
)

def _verify_gain(result, results, shots):
    base = np.mean(results["scratch"][shots])
    expected = {m: float(np.mean(r[shots]) - base) for m, r in results.items() if m != "scratch"}
    if not isinstance(result, dict) or set(result) != set(expected):
        return f"it should return a dict with the keys {sorted(expected)}, got {result!r}."
    wrong = {m: float(result[m]) for m in expected if not np.isclose(float(result[m]), expected[m])}
    return f"it returned {wrong}, expected {expected}." if wrong else None
