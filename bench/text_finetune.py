"""Fine-tuning MiniLM on SST-2 sentences: kzoo's length-bucketed path vs KerasHub's default recipe.

Both train every layer of the same all-MiniLM-L6-v2 encoder on the same SST-2 training sentences for
the same number of epochs, batch 32:

- KerasHub's default recipe, as a new user writes it: ``BertTextClassifier.from_preset(minilm,
  num_classes=2)`` with a sequence length of 64, its default compile (Adam 5e-5), ``fit(texts, labels)``.
  Every batch is padded to 64 tokens and tokenized again each epoch.
- kzoo: ``kzoo.load("minilm_l6", ..., mixed_precision=True)`` (mean pooling, sequence length 128,
  mixed bfloat16) and ``kzoo.fine_tune(head_epochs=0, epochs=...)`` at the same learning rate: texts
  tokenized once, sentences of similar length batched together, each batch padded to its longest on
  TensorFlow (to its length bucket, 8/16/24/32/48/64/96/128 tokens, on JAX). ``throughput_ratio`` is
  this path over the default recipe; ``padding_ratio`` is the default recipe's 64 tokens a sentence over
  kzoo's mean padded width, what the batching alone could give if a step's cost were all per token (a
  transformer's is, but for attention's small quadratic part and the optimizer's fixed update), so
  ``throughput_ratio / padding_ratio`` is what the rest (bfloat16, the lazy token-table update) adds per
  token; ``throughput_ratio_float32`` is the same without mixed precision
  (the batching alone); ``throughput_ratio_token_table_frozen`` trains everything but the token-embedding
  table (30,522 x 384 = 11.7 M weights, ``unfreeze_top="position_embedding"``), which Adam otherwise
  updates in full at every step.

``--accuracy-seeds 0 1 2`` trains both recipes once per seed instead (initial head, dropout and batch
order follow the seed) and adds their dev accuracies to the backend's record as ``dev_accuracy_by_seed``,
leaving the timed figures as they are: one seed says little after 64-96 steps on 512 sentences.

The first epoch includes tracing/compiling (on JAX once per bucket shape), so training throughput is
read from the later epochs and the first epoch's extra time is reported as ``compile_s``. Each epoch's
CPU seconds (all threads) are recorded too, and ``cpu_throughput_ratio`` is ``throughput_ratio`` read
from them: the machine is shared, and CPU time moves less with the other jobs' load than wall time does.
Prediction throughput is timed on the 872 GLUE dev sentences after a warm-up call on 64 of them, and the
accuracy of both models on them is reported. Results are keyed by backend in the JSON, so runs with
``KERAS_BACKEND=tensorflow`` and ``=jax`` fill the same file.

    KZOO_ASSETS=../shared/assets KERAS_BACKEND=jax python bench/text_finetune.py --train 512
"""
import argparse
import json
import os
import time
from pathlib import Path

import keras
import numpy as np

import _record
import kzoo
from kzoo import _text_batches
from sst2_recipe import TOKEN_TABLE_FROZEN

LR, BATCH, DEFAULT_SEQUENCE_LENGTH = 5e-5, 32, 64


def sst2_sample(n: int):
    """``n`` random SST-2 training sentences and labels (seed 0): the sentences every text benchmark trains on."""
    x_all, y_all = kzoo.datasets.load("sst2", "train", as_numpy=True)
    pick = np.random.default_rng(0).choice(len(x_all), n, replace=False)
    return x_all[pick], y_all[pick]


def first_epoch_plan(model, data):
    """``data`` (texts, or ``(texts, labels)``) tokenized by ``model``'s preprocessor, and one epoch's
    batches as ``kzoo.fine_tune`` draws them (here with seed 0) as ``(width, members)``: padded to the
    longest sentence on TensorFlow, to its bucket on the other backends. On the 512-sentence sample
    every seed tried (0-5) gives the same widths in another order."""
    tokens = _text_batches.tokenize(model, data)
    return tokens, _text_batches.batch_plan(tokens, BATCH, np.random.default_rng(0),
                                            to_bucket=keras.backend.backend() != "tensorflow")


def mean_width(plan) -> float:
    """Tokens a sentence costs in ``plan``, padding included: its batches' widths, weighted by their sizes."""
    return float(np.average([w for w, _ in plan], weights=[len(m) for _, m in plan]))


