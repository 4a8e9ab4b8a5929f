"""Exercises of notebook 02 (option 1: feature extraction)."""
import numpy as np

from kzoo.course.exercises.checks import choice, close_to, function_of
from kzoo.course.exercises.question import Question


def _top_losses_verify(result, args):
    logits, labels, k = args
    logits = np.asarray(logits, dtype="float64")
    shifted = logits - logits.max(axis=1, keepdims=True)
    losses = np.log(np.exp(shifted).sum(axis=1)) - shifted[np.arange(len(labels)), labels]
    expected = np.argsort(-losses, kind="stable")[:k]
    got = np.asarray(result).ravel()
    if got.shape != expected.shape:
        return f"it returned {got.size} indices, expected {k}."
    if not np.allclose(losses[got], losses[expected]):
        return f"it returned the indices {got.tolist()}, expected {expected.tolist()} (largest loss first)."
    return None


_LOGITS = np.array([[2.0, -1.0], [0.0, 3.0], [1.0, 1.0], [-2.0, 2.0], [4.0, 0.0]])
_LABELS = np.array([0, 0, 1, 0, 1])

QUESTIONS = (
    Question(
        "head_params",
        "EfficientNet-Lite0's body ends in global average pooling over 1280 channels. How many "
        "parameters does the new 2-way (ants, bees) head train? Answer with a number.",
        check=close_to(2562, mistakes={
            2560: "that is the kernel only (1280 x 2); each class also has a bias.",
            1281000: "that is the old ImageNet head (1280 x 1000 + 1000).",
            1281: "a 2-way head has one kernel column per class, so 1280 x 2 weights plus 2 biases.",
        }),
        hint="kzoo.find_head(model).count_params() confirms your arithmetic.",
        solution="1280 * 2 + 2 = 2562  # kzoo.find_head(model).count_params()",
    ),
    Question(
        "why_cache",
        "Why is training the head on cached features so much faster per epoch? (a) the head has "
        "fewer parameters when features are cached; (b) the frozen body gives the same features "
        "every epoch, so it runs once instead of once per epoch; (c) cached features are stored "
        "in lower precision; (d) caching turns on the GPU.",
        check=choice("abcd", "b", why_not={
            "a": "the head is the same Dense layer either way; what changes is whether the body runs.",
            "c": "kzoo stores float32 features, the body's own output.",
            "d": "caching does the same work on whatever device you have; it just does it once.",
        }),
        hint="Almost all the compute of one step is in the body. Does the body's output change "
             "while only the head trains?",
        solution="(b): the body is frozen, so its output for an image never changes; kzoo computes it "
                 "once and each epoch only runs the small head. The price: no data augmentation, "
                 "since augmented images would need the body again.",
    ),
    Question(
        "top_losses",
        "Write top_losses(logits, labels, k): the indices of the k examples with the largest "
        "cross-entropy loss, largest first (logits: (N, C) array; labels: (N,) class indices).",
        check=function_of([((_LOGITS, _LABELS, 2), None), ((_LOGITS, _LABELS, 5), None)],
                          verify=_top_losses_verify),
        hint="The loss of an example is logsumexp(logits) - logits[true class]; np.argsort(-loss)[:k].",
        solution="def top_losses(logits, labels, k):\n"
                 "    logits = np.asarray(logits, dtype='float64')\n"
                 "    shifted = logits - logits.max(axis=1, keepdims=True)\n"
                 "    loss = np.log(np.exp(shifted).sum(axis=1)) - shifted[np.arange(len(labels)), labels]\n"
                 "    return np.argsort(-loss)[:k]",
    ),
)
