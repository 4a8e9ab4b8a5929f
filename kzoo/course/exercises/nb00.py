"""Exercises of notebook 00 (setup and the zoo)."""
from kzoo.course.exercises.checks import choice, close_to, function_of, model_with
from kzoo.course.exercises.question import Question

_NAMES = ["ant", "bee", "cat", "dog", "eel"]


def _top_k_cases():
    import numpy as np

    return [
        ((np.array([0.1, 2.0, -1.0, 0.5, 0.0]), _NAMES, 1), ["bee"]),
        ((np.array([0.1, 2.0, -1.0, 0.5, 0.0]), _NAMES, 3), ["bee", "dog", "ant"]),
        ((np.array([-5.0, -4.0, -3.0, -2.0, -1.0]), _NAMES, 2), ["eel", "dog"]),
    ]


QUESTIONS = (
    Question(
        "published_classes",
        "How many classes does the published efficientnet_lite0 (kzoo.load('efficientnet_lite0')) "
        "predict? Answer with a number.",
        check=close_to(1000, mistakes={
            2: "2 is our ants-vs-bees task; the published head is the one trained on ImageNet.",
            1001: "some old TF-slim models had an extra 'background' class; this one does not."}),
        hint="Look at model.output_shape, or count kzoo.class_names(model).",
        solution="len(kzoo.class_names(model))  # 1000: the ImageNet-1k classes",
    ),
    Question(
        "preprocessing",
        "The model takes raw RGB pixels 0-255. Where are they scaled to [-1, 1]? "
        "(a) you must call a preprocess_input function first; (b) inside the model, in its first "
        "layer; (c) nowhere, EfficientNet-Lite works on 0-255; (d) in kzoo.datasets.load.",
        check=choice("abcd", "b", why_not={
            "a": "the model already scales its input; scaling again would normalise twice.",
            "c": "look at kzoo.info('efficientnet_lite0').preprocessing and model.layers[1].",
            "d": "kzoo.datasets.load returns pixels 0..255 (check x.min() and x.max()).",
        }),
        hint="Print model.layers[:3] and kzoo.info('efficientnet_lite0').preprocessing.",
        solution="(b): kzoo puts a Rescaling(1/127.5, offset=-1) layer in front of the network, so the "
                 "model takes what a camera gives and cannot be fed wrongly scaled images.",
    ),
    Question(
        "top_k",
        "Write top_k(logits, names, k): the names of the k highest-scoring classes for one "
        "example's logits (a 1-D array), best first, as a list.",
        check=function_of(_top_k_cases()),
        hint="np.argsort sorts from smallest to largest; reverse it ([::-1]) and keep the first k.",
        solution="def top_k(logits, names, k):\n"
                 "    order = np.argsort(logits)[::-1][:k]\n"
                 "    return [names[i] for i in order]",
    ),
    Question(
        "new_head",
        "Load efficientnet_lite0 with a new head for the two classes ['ants', 'bees'] (body frozen, "
        "only the head trains).",
        check=model_with(output_shape=(None, 2), class_names=["ants", "bees"], trainable=["head"]),
        hint="kzoo.load takes class_names=...; it freezes the body for you.",
        solution="model = kzoo.load('efficientnet_lite0', class_names=['ants', 'bees'])",
    ),
)
