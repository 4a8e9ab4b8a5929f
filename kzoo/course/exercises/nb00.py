"""Exercises of notebook 00 (setup and the zoo)."""
from kzoo.course.exercises.checks import choice, close_to, function_of, in_range, model_with
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
        "head_params",
        "The published efficientnet_lite0's head is a Dense layer from the 1280 pooled features to the "
        "1000 ImageNet classes. How many parameters does it have? Answer with a number.",
        check=close_to(1_281_000, mistakes={
            1_280_000: "that is the kernel only (1280 x 1000); each class also has a bias.",
            2562: "that is a 2-way head (ants, bees); the published head has one output per ImageNet class.",
            4_694_024: "that is the whole model; the head is only its last layer.",
        }),
        hint="A Dense layer from n inputs to k outputs has an n x k kernel and k biases; "
             "kzoo.find_head(model).count_params() confirms it.",
        solution="1280 * 1000 + 1000 = 1,281,000  # kzoo.find_head(model).count_params()",
    ),
    Question(
        "preprocessing",
        "The model takes raw RGB pixels 0-255. Where are they scaled to [-1, 1]? "
        "(a) in a preprocess_input function that you must call on every batch before predict, as for "
        "most keras.applications models; (b) in kzoo.datasets.load, which returns scaled pixels; "
        "(c) inside the model, in its rescale layer; (d) nowhere: EfficientNet-Lite works on 0-255.",
        check=choice("abcd", "c", why_not={
            "a": "the model already scales its input; scaling again would normalise twice.",
            "b": "kzoo.datasets.load returns pixels 0..255 (check x.min() and x.max()).",
            "d": "look at kzoo.info('efficientnet_lite0').preprocessing and model.layers[1].",
        }),
        hint="Print model.layers[:3] and kzoo.info('efficientnet_lite0').preprocessing.",
        solution="(c): kzoo puts a Rescaling(1/127.5, offset=-1) layer in front of the network, so the "
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
        solution="answer = kzoo.load('efficientnet_lite0', class_names=['ants', 'bees'])",
    ),
    Question(
        "scaled_twice",
        "Experiment: feed the published model photos that you scaled to [-1, 1] yourself "
        "(x / 127.5 - 1), as a preprocess_input function would, so that they are scaled twice. What "
        "fraction of the photos now get the right insect as the top guess? Answer with a fraction.",
        # Measured with the right scaling: 0.73 (full mode, 153 photos). Scaled twice, every photo
        # becomes almost one flat grey: 0.0 in fast and full mode (the top guess is the same class for all).
        check=in_range(0.0, 0.4, mistakes={
            0.73: "that is the fraction with the right scaling: feed x / 127.5 - 1, not x."}),
        hint="probs = softmax(model.predict(x / 127.5 - 1)); compare the top name with truth[label] as "
             "in section 4.",
        solution="twice = keras.ops.convert_to_numpy(keras.ops.softmax(model.predict(x / 127.5 - 1, verbose=0)))\n"
                 "answer = np.mean([names[p.argmax()] == truth[label] for p, label in zip(twice, y)])",
    ),
    # The questionnaire at the end of the notebook.
    Question(
        "logits",
        "What does model.predict return for each photo? (a) the probabilities of the 1000 classes, "
        "which sum to 1 because the head ends in a softmax; (b) the index of the best class; (c) the "
        "1280 pooled features of the body; (d) logits: one raw score per class.",
        check=choice("abcd", "d", why_not={
            "a": "kzoo's heads output logits; the notebook applies keras.ops.softmax to get probabilities.",
            "b": "predict returns one score per class; argmax picks the index afterwards.",
            "c": "the head turns those features into class scores; predict returns the head's output.",
        }),
        hint="Look at the cell that calls keras.ops.softmax on model.predict's result.",
        solution="(d): the head outputs logits; a softmax turns them into probabilities.",
    ),
    Question(
        "offline",
        "Which call lists only the zoo models whose weights are already on this machine? "
        "(a) kzoo.list_models(); (b) kzoo.list_models(offline_only=True); (c) kzoo.info(name), "
        "which says where each model's weights come from; (d) kzoo.doctor.report().",
        check=choice("abcd", "b", why_not={
            "a": "that is the whole catalog, including models that would need a download.",
            "c": "info describes one model; it does not list.",
            "d": "the report counts the zoo models available offline but lists the set-up, not the catalog.",
        }),
        hint="Section 2 prints both lists.",
        solution="(b): kzoo.list_models(offline_only=True)",
    ),
    Question(
        "uniform",
        "A classifier that knows nothing gives every one of the 1000 ImageNet classes the same "
        "probability. What probability is that? Answer with a number.",
        check=close_to(0.001, rel_tol=1e-6, mistakes={0.1: "that is for 10 classes.", 1000: "a probability is at most 1."}),
        hint="The probabilities of all classes sum to 1.",
        solution="1 / 1000 = 0.001",
    ),
)
