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
        "known speakers. Why? (a) the held-out test set is smaller; (b) with known speakers the "
        "model can lean on cues of those particular voices and microphones (pitch, timbre, accent, "
        "room), and a new voice differs in all of them; (c) the held-out speaker says other words; "
        "(d) the held-out split has fewer classes.",
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
)