def padded_tokens_per_sentence(x) -> float:
    """Tokens a sentence costs on kzoo's path: the mean width of ``first_epoch_plan``."""
    model = kzoo.load("minilm_l6", class_names=["negative", "positive"])
    return mean_width(first_epoch_plan(model, x)[1])


def _timed_predict(predict, texts):
    predict(texts[:64])  # traces (TensorFlow) / compiles the widest shapes it meets (JAX)
    start = time.perf_counter()
    probs = predict(texts)
    return probs, len(texts) / (time.perf_counter() - start)


def _summary(n_train, timer, probs, y_dev, predict_rate):
    steady = float(np.median(timer.times[1:]))
    return {
        "epoch_seconds": [round(t, 2) for t in timer.times],
        "train_sentences_per_s": round(n_train / steady, 2),
        "epoch_cpu_seconds": [round(t, 2) for t in timer.cpu_times],
        "train_sentences_per_cpu_s": round(n_train / float(np.median(timer.cpu_times[1:])), 2),
        "compile_s": round(timer.times[0] - steady, 2),
        "predict_sentences_per_s": round(predict_rate, 2),
        "dev_accuracy": round(float(np.mean(np.argmax(probs, axis=1) == y_dev)), 4),
    }


def keras_hub_default(location, x, y, x_dev, y_dev, epochs, seed=0):
    import keras_hub

    keras.utils.set_random_seed(seed)
    preprocessor = keras_hub.models.BertTextClassifierPreprocessor.from_preset(
        location, sequence_length=DEFAULT_SEQUENCE_LENGTH)
    model = keras_hub.models.BertTextClassifier.from_preset(location, num_classes=2, preprocessor=preprocessor)
    timer = _record.EpochTimer()
    model.fit(x, y, batch_size=BATCH, epochs=epochs, callbacks=[timer], verbose=0)
    probs, rate = _timed_predict(lambda t: model.predict(t, batch_size=BATCH, verbose=0), x_dev)
    return _summary(len(x), timer, probs, y_dev, rate)


def kzoo_path(x, y, x_dev, y_dev, epochs, mixed_precision, unfreeze_top=None, seed=0):
    keras.utils.set_random_seed(seed)
    model = kzoo.load("minilm_l6", class_names=["negative", "positive"], mixed_precision=mixed_precision)
    timer = _record.EpochTimer()
    kzoo.fine_tune(model, (x, y), head_epochs=0, epochs=epochs, finetune_lr=LR, batch_size=BATCH,
                   unfreeze_top=unfreeze_top, callbacks=[timer])
    # kzoo.predict's ranked lists, turned back into a probability table to score.
    def probabilities(texts):
        return np.array([[dict(row)[name] for name in ("negative", "positive")]
                         for row in kzoo.predict(model, texts, top=2, batch_size=BATCH)])
    probs, rate = _timed_predict(probabilities, x_dev)
    return _summary(len(x), timer, probs, y_dev, rate)


