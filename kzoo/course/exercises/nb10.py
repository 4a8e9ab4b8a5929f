"""Exercises of notebook 10 (sharing your model: .keras, KerasHub presets, export, model cards)."""
from kzoo.course.exercises.checks import choice, model_with
from kzoo.course.exercises.question import Question

DIGITS = [str(d) for d in range(10)]

QUESTIONS = (
    Question(
        "preset_task_file",
        "A KerasHub preset folder written by save_to_preset holds config.json, task.json, "
        "preprocessor.json, tokenizer.json, model.weights.h5, task.weights.h5 and the vocabulary. "
        "Which file holds the class names of a kzoo SentenceClassifier? Answer with the file name.",
        check=choice(["config.json", "task.json", "preprocessor.json", "tokenizer.json", "model.weights.h5",
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
        "installed. What happens? (a) it loads, the class names are stored in the file; (b) it fails: "
        "the file names the layer class kzoo>ClassifierHead, which Keras can only rebuild from its "
        "code; (c) it loads but without the head; (d) it loads with random weights.",
        check=choice("abcd", "b", why_not={
            "a": "the names are in the file, but rebuilding the layer that carries them needs its Python class.",
            "c": "Keras does not skip layers it cannot build; it raises an error.",
            "d": "weights are loaded only after the architecture is rebuilt, which is what fails.",
        }),
        hint="A .keras file stores each layer's class name and config, not the layer's code.",
        solution="(b): custom layers must be importable (kzoo registers them on import); otherwise export "
                 "the model (model.export) or share a folder from kzoo.share.save_model with kzoo as a "
                 "requirement.",
    ),
    Question(
        "save_and_reload",
        "Save the fine-tuned digit model with kzoo.share.save_model into a new folder, with a model card "
        "that states its test accuracy (kzoo.share.model_card(..., metrics=...)), and reload it with "
        "kzoo.share.load_model. The answer is the reloaded model.",
        check=model_with(output_shape=(None, 10), class_names=DIGITS),
        hint="card = kzoo.share.model_card(model, name=..., metrics={'test accuracy': acc}); "
             "folder = kzoo.share.save_model(model, workdir / 'new_folder', card=card)",
        solution="card = kzoo.share.model_card(model, name='digits', metrics={'test accuracy': test_acc})\n"
                 "folder = kzoo.share.save_model(model, workdir / 'digits_again', card=card)\n"
                 "answer = kzoo.share.load_model(folder)",
    ),
)
