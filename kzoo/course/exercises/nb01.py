"""Exercises of notebook 01 (what pre-training is)."""
from kzoo.course.exercises.checks import choice, close_to, function_of, model_with
from kzoo.course.exercises.question import Question

DIGITS = [str(d) for d in range(10)]

QUESTIONS = (
    Question(
        "frozen_after_load",
        "Right after model = kzoo.load('glyphnet', num_classes=10), which layers train? "
        "(a) all of them; (b) only the new head; (c) none until kzoo.fine_tune is called; "
        "(d) all but the new head.",
        check=choice("abcd", "b", why_not={
            "a": "kzoo.load freezes the pre-trained body when it adds a new head: check "
                 "len(model.trainable_weights).",
            "c": "trainability is a property of the layers, set by kzoo.load; fine_tune only changes "
                 "it in its second phase.",
            "d": "the head is the one part that must train: it starts from random weights.",
        }),
        hint="[w.path for w in model.trainable_weights] lists what would be updated.",
        solution="(b): the new head starts random and the pre-trained body is frozen, so "
                 "model.trainable_weights is just the head's kernel and bias.",
    ),
    Question(
        "head_params",
        "How many trainable parameters does the new 10-way head of glyphnet have? (Its input is the "
        "128 numbers from global average pooling.) Answer with a number.",
        check=close_to(1290, mistakes={
            1280: "that is the kernel only (128 x 10); each class also has a bias.",
            6708: "that is the old 52-way head (128 x 52 + 52).",
            1300: "the kernel is 128 inputs x 10 classes; the biases add 10, not 20.",
        }),
        hint="A Dense layer with n inputs and k outputs has an n x k kernel and k biases; "
             "kzoo.find_head(model).count_params() confirms it.",
        solution="128 * 10 + 10 = 1290  # kzoo.find_head(model).count_params()",
    ),
    Question(
        "swap_head",
        "Starting from the published 52-way glyphnet (kzoo.load('glyphnet')), make a digit "
        "classifier by hand: swap the head for one with the class names '0'..'9' and freeze the body.",
        check=model_with(output_shape=(None, 10), class_names=DIGITS, trainable=["head"]),
        hint="kzoo.swap_head(model, class_names=...) then kzoo.freeze(...).",
        solution="letters = kzoo.load('glyphnet')\n"
                 "digits = kzoo.freeze(kzoo.swap_head(letters, class_names=[str(d) for d in range(10)]))",
    ),
    Question(
        "labels_needed",
        "Write labels_needed(shots, accuracy, target): given labelled examples per class (increasing) "
        "and the accuracy reached with each, return the fewest shots whose accuracy is at least "
        "target, or None if none is.",
        check=function_of([
            (([1, 2, 5, 10], [0.3, 0.5, 0.8, 0.9], 0.75), 5),
            (([1, 2, 5, 10], [0.3, 0.5, 0.8, 0.9], 0.8), 5),
            (([1, 5, 20], [0.6, 0.7, 0.85], 0.95), None),
            (([1, 5, 20], [0.9, 0.95, 0.97], 0.5), 1),
        ]),
        hint="Walk through zip(shots, accuracy) and return the first shots whose accuracy >= target.",
        solution="def labels_needed(shots, accuracy, target):\n"
                 "    for n, acc in zip(shots, accuracy):\n"
                 "        if acc >= target:\n"
                 "            return n\n"
                 "    return None",
    ),
)