def accuracy_over_seeds(location, x, y, x_dev, y_dev, epochs, seeds, out: Path) -> None:
    """Both recipes' dev accuracy at each seed (initial head, dropout and batch order all follow it), written
    into the backend's entry of ``out`` as ``dev_accuracy_by_seed``."""
    runs = {"keras_hub_default": [], "kzoo": []}
    load_before = os.getloadavg()
    for seed in seeds:
        runs["keras_hub_default"].append(keras_hub_default(location, x, y, x_dev, y_dev, epochs, seed)["dev_accuracy"])
        runs["kzoo"].append(kzoo_path(x, y, x_dev, y_dev, epochs, mixed_precision=True, seed=seed)["dev_accuracy"])
        print(seed, {name: accuracies[-1] for name, accuracies in runs.items()}, flush=True)
    record = json.loads(out.read_text())
    record["backends"][keras.backend.backend()]["dev_accuracy_by_seed"] = {
        "seeds": list(seeds), "epochs": epochs, **runs,
        "mean": {name: round(float(np.mean(accuracies)), 4) for name, accuracies in runs.items()},
        "load_average_1min_before_after": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
        "date": _record.environment()["date"]}
    _record.write(record, out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=int, default=512, help="SST-2 training sentences (random, seed 0)")
    parser.add_argument("--epochs", type=int, default=2, help=">= 2: the first epoch counts as compile")
    parser.add_argument("--accuracy-seeds", type=int, nargs="+", metavar="SEED",
                        help="instead of the timed run: train the default recipe and kzoo (mixed bfloat16) once "
                             "per seed and add their dev accuracies to this backend's record, timings untouched")
    parser.add_argument("--out", default="bench/results/text_finetune.json")
    args = parser.parse_args()
    x, y = sst2_sample(args.train)
    x_dev, y_dev = kzoo.datasets.load("sst2", "test", as_numpy=True)
    location = str(kzoo.hub.fetch(kzoo.info("minilm_l6"), progress=False))
    if args.accuracy_seeds:
        return accuracy_over_seeds(location, x, y, x_dev, y_dev, args.epochs, args.accuracy_seeds, Path(args.out))
    load_before = os.getloadavg()
    start = time.perf_counter()
    default = keras_hub_default(location, x, y, x_dev, y_dev, args.epochs)
    print("keras-hub default", json.dumps(default), flush=True)
    ours_float32 = kzoo_path(x, y, x_dev, y_dev, args.epochs, mixed_precision=False)
    print("kzoo float32", json.dumps(ours_float32), flush=True)
    ours = kzoo_path(x, y, x_dev, y_dev, args.epochs, mixed_precision=True)
    print("kzoo mixed bfloat16", json.dumps(ours), flush=True)
    table_frozen = kzoo_path(x, y, x_dev, y_dev, args.epochs, mixed_precision=True,
                             unfreeze_top=TOKEN_TABLE_FROZEN)
    print("kzoo mixed bfloat16, token table frozen", json.dumps(table_frozen), flush=True)
    import keras_hub

    padded = padded_tokens_per_sentence(x)
    result = {
        "throughput_ratio": round(ours["train_sentences_per_s"] / default["train_sentences_per_s"], 2),
        "cpu_throughput_ratio": round(ours["train_sentences_per_cpu_s"] / default["train_sentences_per_cpu_s"], 2),
        "predict_throughput_ratio": round(ours["predict_sentences_per_s"] / default["predict_sentences_per_s"], 2),
        "throughput_ratio_float32": round(ours_float32["train_sentences_per_s"] / default["train_sentences_per_s"], 2),
        "predict_throughput_ratio_float32": round(
            ours_float32["predict_sentences_per_s"] / default["predict_sentences_per_s"], 2),
        "throughput_ratio_token_table_frozen": round(
            table_frozen["train_sentences_per_s"] / default["train_sentences_per_s"], 2),
        "tokens_per_sentence": {"keras_hub_default": DEFAULT_SEQUENCE_LENGTH, "kzoo": round(padded, 1)},
        "padding_ratio": round(DEFAULT_SEQUENCE_LENGTH / padded, 2),
        "keras_hub_default": default,
        "kzoo": ours,
        "kzoo_float32": ours_float32,
        "kzoo_token_table_frozen": table_frozen,
        "train_sentences": args.train,
        "epochs": args.epochs,
        "wall_s": round(time.perf_counter() - start, 1),
        "load_average_1min_before_after": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
        **_record.environment(),
        "versions": {"keras": keras.__version__, "keras_hub": keras_hub.__version__,
                     keras.backend.backend(): __import__(keras.backend.backend()).__version__},
    }
    print(f"throughput_ratio {result['throughput_ratio']}", flush=True)
    out = Path(args.out)
    record = json.loads(out.read_text()) if out.exists() else {}
    record.setdefault("benchmark", "all-MiniLM-L6-v2 fine-tuned on SST-2 sentences, every layer, batch 32, "
                                   f"lr {LR}; accuracy on the 872 GLUE dev sentences")
    record.setdefault("backends", {})[keras.backend.backend()] = result
    recipe = out.parent / "sst2_recipe.json"  # written by bench/sst2_recipe.py, the full-data run
    if recipe.exists():
        record["sst2_dev_accuracy"] = json.loads(recipe.read_text())["sst2_dev_accuracy"]
        record["sst2_dev_accuracy_from"] = "bench/results/sst2_recipe.json"
    _record.write(record, out)


if __name__ == "__main__":
    main()
