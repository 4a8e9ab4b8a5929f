"""Benchmark: SST-2 sentiment with few labels, with and without a pre-trained encoder (kzoo issue 12, item 4).

For 8 / 32 / 128 / 512 labelled sentences per class and 3 seeds, four methods train on the same
sentences (``kzoo.datasets.few_shot(train, k, seed)``: nested, the 8 are inside the 32) and are scored
on GLUE's 872 labelled dev sentences (kzoo's ``test`` split):

* ``bag of words``: ``kzoo.bag_of_words``: TF-IDF unigrams + bigrams, logistic regression; no
  pre-training at all;
* ``frozen probe`` (option 1): ``minilm_l6``'s mean-pooled embeddings, frozen, and
  ``kzoo.fit_head`` (logistic regression) on them;
* ``fine-tune`` (option 2): ``kzoo.fine_tune`` two phases: the head on cached features, then every
  layer at ``--finetune-lr``;
* ``SetFit``: ``kzoo.contrastive_fine_tune``: the encoder trained on same-class / other-class
  sentence pairs (cosine-similarity loss, Tunstall et al. 2022), then ``kzoo.fit_head``.

Cost shapes the protocol: on 2 CPU cores shared with other jobs (load average 8-13) one MiniLM training
run takes minutes, and every trained encoder must embed the 872 dev sentences again. So the
encoder-training methods get a fixed budget that does not grow with the labels: fine-tuning runs
``--finetune-passes`` sentence passes (at least one epoch), SetFit ``--pairs`` pairs (SetFit's own
default, 20 pairs per sentence and per kind, would be 640 pairs at 8 per class and 41,000 at 512).
Sentences are tokenised to at most 64 tokens (the longest dev sentence has 55 with [CLS] and [SEP]),
in length buckets. The recorded run (38 min): ``--tuned-shots 8 32 --finetune-passes 96 --head-steps 50
--pairs 64``.

    KZOO_ASSETS=../shared/assets python bench/text_few_labels.py
    KZOO_ASSETS=../shared/assets python bench/text_few_labels.py --quick --out /tmp/tfl   # smoke run
"""
from __future__ import annotations

import argparse
import math
import os
import time
from pathlib import Path

import keras
import numpy as np

import _record
import kzoo

METHODS = ("bag of words", "frozen probe", "fine-tune", "SetFit")
CLASSES = ["negative", "positive"]
MODEL, SEQUENCE_LENGTH = "minilm_l6", 64


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shots", type=int, nargs="+", default=[8, 32, 128, 512])
    parser.add_argument("--tuned-shots", type=int, nargs="+", default=None,
                        help="labels per class at which fine-tune and SetFit run (default: all of --shots)")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS)
    parser.add_argument("--finetune-passes", type=int, default=256,
                        help="option 2's phase 2: sentences seen (epochs = ceil(this / labels), >= 1)")
    parser.add_argument("--finetune-lr", type=float, default=5e-5)
    parser.add_argument("--head-steps", type=int, default=100, help="option 2's phase 1 on cached features")
    parser.add_argument("--pairs", type=int, default=160, help="SetFit: sentence pairs trained on")
    parser.add_argument("--setfit-lr", type=float, default=5e-5)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--test", type=int, default=None, help="score on the first N dev sentences only")
    parser.add_argument("--quick", action="store_true", help="smoke run: 8 and 32 per class, 1 seed, 64 dev")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args(argv)
    if args.quick:
        args.shots, args.seeds, args.test = [8, 32], 1, 64
    args.tuned_shots = args.shots if args.tuned_shots is None else args.tuned_shots
    return args


def accuracy(model, dev_x, dev_y) -> float:
    features = kzoo.extract_features(model, dev_x)
    scores = kzoo.split_model(model)[1].predict(features, verbose=0)
    return float(np.mean(np.argmax(scores, axis=1) == dev_y))


class Pretrained:
    """One MiniLM classifier, put back to its pre-trained weights (and a seeded new head) for each run.

    Loading the model again for every run costs more than most runs' training on a loaded 2-core machine.
    """

    def __init__(self):
        self.model = kzoo.load(MODEL, class_names=CLASSES, sequence_length=SEQUENCE_LENGTH)
        self.encoder = [np.array(w) for w in self.model.backbone.get_weights()]

    def __call__(self, seed: int):
        keras.utils.set_random_seed(seed)
        self.model.backbone.set_weights(self.encoder)
        head = kzoo.find_head(self.model)
        head.set_weights([np.asarray(keras.ops.convert_to_numpy(head.kernel_initializer(head.kernel.shape))),
                          np.zeros(head.units, "float32")])
        return self.model


def run_fine_tune(x, y, dev, seed, args, fresh) -> float:
    model = fresh(seed)
    batches = math.ceil(len(y) / args.batch_size)
    kzoo.fine_tune(model, (x, y), head_epochs=max(5, math.ceil(args.head_steps / batches)), lr=1e-2,
                   epochs=max(1, math.ceil(args.finetune_passes / len(y))), finetune_lr=args.finetune_lr,
                   batch_size=args.batch_size)
    return accuracy(model, *dev)


def run_setfit(x, y, dev, seed, args, fresh) -> float:
    model = fresh(seed)
    kzoo.contrastive_fine_tune(model, x, y, pairs_per_sentence=20, max_pairs=args.pairs,
                               learning_rate=args.setfit_lr, batch_size=args.batch_size, seed=seed)
    return accuracy(model, *dev)


