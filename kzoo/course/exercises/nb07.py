"""Exercises of notebook 07 (audio: log-mels, speech_embedding, spoken digits of an unseen voice)."""
import numpy as np

from kzoo.course.exercises.checks import choice, close_to, function_of, in_range
from kzoo.course.exercises.question import Question

_TAGS = ("guitar", "piano", "male vocal", "drums", "quiet")

QUESTIONS = (
    Question(
        "frames",
        "speech_embedding's front end (SpeechLogMel: frames of 512 samples every 160, no padding) "
        "turns a waveform of N samples into 1 + (N - 512) // 160 frames. How many frames does a "
        "1-second clip at 16 kHz give? Answer with a number.",
        check=close_to(97, mistakes={
            100: "16000 / 160 counts frame starts as if every frame fitted; the last frames need 512 "
                 "samples after their start.",
            96: "(16000 - 512) // 160 = 96 steps between frames: one more frame than steps.",
            63: "that is musicnn's front end (hop 256, centred frames), not speech_embedding's.",
            31: "the hop is 160 samples, not the 512-sample frame.",
        }),
        hint="kzoo.audio.SpeechLogMel()(np.zeros((1, 16000), 'float32')).shape",
        solution="1 + (16000 - 512) // 160 = 1 + 96 = 97",
    ),
    Question(
        "unseen_speaker",
        "Accuracy on a speaker who is not in the training set is lower than on new recordings of "
        "known speakers. Why? (a) the held-out test set has fewer clips per digit, and a smaller test "
        "set gives lower accuracy; (b) with known speakers the model can lean on cues of those "
        "voices (pitch, timbre, accent, room), and a new voice differs in them; (c) the held-out "
        "speaker says other words than the training speakers, words the head never saw; (d) the "
        "held-out split leaves some of the ten digit classes out of the training clips.",
        check=choice("abcd", "b", why_not={
            "a": "the size of a test set changes how precise the estimate is, not whether it is lower.",
            "c": "every speaker says the same ten digits.",
            "d": "all ten digits are in both splits.",
        }),
        hint="In the standard split, the test clips of george are recordings 0-4 of george; his "
             "recordings 5-49 are in the training set.",
        solution="(b): the standard split measures new recordings of familiar voices; the speaker "
                 "split measures what users meet: a voice the model never heard.",
    ),
    Question(
        "top_tags",
        "Write top_tags(probs, tags, k): the names of the k tags with the highest probabilities, "
        "most probable first (probs: a 1-D array, one probability per tag name in tags).",
        check=function_of([
            ((np.array([0.1, 0.9, 0.3, 0.05, 0.5]), _TAGS, 2), ["piano", "quiet"]),
            ((np.array([0.7, 0.2, 0.8, 0.1, 0.3]), _TAGS, 3), ["male vocal", "guitar", "quiet"]),
            ((np.array([0.2, 0.1, 0.3, 0.9, 0.4]), _TAGS, 1), ["drums"]),
        ]),
        hint="np.argsort sorts in increasing order: reverse it ([::-1]) and take the first k.",
        solution="def top_tags(probs, tags, k):\n"
                 "    return [tags[i] for i in np.argsort(probs)[::-1][:k]]",
    ),
    Question(
        "two_clips",
        "Experiment: with the cached speech_embedding features of section 4, train a linear head "
        "(linear_head_accuracy) on 2 labelled clips per digit (kzoo.datasets.few_shot(..., 2, "
        "seed=0)) and report its accuracy on the unseen speaker as a fraction.",
        # Measured: 0.906 (full mode, 500 test clips) and 0.90 (fast mode, 50); other seeds move it by
        # several points (one clip per digit: 64-75%, five: 92-93.5%).
        check=in_range(0.65, 1.0, mistakes={0.1: "that is chance: did the head see the training features?"}),
        hint="kzoo.datasets.few_shot((f_train, y_train), 2, seed=0) returns (features, labels); pass "
             "them, then f_test and y_test, to linear_head_accuracy.",
        solution="linear_head_accuracy(*kzoo.datasets.few_shot((f_train, y_train), 2, seed=0), f_test, y_test)",
    ),
    # The questionnaire at the end of the notebook.
    Question(
        "negatives",
        "Why does kzoo.audio.keyword_spotter need negative clips? (a) to learn what 'unknown' "
        "sounds like, so other words and noise are not reported as keywords; (b) to make the "
        "training set large enough for the embedding net to be fine-tuned; (c) to estimate the "
        "loudness of the background, which the spotter subtracts from a stream; (d) to balance "
        "the classes, since Keras cannot train on classes of unequal size.",
        check=choice("abcd", "a", why_not={
            "b": "the embedding net stays frozen: only the head trains.",
            "c": "nothing is subtracted; the negatives are examples of the 'unknown' class.",
            "d": "Keras trains on unbalanced classes (the spotter weights them equally anyway).",
        }),
        hint="What are the classes of the spotter's head?",
        solution="(a): the head's last class is 'unknown', and the negatives are its examples.",
    ),
    Question(
        "threshold",
        "Raising a keyword spotter's threshold towards 1 (spotter.threshold, or the threshold "
        "argument of spot) does what? (a) more keywords detected and more false alarms; (b) the "
        "same detections, each with a higher score; (c) it changes nothing, since the threshold "
        "applies to training only; (d) fewer false alarms, and fewer keywords detected.",
        check=choice("abcd", "d", why_not={
            "a": "a higher threshold lets fewer segments through, not more.",
            "b": "the threshold does not change scores; it decides which scores count.",
            "c": "it applies when classifying and spotting; training does not use it.",
        }),
        hint="A keyword counts only when its probability is at least the threshold.",
        solution="(d): fewer segments pass, the doubtful ones: false alarms drop, and so do the "
                 "detections of keywords said unclearly.",
    ),
    Question(
        "head_weights",
        "The spotter of section 8 has a Dense head on the 192 pooled values (mean and max of the "
        "96-value window embeddings), one output per keyword (zero, one, seven) and one for "
        "'unknown'. How many weights does that head have, biases included? Answer with a number.",
        check=close_to(772, mistakes={
            768: "192 x 4 are the kernel's weights; each output also has a bias.",
            579: "'unknown' is a class too: four outputs, not three.",
            388: "the head reads 192 values (mean and max), not 96.",
        }),
        hint="kzoo's ClassifierHead is a Dense layer: inputs x outputs + outputs.",
        solution="192 * 4 + 4 = 772 (spotter.model.get_layer('head').count_params())",
    ),
)
