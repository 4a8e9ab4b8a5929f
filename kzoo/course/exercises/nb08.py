"""Exercises of notebook 08 (adding classes later without forgetting)."""
from kzoo.course.exercises.checks import choice, close_to, in_range
from kzoo.course.exercises.question import Question

# A 3-step run: rows are "after step i", columns "tested on step j's classes".
R_EXAMPLE = ((0.98, 0.00, 0.00),
             (0.70, 0.96, 0.00),
             (0.50, 0.80, 0.94))

QUESTIONS = (
    Question(
        "head_units",
        "A classifier over the 10 digits gets kzoo.add_classes(model, ['plus', 'times']). How many "
        "parameters does its new head have? (The head's input is the 128 numbers from global average "
        "pooling.) Answer with a number.",
        check=close_to(1548, mistakes={
            1290: "that is the old 10-way head (128 x 10 + 10); the grown head has 12 outputs.",
            1536: "that is the kernel only (128 x 12); each class also has a bias.",
            258: "that is only the two new rows (128 x 2 + 2); the old rows are kept, not replaced.",
        }),
        hint="A Dense head has (inputs x outputs) kernel weights plus one bias per output.",
        solution="128 * 12 + 12 = 1548",
    ),
    Question(
        "average_accuracy",
        "For the accuracy matrix R = kzoo.exercises.nb08.R_EXAMPLE of a 3-step run, what is the "
        "average accuracy ACC after the last step (Lopez-Paz & Ranzato 2017)? Answer with a number in [0, 1].",
        check=close_to(0.7466666667, abs_tol=1e-6, mistakes={
            0.96: "that is the mean of the diagonal: each step's accuracy right after learning it.",
            0.94: "that is only the last step's own classes, R[2, 2].",
            0.5: "that is only the first step's classes after the last step, R[2, 0].",
        }),
        hint="ACC is the mean of the last row: kzoo.incremental.average_accuracy(R).",
        solution="(0.50 + 0.80 + 0.94) / 3 = 0.7467",
    ),
    Question(
        "forgetting",
        "For the same R, what is the forgetting (Chaudhry et al. 2018): for each earlier step, the drop "
        "from its best accuracy to its accuracy at the end, averaged over steps 1 and 2? Answer with a number.",
        check=close_to(0.32, abs_tol=1e-6, mistakes={
            0.48: "that is the drop of step 1's classes alone (0.98 - 0.50).",
            0.16: "that is the drop of step 2's classes alone (0.96 - 0.80).",
            -0.32: "forgetting is reported as a positive drop; backward transfer is the negative one.",
        }),
        hint="Step 1: max(0.98, 0.70) - 0.50; step 2: 0.96 - 0.80; then the mean. "
             "kzoo.incremental.forgetting(R) computes it.",
        solution="((0.98 - 0.50) + (0.96 - 0.80)) / 2 = 0.32",
    ),
    Question(
        "why_naive_forgets",
        "Why does naive fine-tuning on the new classes' data alone forget the old classes? "
        "(a) kzoo.add_classes erases the old rows of the head; (b) the learning rate is too high: a "
        "smaller one would learn the new classes and keep the old ones; (c) nothing in the loss on the "
        "new data rewards the old classes' outputs; (d) the body is frozen.",
        check=choice("abcd", "c", why_not={
            "a": "add_classes copies the old rows exactly: before training, old-class outputs are identical.",
            "b": "even a small learning rate forgets in the end: the data itself never shows an old class.",
            "d": "naive fine-tuning trains the whole model; a frozen body forgets too (the head alone "
                 "learns to prefer the new classes).",
        }),
        hint="Look at what the cross-entropy on a batch containing only new classes asks of the old logits.",
        solution="(c): every training example belongs to a new class, so the cross-entropy is lowest when "
                 "the new classes win on every input, old-looking or not. Replay puts old examples back into "
                 "the batches; LwF asks the model to keep its old outputs on the new data.",
    ),
    Question(
        "small_memory",
        "Experiment: repeat replay with a memory of only 5 old images per class (ExemplarMemory(per_class=5)), "
        "starting from the saved model as section 4 does. What accuracy does it keep on the old classes "
        "(0-7)? Answer with a fraction.",
        # Measured: 0.983 in full mode, 0.976 in fast mode (replay with 20 per class keeps 98.6%).
        check=in_range(0.6, 1.0, mistakes={0.0: "that is naive fine-tuning: pass memory=... to learn_new_classes."}),
        hint="start = keras.saving.load_model(saved); memory = ExemplarMemory(per_class=5).update(start, x_old, "
             "y_old); learn_new_classes(start, (x_new, y_new), ['8', '9'], strategy='replay', memory=memory, "
             "epochs=epochs); old_and_new_accuracy(...)[0].",
        solution="start = keras.saving.load_model(saved)\n"
                 "memory = ExemplarMemory(per_class=5).update(start, x_old, y_old)\n"
                 "small, _ = learn_new_classes(start, (x_new, y_new), ['8', '9'], strategy='replay', memory=memory, epochs=epochs)\n"
                 "answer = old_and_new_accuracy(small)[0]",
    ),
    # The questionnaire at the end of the notebook.
    Question(
        "upper_bound",
        "What is the upper bound to compare class-incremental strategies with? (a) naive fine-tuning; "
        "(b) joint training on all classes' data at once; (c) LwF; (d) the model before the new classes "
        "arrived, which no strategy can beat on the old classes.",
        check=choice("abcd", "b", why_not={
            "a": "naive fine-tuning is the lower bound: it forgets.",
            "c": "LwF is one of the strategies being compared.",
            "d": "it cannot recognise the new classes at all.",
        }),
        hint="Which model sees every class's data with no restriction?",
        solution="(b): joint training on old and new data together.",
    ),
    Question(
        "lwf_needs",
        "What does Learning without Forgetting keep from the old task? (a) a memory of 20 old images per "
        "class, picked by herding; (b) all of the old training set, mixed into every batch of new data; "
        "(c) nothing at all; (d) the old model's outputs on the new images.",
        check=choice("abcd", "d", why_not={
            "a": "that is replay's exemplar memory.",
            "b": "that is joint training, the upper bound.",
            "c": "it records the old model's outputs before training and distils them.",
        }),
        hint="Section 4: LwF needs no old data at all, but it does need something from the old model.",
        solution="(d): the old model's outputs for the old classes on the new images, kept by distillation.",
    ),
    Question(
        "backward_transfer",
        "Two earlier steps scored 0.9 and 0.8 right after being learned and 0.6 and 0.7 after the last "
        "step. What is the backward transfer? Answer with a number.",
        check=close_to(-0.2, abs_tol=1e-6, mistakes={
            0.2: "backward transfer is negative when accuracy falls (that is the forgetting).",
            -0.3: "that is only the first step's change; average over both.",
        }),
        hint="The mean of (end - just after learning) over the earlier steps.",
        solution="((0.6 - 0.9) + (0.7 - 0.8)) / 2 = -0.2",
    ),
)
