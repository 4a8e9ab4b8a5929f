"""Benchmark: adding classes to a pre-trained classifier without forgetting (kzoo issue 4).

Two class-incremental scenarios, both starting from kzoo's pre-trained ``glyphnet`` (a small CNN
pre-trained on 52 generated letters, ``kzoo.load("glyphnet", class_names=...)``), several seeds each:

1. **split digits**: scikit-learn's handwritten digits (kzoo's fixed 80/20 split) in 5 steps of 2 classes ({0,1}, {2,3}, ...,
   {8,9}), the 8x8 counterpart of the usual Split-MNIST class-incremental benchmark. Step 1 trains
   the pre-trained glyphnet with a new 2-way head; every later step grows the head by 2 classes
   (``kzoo.incremental.learn_new_classes``) and sees only the new classes' training data (plus the
   memory, for replay). Evaluation is on the test examples of all classes met so far.
2. **10 -> 12** (the user's question): a glyphnet fine-tuned on the 10 digits gets 2 new classes,
   the calculator symbols "+" and "x" (the multiplication sign). No handwritten symbols exist in the
   offline data, so they are kzoo's generated glyphs in the digits' format (``make_glyphs``); they
   were not among glyphnet's pre-training classes (letters only; "x" looks like the letter x).

Strategies: naive fine-tuning, LwF, replay (20 exemplars per class, random or herding), LwF + replay,
naive and replay with a frozen body (only the head trains, on cached features), and joint training
on all classes at once (the upper bound). Metrics (``kzoo.incremental``): final average accuracy (GEM's ACC),
forgetting (Chaudhry et al. 2018), backward transfer, and old/new-class accuracy.

    KERAS_BACKEND=tensorflow python bench/incremental.py            # writes bench/results/incremental.{md,json}
    python bench/incremental.py --seeds 1 --epochs 2 --out /tmp/x   # a quick smoke run

Each step's training set is small (about 290 digits), so a run's time is mostly Keras setting up
``fit``/``predict`` for each new model, not the epochs.
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import os
import platform
import sys
import time
from pathlib import Path

import keras
import numpy as np

import kzoo
from kzoo import config as kzoo_config
from kzoo._files import write_text_atomically
from kzoo.datasets.glyphs import make_glyphs
from kzoo.incremental import (ExemplarMemory, accuracy_matrix, average_accuracy, backward_transfer,
                              forgetting, learn_in_steps, train_step)

SYMBOLS = "+×"
SYMBOL_SEED, SYMBOL_TEST_SEED = 11, 12
ANCHOR = ("van de Ven & Tolias 2019, Split-MNIST class-incremental (MLP from scratch): naive ~20%, "
          "LwF ~24%, replay ~90%, iCaRL ~95%")


@dataclasses.dataclass(frozen=True)
class Config:
    """One row of the table."""

    name: str
    strategy: str = "naive"
    freeze_body: bool = False
    selection: str | None = None  # exemplar selection for the replay strategies
    joint: bool = False


CONFIGS = (
    Config("naive"),
    Config("lwf", "lwf"),
    Config("replay", "replay", selection="random"),
    Config("replay (herding)", "replay", selection="herding"),
    Config("lwf+replay", "lwf+replay", selection="random"),
    Config("frozen body, naive", freeze_body=True),
    Config("frozen body, replay", "replay", freeze_body=True, selection="random"),
    Config("joint (upper bound)", joint=True),
)


def parse_args(argv=None) -> argparse.Namespace:
    """Command-line flags (see ``--help``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=10, help="epochs per step (and for joint training)")
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--memory", type=int, default=20, help="exemplars kept per class (replay)")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results")
    args = parser.parse_args(argv)
    if args.seeds < 1 or args.epochs < 1 or args.memory < 1:
        parser.error("--seeds, --epochs and --memory must be >= 1")
    return args


def scenarios():
    """The two scenarios: name -> (steps of (train x, train y, class names), test (x, y), step classes)."""
    x_tr, y_tr = kzoo.datasets.load("digits", "train", as_numpy=True)
    x_te, y_te = kzoo.datasets.load("digits", "test", as_numpy=True)
    split = []
    for first in range(0, 10, 2):
        mask = np.isin(y_tr, [first, first + 1])
        split.append((x_tr[mask], y_tr[mask], [str(first), str(first + 1)]))
    per_class = int(np.bincount(y_tr).mean())  # as many symbols as there are digits of a class
    xs, ys, _ = make_glyphs(per_class, seed=SYMBOL_SEED, classes=SYMBOLS)
    xs_te, ys_te, _ = make_glyphs(int(np.bincount(y_te).mean()), seed=SYMBOL_TEST_SEED, classes=SYMBOLS)
    calculator = [(x_tr, y_tr, [str(d) for d in range(10)]), (xs, ys + 10, list(SYMBOLS))]
    calc_test = (np.concatenate([x_te, xs_te]), np.concatenate([y_te, ys_te + 10]))
    return {
        "split digits (5 steps of 2 classes)": (split, (x_te, y_te), [[d, d + 1] for d in range(0, 10, 2)]),
        "10 -> 12 (digits, then + and x)": (calculator, calc_test, [list(range(10)), [10, 11]]),
    }


