"""Exercises of notebook 07 (audio: log-mels, a pre-trained tagger, spoken digits)."""
import numpy as np

from kzoo.course.exercises.checks import choice, close_to, function_of
from kzoo.course.exercises.question import Question

_TAGS = ("guitar", "piano", "male vocal", "drums", "quiet")

QUESTIONS = (
    Question(
        "frames",
        "kzoo's front end (LogMelSpectrogram, musicnn's settings: hop 256 samples, centred frames) "
        "turns a waveform of N samples into 1 + N // 256 frames. How many frames does a 1-second "
        "clip at 16 kHz give? Answer with a number.",
        check=close_to(63, mistakes={
            62: "16000 // 256 = 62 steps between frames, and centred frames start at sample 0: one more.",
            62.5: "frames are whole: 16000 // 256 is integer division.",
            187: "that is musicnn's 3-second patch (47,616 samples), not a 1-second clip.",
            31: "the hop is 256 samples, not the 512-sample window.",
        }),
        hint="kzoo.audio.LogMelSpectrogram()(np.zeros((1, 16000), 'float32')).shape",
        solution="1 + 16000 // 256 = 63",
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
)