def main(argv=None) -> dict:
    args = parse_args(argv)
    started, load_before = time.time(), os.getloadavg()[0]
    train = kzoo.datasets.load("sst2", split="train", as_numpy=True)
    dev_x, dev_y = kzoo.datasets.load("sst2", split="test", as_numpy=True)
    dev_x, dev_y = dev_x[:args.test], dev_y[:args.test]
    results = {m: {str(k): [] for k in args.shots} for m in args.methods}
    seconds = dict.fromkeys(args.methods, 0.0)
    fresh = Pretrained()
    dev_features = kzoo.extract_features(fresh.model, dev_x) if "frozen probe" in args.methods else None
    for seed in range(args.seeds):
        for k in args.shots:
            x, y = kzoo.datasets.few_shot(train, per_class=k, seed=seed)
            for method in args.methods:
                if method in ("fine-tune", "SetFit") and k not in args.tuned_shots:
                    continue
                t = time.time()
                if method == "bag of words":
                    score = kzoo.bag_of_words((x, y), (dev_x, dev_y)).accuracy
                elif method == "frozen probe":
                    probe = kzoo.fit_head(fresh(seed), (x, y))
                    scores = kzoo.split_model(probe)[1].predict(dev_features, verbose=0)
                    score = float(np.mean(np.argmax(scores, axis=1) == dev_y))
                elif method == "fine-tune":
                    score = run_fine_tune(x, y, (dev_x, dev_y), seed, args, fresh)
                else:
                    score = run_setfit(x, y, (dev_x, dev_y), seed, args, fresh)
                seconds[method] += time.time() - t
                results[method][str(k)].append(score)
            print(f"{k:4d} per class, seed {seed}: " + ", ".join(
                f"{m} {results[m][str(k)][-1]:.1%}" for m in args.methods if results[m][str(k)])
                + f"  ({(time.time() - started) / 60:.1f} min)", flush=True)
    record = {
        "benchmark": "SST-2 few labels: bag of words vs frozen probe vs fine-tune vs SetFit (kzoo issue 12)",
        "results": results,
        "model": MODEL, "sequence_length": SEQUENCE_LENGTH, "shots": args.shots, "seeds": args.seeds,
        "tuned_shots": args.tuned_shots,
        "test_sentences": len(dev_y),
        "protocol": {
            "bag of words": "kzoo.bag_of_words: TF-IDF 1-2 grams (sublinear tf), logistic regression C=10",
            "frozen probe": "kzoo.fit_head: logistic regression C=1 on the frozen mean-pooled embeddings",
            "fine-tune": {"head": {"lr": 1e-2, "steps": args.head_steps, "cached_features": True},
                          "phase2": {"lr": args.finetune_lr, "sentence_passes": args.finetune_passes,
                                     "min_epochs": 1}, "optimizer": "adam", "batch_size": args.batch_size},
            "SetFit": {"pairs": args.pairs, "pairs_per_sentence": 20, "lr": args.setfit_lr, "epochs": 1,
                       "loss": "mean squared error of cosine similarity vs 1/0", "optimizer": "adam",
                       "batch_size": args.batch_size, "head": "kzoo.fit_head, C=1"},
        },
        "seconds": {"total": round(time.time() - started, 1), **{m: round(s, 1) for m, s in seconds.items()}},
        "load_average_before_after": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        **_record.environment(),
        "quick": args.quick,
    }
    _record.write(record, args.out / "text_few_labels.json", markdown(record))
    plot(record, args.out / "text_few_labels.png")
    return record


def _cell(values: list[float]) -> str:
    return _record.mean_std(values) if values else "not run"


def markdown(record: dict) -> str:
    """The results as a Markdown table (the reading around it is written by hand)."""
    methods = list(record["results"])
    lines = [f"Written by `bench/text_few_labels.py` on {record['date']}: {record['machine']}, backend "
             f"{record['backend']}, Keras {record['keras']}; {record['seconds']['total'] / 60:.1f} min, load "
             f"average {record['load_average_before_after'][0]} before, {record['load_average_before_after'][1]} "
             f"after. SST-2, accuracy % on {record['test_sentences']} GLUE dev sentences, mean ± std over "
             f"{record['seeds']} seed(s); the same sentences for every method.", "",
             "| labelled / class | " + " | ".join(methods) + " |", "|---" * (len(methods) + 1) + "|"]
    for k in record["shots"]:
        lines.append(f"| {k} | " + " | ".join(_cell(record["results"][m][str(k)]) for m in methods) + " |")
    return "\n".join(lines) + "\n"


def plot(record: dict, path: Path) -> None:
    """Accuracy against labelled sentences per class, one line per method, std as error bars."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.5, 4))
    for method, cells in record["results"].items():
        shots = [k for k in record["shots"] if cells[str(k)]]
        values = [cells[str(k)] for k in shots]
        ax.errorbar(shots, [100 * np.mean(v) for v in values], yerr=[100 * np.std(v) for v in values],
                    marker="o", capsize=3, label=method)
    ax.set(xscale="log", xticks=record["shots"], xticklabels=[str(k) for k in record["shots"]],
           xlabel="labelled sentences per class", ylabel="accuracy on SST-2 dev (%)", ylim=(45, 95),
           title=f"SST-2 with few labels ({record['seeds']} seeds, {record['test_sentences']} dev sentences)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


if __name__ == "__main__":
    main()