def run(config: Config, steps, test, step_classes, seed: int, args) -> dict:
    """One sequence of steps (or joint training) from the pre-trained glyphnet; returns its metrics."""
    keras.utils.set_random_seed(seed)
    train_kw = dict(epochs=args.epochs, lr=args.lr, batch_size=args.batch_size, seed=seed,
                    freeze_body=config.freeze_body)
    start = time.perf_counter()
    if config.joint:
        names = [n for _, _, step_names in steps for n in step_names]
        model = kzoo.load("glyphnet", class_names=names)
        x = np.concatenate([s[0] for s in steps])
        y = np.concatenate([s[1] for s in steps])
        train_step(model, (x, y), **train_kw)
        predictions = [model.predict(test[0], verbose=0)] * len(steps)  # knows every class "after every step"
    else:
        x, y, names = steps[0]
        model = kzoo.load("glyphnet", class_names=names)
        train_step(model, (x, y), **train_kw)
        memory = None
        if config.selection:
            memory = ExemplarMemory(args.memory, selection=config.selection, seed=seed).update(model, x, y)
        model, predictions = learn_in_steps(model, steps[1:], test[0], strategy=config.strategy, memory=memory,
                                            **train_kw)
    seconds = time.perf_counter() - start
    R = accuracy_matrix(predictions, test[1], step_classes)
    old = np.isin(test[1], np.concatenate(step_classes[:-1]))
    final = np.argmax(predictions[-1], axis=-1)
    return {
        "average_accuracy": average_accuracy(R),
        "forgetting": None if config.joint else forgetting(R),
        "backward_transfer": None if config.joint else backward_transfer(R),
        "old_class_accuracy": float(np.mean(final[old] == test[1][old])),
        "new_class_accuracy": float(np.mean(final[~old] == test[1][~old])),
        "all_class_accuracy": float(np.mean(final == test[1])),
        "R": R.round(4).tolist(),
        "seconds": round(seconds, 1),
    }


def _summary(runs: list[dict]) -> dict:
    out = {}
    for key in ("average_accuracy", "forgetting", "backward_transfer", "old_class_accuracy",
                "new_class_accuracy", "all_class_accuracy", "seconds"):
        values = [r[key] for r in runs]
        out[key] = None if values[0] is None else {"mean": round(float(np.mean(values)), 4),
                                                   "std": round(float(np.std(values)), 4)}
    out["R_mean"] = np.mean([r["R"] for r in runs], axis=0).round(3).tolist()
    return out


def _pm(stat) -> str:
    return "-" if stat is None else f"{stat['mean'] * 100:.1f} ± {stat['std'] * 100:.1f}"


def table(results: dict) -> str:
    """Markdown tables, one per scenario, each with the best strategy's gap to joint training."""
    lines = []
    for scenario, rows in results.items():
        lines += [f"### {scenario}", "",
                  "| strategy | final avg accuracy (ACC) % | forgetting % | BWT % | old classes % | "
                  "new classes % | all classes % | s / run |",
                  "|---|---|---|---|---|---|---|---|"]
        for name, row in rows.items():
            s = row["summary"]
            lines.append(f"| {name} | {_pm(s['average_accuracy'])} | {_pm(s['forgetting'])} | "
                         f"{_pm(s['backward_transfer'])} | {_pm(s['old_class_accuracy'])} | "
                         f"{_pm(s['new_class_accuracy'])} | {_pm(s['all_class_accuracy'])} | "
                         f"{s['seconds']['mean']:.0f} |")
        acc = {name: row["summary"]["average_accuracy"]["mean"] for name, row in rows.items()}
        joint = next(name for name, row in rows.items() if row["config"]["joint"])
        best = max((name for name in acc if name != joint), key=acc.get)
        lines += ["", f"Best incremental strategy: **{best}**, ACC {100 * acc[best]:.1f}% vs "
                      f"{100 * acc[joint]:.1f}% for joint training, the upper bound "
                      f"({100 * (acc[best] - acc[joint]):+.1f} points).", ""]
    return "\n".join(lines)


