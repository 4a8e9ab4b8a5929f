"""Exercises of notebook 01 (what pre-training is)."""
import string

from kzoo.course.exercises.checks import choice, close_to, function_of, in_range, model_with
from kzoo.course.exercises.question import Question

DIGITS = [str(d) for d in range(10)]


def _check_by_hand(answer):
    """A function letters -> digit model that swaps the head of the model it is given (not a new one)."""
    import keras
    import numpy as np

    from kzoo.zoo.glyphnet import build_glyphnet

    if isinstance(answer, keras.Model) or not callable(answer):
        return False, (f"expected a function digits_from(letters) that returns the digit model, got "
                       f"{type(answer).__name__}.")
    letters = build_glyphnet(list(string.ascii_letters))  # random weights: a body no kzoo.load returns
    given = [w.copy() for w in letters.get_layer("block1_conv").get_weights()]
    digits = answer(letters)
    right, message = model_with(output_shape=(None, 10), class_names=DIGITS, trainable=["head"])(digits)
    if not right:
        return right, message
    kept = digits.get_layer("block1_conv").get_weights()
    if not all(np.array_equal(a, b) for a, b in zip(kept, given)):
        return False, ("its body is not the one of the model it was given: build the digit model from "
                       "`letters` with kzoo.swap_head instead of loading a new one.")
    return True, "it swaps the head of the model it is given for a 10-way one and freezes the body."


QUESTIONS = (
    Question(
        "frozen_after_load",
        "Right after model = kzoo.load('glyphnet', num_classes=10), which layers train? "
        "(a) only the new head; (b) all of them, since a model loaded for a new task must adapt "
        "every layer; (c) none until kzoo.fine_tune is called; (d) all but the new head.",
        check=choice("abcd", "a", why_not={
            "b": "kzoo.load freezes the pre-trained body when it adds a new head: check "
                 "len(model.trainable_weights).",
            "c": "trainability is a property of the layers, set by kzoo.load; fine_tune only changes "
                 "it in its second phase.",
            "d": "the head is the one part that must train: it starts from random weights.",
        }),
        hint="[w.path for w in model.trainable_weights] lists what would be updated.",
        solution="(a): the new head starts random and the pre-trained body is frozen, so "
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
        "Do by hand what kzoo.load('glyphnet', class_names=DIGITS) does: write digits_from(letters), "
        "which takes a 52-way letter classifier, swaps its head for one with the class names "
        "'0'..'9' and freezes the body. The check calls it on a letter model of its own.",
        check=_check_by_hand,
        hint="kzoo.swap_head(letters, class_names=...) then kzoo.freeze(...); do not call kzoo.load.",
        solution="def digits_from(letters):\n"
                 "    return kzoo.freeze(kzoo.swap_head(letters, class_names=DIGITS))",
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
    Question(
        "three_per_class",
        "Experiment: with the notebook's train function, train the pre-trained network on 3 labelled "
        "digits per class (kzoo.datasets.few_shot(..., per_class=3, seed=0), seed 0). What test accuracy "
        "does it reach? Answer with a fraction.",
        # Measured with seed 0: 0.911 in full mode, 0.931 in fast mode (30 steps instead of 150); the full
        # run's 2- and 5-per-class means are 86.3% and 93.6%, and seeds move a 3-shot run by several points.
        check=in_range(0.6, 1.0, mistakes={0.1: "that is chance: did the head train?"}),
        hint="x_3, y_3 = kzoo.datasets.few_shot((x_train, y_train), per_class=3, seed=0); then "
             "train('pre-trained', x_3, y_3, 0).",
        solution="answer = train('pre-trained', *kzoo.datasets.few_shot((x_train, y_train), per_class=3, seed=0), 0)",
    ),
    # The questionnaire at the end of the notebook.
    Question(
        "task_a",
        "In this notebook, what is task A? (a) recognising handwritten digits; (b) reconstructing "
        "images; (c) recognising 52 generated letters; (d) classifying ImageNet photos, which is where "
        "most published image models are pre-trained.",
        check=choice("abcd", "c", why_not={
            "a": "digits are task B, the one with few labels.",
            "b": "that is unsupervised pre-training (notebook 09); glyphnet learned from labelled letters.",
            "d": "that is efficientnet_lite0's task A; glyphnet's is generated letters.",
        }),
        hint="Task A is where data is plentiful.",
        solution="(c): glyphnet was pre-trained on generated letters A-Z and a-z.",
    ),
    Question(
        "negative_transfer",
        "What is negative transfer? (a) pre-training that leaves a model worse on task B than random "
        "weights; (b) forgetting task A while learning task B, as when fine-tuning moves the pre-trained "
        "weights too far from where they were; (c) a gradient that points the wrong way; (d) transfer "
        "from task B back to task A.",
        check=choice("abcd", "a", why_not={
            "b": "that is catastrophic forgetting (notebook 08).",
            "c": "negative transfer is about the result on task B, not about one gradient.",
            "d": "transfer goes from the task with plenty of data to the task you care about.",
        }),
        hint="Look at the data-efficiency plot at fifty labels per class.",
        solution="(a): Wang et al. (2019); at fifty labels per class random init was slightly ahead here.",
    ),
    Question(
        "frozen_params",
        "glyphnet has 100,052 parameters with its 52-way head of 128 x 52 + 52. How many parameters "
        "does its body (everything but the head) have? Answer with a number.",
        check=close_to(93_344, mistakes={
            100_052: "that includes the head.",
            93_396: "the head has 52 biases too: 128 x 52 + 52 = 6,708.",
        }),
        hint="Subtract the head's parameters from the total.",
        solution="100,052 - (128 * 52 + 52) = 93,344",
    ),
)
