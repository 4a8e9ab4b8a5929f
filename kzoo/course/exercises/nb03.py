"""Exercises of notebook 03 (option 2: fine-tuning and the two-phase schedule)."""
from kzoo.course.exercises.checks import choice, close_to, in_range
from kzoo.course.exercises.question import Question

QUESTIONS = (
    Question(
        "group_lr",
        "fine_tune(..., finetune_lr=1e-4, lr_mult=1/2, groups=3): the body is split into 3 groups, "
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
        "Why does kzoo.unfreeze keep BatchNormalization layers frozen (in inference mode) by default? "
        "(a) BatchNorm has no weights to train; (b) to save memory while fine-tuning; (c) BatchNorm does not "
        "work on the JAX backend; (d) its running mean and variance were estimated on the large pre-training "
        "data, and small fine-tuning batches would overwrite them with noisy estimates.",
        check=choice("abcd", "d", why_not={
            "a": "it has a scale and an offset (gamma, beta) that train, plus the moving statistics.",
            "b": "the memory is the same; what changes is which statistics normalise the batch.",
            "c": "BatchNorm works on every Keras backend.",
        }),
        hint="In training mode BatchNorm normalises with the statistics of the current batch and "
             "updates its moving averages from them.",
        solution="(d): in training mode the layer normalises with the batch's own mean and variance and "
                 "drags its moving averages towards them; with a few small, unusual batches the "
                 "features the upper layers expect shift, and accuracy collapses before it recovers.",
    ),
    Question(
        "option1_alone",
        "Experiment: on a fresh model with seed 1, train the head only (head_epochs=10, epochs=0, at the "
        "run's head rate lr). "
        "What validation accuracy does it reach, as a fraction between 0 and 1?",
        check=in_range(0.85, 0.99),
        hint="keras.utils.set_random_seed(1); kzoo.load(name, class_names=classes); "
             "kzoo.fine_tune(model, train, val, head_epochs=10, lr=lr).history['val_accuracy'][-1]",
        solution="Low to mid 90s in % on ants and bees (and on the fast mode's digits): compare it with "
                 "phase 1 and phase 2 of the run above and with the three-seed benchmark.",
    ),
    Question(
        "q_order",
        "In which order does the two-phase schedule train? (a) everything, then the head; (b) the head, then "
        "everything at a smaller rate; (c) the body, then the head; (d) the head and the body at once, each "
        "at its own rate.",
        check=choice("abcd", "b", why_not={
            "a": "a random head trained together with the body sends large, noisy gradients into it.",
            "c": "the body is what was pre-trained; the new head is what must learn first.",
            "d": "that is discriminative rates inside phase 2, after the head has been trained alone.",
        }),
        hint="What would the first gradients look like with a random head?",
        solution="(b): head first on the frozen body, then everything at about a tenth of the rate.",
    ),
    Question(
        "q_warmup_start",
        "With schedule='cosine' and the default warm-up (the first tenth of the steps), what fraction of "
        "finetune_lr is the learning rate at the very first step of phase 2?",
        check=close_to(0.0, abs_tol=1e-9, mistakes={
            1.0: "that is the peak, reached at the end of the warm-up.",
            0.1: "the warm-up lasts a tenth of the steps; the rate starts from 0 and rises linearly.",
        }),
        hint="The warm-up rises linearly to finetune_lr. From where?",
        solution="0: the rate rises linearly from 0 to finetune_lr over the warm-up, then decays to 0.",
    ),
    Question(
        "q_phase1_augment",
        "Can phase 1 use augmentation when it trains on cached features? Answer True or False.",
        check=choice([True, False], False, why_not={
            True: "the cached features are of the photos as they are; an augmented photo would need the "
                  "body to run again.",
        }),
        hint="What does caching store, and when is it computed?",
        solution="False: kzoo.fine_tune applies augment in phase 2 (and in phase 1 only with "
                 "cache_features=False).",
    ),
    Question(
        "q_smoothed_target",
        "With label_smoothing=0.2 and 4 classes, what target does the true class get? Answer with a number.",
        check=close_to(0.85, abs_tol=1e-6, mistakes={
            0.8: "that is 1 - label_smoothing; every class, the true one too, also gets label_smoothing / classes.",
            0.05: "that is what each wrong class gets; the true class gets 1 - label_smoothing on top.",
            1.0: "that is the unsmoothed target.",
        }),
        hint="1 - label_smoothing for the true class, plus label_smoothing / classes for every class.",
        solution="1 - 0.2 + 0.2 / 4 = 0.85 (and 0.05 for each of the other three: the targets still sum to 1).",
    ),
    Question(
        "q_all_fixed",
        "Scored on the same photos, phase 2 changed the answer on 6 of them: it fixed all 6 and broke none. If "
        "each changed photo were a coin toss between fixed and broken, what would be the chance that all 6 "
        "are fixes? Answer with a number.",
        check=close_to(1 / 64, rel_tol=1e-6, mistakes={
            1 / 32: "that is the chance of a split this lopsided either way (all fixed or all broken), "
                    "McNemar's two-sided p-value; the question asks for all fixed.",
            1 / 6: "the changed photos are independent tosses: multiply their chances.",
            0.5: "that is the chance for one photo; all six must come up fixed.",
        }),
        hint="Each changed photo is fixed with chance 1/2, independently of the others.",
        solution="0.5 ** 6 = 1/64, about 0.016; the two-sided test doubles it (all fixed or all broken).",
    ),
)
