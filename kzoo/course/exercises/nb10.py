"""Exercises of notebook 10 (sharing your model: .keras, KerasHub presets, export, model cards)."""
import os

from kzoo.course.exercises.checks import choice, in_range, model_with
from kzoo.course.exercises.question import Question

DIGITS = [str(d) for d in range(10)]


def _check_shared_folder(answer):
    """A folder written by kzoo.share.save_model: a card that states the test accuracy, a digit model."""
    from pathlib import Path

    import keras

    from kzoo.share import CARD_FILE, load_model

    if isinstance(answer, keras.Model):
        return False, ("that is a model in memory, saved nowhere: the answer is the folder that "
                       "kzoo.share.save_model returned.")
    if not isinstance(answer, (str, os.PathLike)):
        return False, f"expected the folder's path, got {type(answer).__name__}."
    folder = Path(answer)
    if not (folder / CARD_FILE).is_file():
        return False, f"{folder} holds no {CARD_FILE}: save the model there with kzoo.share.save_model(model, folder, card=card)."
    if "| test accuracy |" not in (folder / CARD_FILE).read_text(encoding="utf-8"):
        return False, ("its model card does not state the test accuracy: pass metrics={'test accuracy': test_acc} "
                       "to kzoo.share.model_card.")
    right, message = model_with(output_shape=(None, 10), class_names=DIGITS)(load_model(folder))
    return right, ("the folder reloads as the digit model, and its card states the test accuracy." if right
                   else f"the model kzoo.share.load_model reads back is wrong: {message}")


QUESTIONS = (
    Question(
        "preset_task_file",
        "A KerasHub preset folder written by save_to_preset holds config.json, preprocessor.json, "
        "tokenizer.json, task.json, model.weights.h5, task.weights.h5 and the vocabulary. "
        "Which file holds the class names of a kzoo SentenceClassifier? Answer with the file name.",
        check=choice(["config.json", "preprocessor.json", "tokenizer.json", "task.json", "model.weights.h5",
                      "task.weights.h5"], "task.json", why_not={
            "config.json": "config.json describes the backbone (the encoder) only; it knows nothing of the task.",
            "preprocessor.json": "the preprocessor turns strings into token ids; classes are not its business.",
            "tokenizer.json": "the tokenizer's config: vocabulary and special tokens.",
            "model.weights.h5": "those are the backbone's weights; names are config, not weights.",
            "task.weights.h5": "that holds the head's weights (numbers), not its class names (config).",
        }),
        hint="Open the folder and read the JSON files: which one names the task class SentenceClassifier?",
        solution="task.json: the task's full config, including the head's class_names and dropout.",
    ),
    Question(
        "needs_kzoo",
        "A colleague runs keras.saving.load_model('digits.keras') on a machine where kzoo is not "
        "installed. What happens? (a) it loads: the class names are stored in the file, and Keras falls "
        "back to a plain Dense layer for the head; (b) it loads but without the head; (c) it fails: "
        "Keras cannot rebuild kzoo>ClassifierHead without kzoo's code; (d) it loads with random weights.",
        check=choice("abcd", "c", why_not={
            "a": "the names are in the file, but rebuilding the layer that carries them needs its Python class.",
            "b": "Keras does not skip layers it cannot build; it raises an error.",
            "d": "weights are loaded only after the architecture is rebuilt, which is what fails.",
        }),
        hint="A .keras file stores each layer's class name and config, not the layer's code.",
        solution="(c): custom layers must be importable (kzoo registers them on import); otherwise export "
                 "the model (model.export) or share a folder from kzoo.share.save_model with kzoo as a "
                 "requirement.",
    ),
    Question(
        "save_and_reload",
        "Save the fine-tuned digit model with kzoo.share.save_model into a new folder under workdir, with "
        "a model card that states its test accuracy (kzoo.share.model_card(..., metrics={'test accuracy': "
        "...})). The answer is the folder save_model returned; the check reloads it with kzoo.share.load_model.",
        check=_check_shared_folder,
        hint="card = kzoo.share.model_card(model, name=..., metrics={'test accuracy': test_acc}); "
             "kzoo.share.save_model(model, workdir / 'new_folder', card=card)",
        solution="card = kzoo.share.model_card(model, name='digits', metrics={'test accuracy': test_acc})\n"
                 "answer = kzoo.share.save_model(model, workdir / 'digits_again', card=card)",
    ),
    Question(
        "shifted",
        "Experiment: how well does the reloaded digit model do on the test digits moved one pixel to the "
        "right (np.roll(x_test, 1, axis=2))? Answer with its accuracy as a fraction.",
        # Measured: 0.956 in full mode (20 labels per class, 96.7% unshifted), 0.79 in fast mode (5 per class):
        # global pooling makes a one-pixel shift cheap for a well-trained model, less so for a weak one.
        check=in_range(0.3, 1.0, mistakes={0.1: "that is chance: did you use the trained model?"}),
        hint="np.mean(np.argmax(reloaded.predict(np.roll(x_test, 1, axis=2), verbose=0), axis=1) == y_test)",
        solution="shifted = np.roll(x_test, 1, axis=2)\n"
                 "answer = float(np.mean(np.argmax(reloaded.predict(shifted, verbose=0), axis=1) == y_test))",
    ),
    # The questionnaire at the end of the notebook.
    Question(
        "export_keeps",
        "What does a tf_saved_model export keep? (a) the weights and the computation, not the class names; "
        "(b) only the weights; (c) the weights, the computation and the class names; (d) everything, "
        "including the optimizer's state, so that training can go on where it stopped.",
        check=choice("abcd", "a", why_not={
            "b": "it keeps the traced forward pass too: it runs without Keras.",
            "c": "the class names are config of kzoo's head layer, not part of the traced graph.",
            "d": "an export keeps inference only.",
        }),
        hint="Section 5, the cell after the export.",
        solution="(a): ship the class names alongside (the model card lists them).",
    ),
    Question(
        "card_file",
        "Which file of a folder written by kzoo.share.save_model is the model card? Answer with the file name.",
        check=choice(["model.keras", "README.md", "card.json", "config.json"], "README.md", why_not={
            "model.keras": "that is the model itself.",
            "card.json": "the card is markdown, for people to read.",
            "config.json": "that is a KerasHub preset's backbone config.",
        }),
        hint="Look at the listing printed in section 3.",
        solution="README.md: the name Hugging Face shows as a repository's model card.",
    ),
    Question(
        "not_stated",
        "What does kzoo.share.model_card write for a fact you did not give it (the intended use, say)? "
        "(a) a guess from the model's config; (b) nothing: the section is left out; (c) it raises an "
        "error that names the missing argument; (d) Not stated.",
        check=choice("abcd", "d", why_not={
            "a": "kzoo states only what it can read from the model; the rest is yours to state.",
            "b": "every section is there, so a reader sees what is missing.",
            "c": "every fact but the name is optional.",
        }),
        hint="Read the card displayed in section 3.",
        solution="(d): 'Not stated.', rather than a guess.",
    ),
)