NOTES = """\
## Scenarios

- **split digits**: sklearn's 8x8 handwritten digits (kzoo's fixed stratified 80/20 split: 1,437
  train, 360 test), 5 steps of 2 classes. Step 1 fine-tunes the pre-trained glyphnet with a 2-way
  head; each later step grows the head by 2 (`learn_new_classes`) and trains on those 2 classes'
  data only (plus the exemplar memory, for replay). The analogue of Split-MNIST, with a pre-trained
  start instead of an MLP trained from scratch.
- **10 -> 12**: glyphnet fine-tuned on the 10 digits, then 2 new classes arrive: "+" and "×"
  (the multiplication sign). There are no handwritten symbols in the offline data, so they are
  kzoo's generated glyphs in the digits' format (`kzoo.datasets.glyphs.make_glyphs`, as many per
  class as digits per class, separate seeds for train and test). glyphnet was pre-trained on
  letters only (none of these symbols; "×" resembles the letter x). The new classes differ in
  source (rendered fonts vs handwriting), which makes them easier to tell apart from the digits
  than truly new handwritten classes would be.

## Reading the table

- Joint training sees all classes at once: the upper bound, not an incremental method.
- Replay draws a class-balanced share of every batch from the memory (20 exemplars per class).
- LwF is exemplar-free: its cross-entropy covers only the new classes (Li & Hoiem's L_new), so it
  keeps the old classes but nothing sets the new classes against the old ones on the same scale.
- A frozen body alone does not stop forgetting in class-incremental learning: the head still learns
  to prefer the new classes.
"""


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def main(argv=None) -> int:
    """Run every scenario x strategy x seed, print the tables, write ``incremental.{md,json}``."""
    args = parse_args(argv)
    start = time.perf_counter()
    results = {}
    for scenario, (steps, test, step_classes) in scenarios().items():
        results[scenario] = {}
        for config in CONFIGS:
            runs = [run(config, steps, test, step_classes, seed, args) for seed in range(args.seeds)]
            summary = _summary(runs)
            results[scenario][config.name] = {"config": dataclasses.asdict(config), "runs": runs, "summary": summary}
            print(f"{scenario:38s} {config.name:22s} ACC {_pm(summary['average_accuracy'])}", flush=True)
    total = time.perf_counter() - start
    meta = {
        "date": datetime.date.today().isoformat(),
        "machine": f"{os.cpu_count()}-core CPU ({_cpu()}), shared with other jobs; no GPU",
        "backend": keras.backend.backend(),
        "keras_version": keras.__version__,
        "python": platform.python_version(),
        "model": "glyphnet, sha256 " + json.loads(
            (kzoo_config.data_dir() / "glyphnet" / "metadata.json").read_text())["sha256"],
        "seeds": args.seeds, "epochs_per_step": args.epochs, "lr": args.lr, "batch_size": args.batch_size,
        "memory_per_class": args.memory, "total_seconds": round(total, 1), "anchor": ANCHOR,
    }
    text = table(results)
    print(text)
    print(f"total {total:.0f} s")
    args.out.mkdir(parents=True, exist_ok=True)
    write_text_atomically(args.out / "incremental.json", json.dumps({"meta": meta, "results": results}, indent=1) + "\n")
    header = "\n".join([
        "# Class-incremental learning with kzoo (issue 4)", "",
        f"Generated by `bench/incremental.py` on {meta['date']}: {meta['machine']}; backend "
        f"{meta['backend']}, Keras {meta['keras_version']}, Python {meta['python']}. Model: the pre-trained "
        f"{meta['model']}. {args.seeds} seeds (mean ± std), {args.epochs} epochs per step, Adam "
        f"lr {args.lr}, batch {args.batch_size}, replay memory {args.memory} exemplars per class. "
        f"Total {total / 60:.1f} min.", "",
        "ACC: mean over steps of the accuracy on each step's classes after the last step (Lopez-Paz & "
        "Ranzato 2017). Forgetting: Chaudhry et al. 2018. BWT: backward transfer (negative = forgotten). "
        "Old/new/all: accuracy on the test examples of the earlier steps' classes / the last step's "
        "classes / all classes, after the last step. s / run: seconds per run (all its steps).", "",
        f"Published anchor: {ANCHOR}.", ""])
    write_text_atomically(args.out / "incremental.md", header + "\n" + text + "\n" + NOTES)
    return 0


if __name__ == "__main__":
    sys.exit(main())
