"""Exercises of notebook 03 (option 2: fine-tuning and the two-phase schedule)."""
from kzoo.course.exercises.checks import choice, close_to
from kzoo.course.exercises.question import Question

QUESTIONS = (
    Question(
        "group_lr",
        "fine_tune(..., finetune_lr=1e-4, lr_mult=0.5, groups=3): the body is split into 3 groups, "
        "bottom group 0 learning at finetune_lr * lr_mult ** (3 - i). At what learning rate does "
        "the bottom group (i = 0) learn? Answer with a number.",
        check=close_to(1.25e-5, rel_tol=1e-6, mistakes={
            1e-4: "that is the head's rate; the body's groups learn slower.",
            5e-5: "that is the top group (i = 2): 1e-4 * 0.5 ** 1.",
            2.5e-5: "that is the middle group (i = 1): 1e-4 * 0.5 ** 2.",
        }),
        hint="Plug i = 0 into finetune_lr * lr_mult ** (groups - i).",
        solution="1e-4 * 0.5 ** 3 = 1.25e-5",
    ),
    Question(
        "batchnorm",
        "Why does kzoo.unfreeze keep BatchNormalization layers frozen (in inference mode) by "
        "default? (a) BatchNorm has no weights to train; (b) its running mean and variance were "
        "estimated on the large pre-training data, and small fine-tuning batches would overwrite "
        "them with noisy estimates; (c) BatchNorm does not work on the JAX backend; (d) to save memory.",
        check=choice("abcd", "b", why_not={
            "a": "it has a scale and an offset (gamma, beta) that train, plus the moving statistics.",
            "c": "BatchNorm works on every Keras backend.",
            "d": "the memory is the same; what changes is which statistics normalise the batch.",
        }),
        hint="In training mode BatchNorm normalises with the statistics of the current batch and "
             "updates its moving averages from them.",
        solution="(b): in training mode the layer normalises with the batch's own mean and variance and "
                 "drags its moving averages towards them; with a few small, unusual batches the "
                 "features the upper layers expect shift, and accuracy collapses before it recovers.",
    ),
    Question(
        "trainable_after_unfreeze",
        "After kzoo.unfreeze(model) (all of the body, train_batchnorm=False), how many "
        "BatchNormalization layers of the model train? Count them with kzoo.leaf_layers.",
        check=close_to(0, mistakes={}),
        hint="[l for l in kzoo.leaf_layers(model) if isinstance(l, keras.layers.BatchNormalization) "
             "and l.trainable]",
        solution="sum(isinstance(l, keras.layers.BatchNormalization) and l.trainable "
                 "for l in kzoo.leaf_layers(model))  # 0",
    ),
)
