"""Exercises of notebook 02 (option 1: feature extraction)."""
import numpy as np

from kzoo.course.exercises.checks import choice, close_to, function_of, in_range
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


def _passes(answer):
    try:
        got = np.asarray(answer, dtype="float64").ravel()
    except (TypeError, ValueError):
        return False, f"expected a pair of numbers (guide, cached), got {answer!r}."
    if got.shape != (2,):
        return False, f"expected a pair of numbers (guide, cached), got {got.size} numbers."
    if np.array_equal(got, [10, 1]):
        return True, f"{answer!r} is right: the body runs every epoch one way and once the other."
    if np.array_equal(got, [1, 10]):
        return False, "the pair is the wrong way round: (guide, cached)."
    return False, f"{answer!r} is not right: count how often each recipe runs the body over the photos."


_LOGITS = np.array([[2.0, -1.0], [0.0, 3.0], [1.0, 1.0], [-2.0, 2.0], [4.0, 0.0]])
_LABELS = np.array([0, 0, 1, 0, 1])

QUESTIONS = (
    Question(
        "head_params",
        "EfficientNet-Lite0's body ends in global average pooling over 1280 channels. How many "
        "parameters would a new head for 10 classes have (the 1000 -> 10 swap)? Answer with a number.",
        check=close_to(12810, mistakes={
            12800: "that is the kernel only (1280 x 10); each class also has a bias.",
            1281000: "that is the old ImageNet head (1280 x 1000 + 1000).",
            2562: "that is the 2-way head of section 2; this one has 10 classes.",
            1290: "a 10-way head has one kernel column per class: 1280 x 10 weights plus 10 biases.",
        }),
        hint="One weight per (feature, class) pair plus one bias per class; "
             "kzoo.find_head(kzoo.swap_head(published, 10)).count_params() confirms your arithmetic.",
        solution="1280 * 10 + 10 = 12810  # kzoo.find_head(kzoo.swap_head(published, 10)).count_params()",
    ),
    Question(
        "why_cache",
        "Why is a head epoch on cached features so much cheaper? (a) cached features are stored in lower "
        "precision, so each step does less arithmetic; (b) the head has fewer parameters when features are "
        "cached; (c) the frozen body gives the same features every epoch, so it runs once instead of once "
        "per epoch; (d) the head trains on larger batches.",
        check=choice("abcd", "c", why_not={
            "a": "kzoo stores float32 features, the body's own output.",
            "b": "the head is the same Dense layer either way; what changes is whether the body runs.",
            "d": "the batch size is the same (32) both ways; the body simply does not run again.",
        }),
        hint="Almost all the compute of one step is in the body. Does the body's output change "
             "while only the head trains?",
        solution="(c): the body is frozen, so its output for an image never changes; kzoo computes it "
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
    Question(
        "longer_head",
        "Experiment: train a fresh model's head for 30 epochs on cached features (head_epochs=30, lr=1e-3, "
        "seed 1). What validation accuracy does it reach, as a fraction between 0 and 1?",
        check=in_range(0.75, 1.0),
        hint="keras.utils.set_random_seed(1); kzoo.load(...); kzoo.fine_tune(model, train, val, head_epochs=30, "
             "lr=1e-3).history['val_accuracy'][-1]",
        solution="About what ten epochs reach (low to mid 90s in % on the full data): the linear head on "
                 "these features has converged, so more epochs buy little.",
    ),
    Question(
        "q_what_trains",
        "In option 1, which weights change during training? (a) all of them; (b) the body's only; "
        "(c) the new head's only; (d) none, the head is computed in closed form.",
        check=choice("abcd", "c", why_not={
            "a": "that is option 2 (fine-tuning), after the head phase.",
            "b": "the body is the frozen part; it is the head that is new and learns.",
            "d": "the head is a Dense layer trained by gradient descent like any other.",
        }),
        hint="Which part did kzoo.load(..., class_names=...) leave trainable?",
        solution="(c): the body is frozen; only the new head's kernel and biases train.",
    ),
    Question(
        "q_augment_cache",
        "You want to train with random crops and flips (data augmentation). Can the head still train on "
        "features cached once? Answer True or False.",
        check=choice([True, False], False, why_not={
            True: "a flipped or cropped photo gives other features, so the body would have to run again "
                  "on every augmented batch.",
        }),
        hint="Cached features are of the exact images seen once.",
        solution="False: augmented images change every epoch, so their features must be computed every "
                 "epoch; that is why kzoo.fine_tune applies augment only where the body runs.",
    ),
    Question(
        "q_passes",
        "Over ten head epochs, how many passes of the frozen body over the training photos does the "
        "Keras-guide recipe make, and how many does cached training make? Answer with a pair (guide, cached).",
        check=_passes,
        hint="The guide's recipe runs the whole model in every epoch; caching runs the body once.",
        solution="(10, 1): one pass per epoch against one pass in all.",
    ),
    Question(
        "q_flatten_size",
        "A head that flattens the body's last feature map instead of pooling it: at 320 px that map is "
        "10 x 10 x 1280. How many numbers would the head receive? Answer with a number.",
        check=close_to(128000, mistakes={
            1280: "that is what global average pooling gives, at any size; Flatten keeps every grid cell.",
            62720: "that is at 224 px (a 7 x 7 grid); at 320 px the grid is 10 x 10.",
        }),
        hint="Flatten keeps every position of the grid: height x width x channels.",
        solution="10 * 10 * 1280 = 128000, against 62720 at 224 px: a Dense layer sized for one cannot "
                 "take the other, while global pooling gives 1280 numbers at both sizes.",
    ),
)
