"""Benchmark: adding classes to a pre-trained classifier without forgetting (kzoo issue 4).

Two class-incremental scenarios, both starting from kzoo's pre-trained ``glyphnet`` (a small CNN
pre-trained on 52 generated letters, ``data/glyphnet/glyphnet.keras``), each run with several seeds:

1. **split digits**: scikit-learn's handwritten digits in 5 steps of 2 classes ({0,1}, {2,3}, ...,
   {8,9}), the 8x8 counterpart of the usual Split-MNIST class-incremental benchmark. Step 1 trains
   the pre-trained glyphnet with a new 2-way head; every later step grows the head by 2 classes
   (``kzoo.incremental.learn_new_classes``) and sees only the new classes' training data (plus the
   memory, for replay). Evaluation is on the test examples of all classes met so far.
2. **10 -> 12** (the user's question): a glyphnet fine-tuned on the 10 digits gets 2 new classes,
   the calculator symbols "+" and "x" (the multiplication sign). No handwritten symbols exist in the
   offline data, so they are kzoo's generated glyphs in the digits' format (``make_glyphs``); they
   were not among glyphnet's pre-training classes (letters only; "x" looks like the letter x).

Strategies: naive fine-tuning, LwF, replay (20 exemplars per class, random or herding), LwF + replay,
the same with a frozen body (only the head trains, on cached features), and joint training on all
classes at once (the upper bound). Metrics (``kzoo.incremental``): final average accuracy (GEM's ACC),
forgetting (Chaudhry et al. 2018), backward transfer, and old/new-class accuracy.

    KERAS_BACKEND=tensorflow python bench/incremental.py            # writes bench/results/incremental.{md,json}
    python bench/incremental.py --seeds 1 --epochs 2 --out /tmp/x   # a quick smoke run
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import keras
import numpy as np

import kzoo  # noqa: F401 - registers kzoo's layers for load_model
from kzoo import _config
from kzoo.datasets.glyphs import make_glyphs
from kzoo.heads import swap_head
from kzoo.incremental import (ExemplarMemory, accuracy_matrix, average_accuracy, backward_transfer,
                              forgetting, learn_new_classes, train_step)

DATE = "2026-11-22"
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
    Config("frozen body, lwf", "lwf", freeze_body=True),
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
    parser.add_argument("--model", type=Path, default=_config.data_dir() / "glyphnet" / "glyphnet.keras",
                        help="the pre-trained glyphnet")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results")
    args = parser.parse_args(argv)
    if args.seeds < 1 or args.epochs < 1 or args.memory < 1:
        parser.error("--seeds, --epochs and --memory must be >= 1")
    if not args.model.exists():
        parser.error(f"{args.model} does not exist: pre-train it with scripts/pretrain_glyphnet.py")
    return args


def digits():
    """Train/test split of scikit-learn's digits: 8x8x1 grey levels 0..16 (glyphnet's input), 80/20, stratified."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    bunch = load_digits()
    x, y = bunch.images.astype("float32")[..., None], bunch.target.astype("int64")
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.2, random_state=0, stratify=y)
    return (x_tr, y_tr), (x_te, y_te)


def scenarios():
    """The two scenarios: name -> (steps of (train x, train y, class names), test (x, y), step classes)."""
    (x_tr, y_tr), (x_te, y_te) = digits()
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


def _predict(model, x):
    return np.argmax(model.predict(x, batch_size=512, verbose=0), axis=-1)


def run(config: Config, steps, test, step_classes, seed: int, args) -> dict:
    """One sequence of steps (or joint training) from the pre-trained glyphnet; returns its metrics."""
    keras.utils.set_random_seed(seed)
    train_kw = dict(epochs=args.epochs, lr=args.lr, batch_size=args.batch_size, seed=seed,
                    freeze_body=config.freeze_body)
    pretrained = keras.saving.load_model(args.model)
    start = time.perf_counter()
    if config.joint:
        names = [n for _, _, step_names in steps for n in step_names]
        model = swap_head(pretrained, class_names=names)
        x = np.concatenate([s[0] for s in steps])
        y = np.concatenate([s[1] for s in steps])
        train_step(model, (x, y), **train_kw)
        pred = _predict(model, test[0])
        predictions = [pred] * len(steps)  # one model that knows every class "after every step"
    else:
        x, y, names = steps[0]
        model = swap_head(pretrained, class_names=names)
        train_step(model, (x, y), **train_kw)
        predictions = [_predict(model, test[0])]
        memory = None
        if config.selection:
            memory = ExemplarMemory(args.memory, selection=config.selection, seed=seed).update(model, x, y)
        for x, y, names in steps[1:]:
            model, _ = learn_new_classes(model, (x, y), names, strategy=config.strategy, memory=memory,
                                         **train_kw)
            predictions.append(_predict(model, test[0]))
    seconds = time.perf_counter() - start
    R = accuracy_matrix(predictions, test[1], step_classes)
    old = np.isin(test[1], np.concatenate(step_classes[:-1]))
    final = predictions[-1]
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


def _pm(stat, percent=True) -> str:
    if stat is None:
        return "-"
    scale = 100 if percent else 1
    return f"{stat['mean'] * scale:.1f} ± {stat['std'] * scale:.1f}"


def table(results: dict) -> str:
    """Markdown tables, one per scenario."""
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
        lines.append("")
    return "\n".join(lines)


def _write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def main(argv=None) -> int:
    """Run every scenario x strategy x seed, print the tables, write ``incremental.{md,json}``."""
    args = parse_args(argv)
    start = time.perf_counter()
    results = {}
    for scenario, (steps, test, step_classes) in scenarios().items():
        results[scenario] = {}
        for config in CONFIGS:
            runs = [run(config, steps, test, step_classes, seed, args) for seed in range(args.seeds)]
            results[scenario][config.name] = {"config": dataclasses.asdict(config), "runs": runs,
                                              "summary": _summary(runs)}
            print(f"{scenario:38s} {config.name:22s} ACC {_pm(results[scenario][config.name]['summary']['average_accuracy'])}",
                  flush=True)
    total = time.perf_counter() - start
    meta = {
        "date": DATE,
        "machine": f"{os.cpu_count()}-core CPU ({platform.machine()}, {platform.processor() or 'unknown'}), "
                   "shared with other jobs; no GPU",
        "backend": keras.backend.backend(),
        "keras_version": keras.__version__,
        "python": platform.python_version(),
        "model": str(args.model.relative_to(_config.data_dir().parent) if args.model.is_relative_to(
            _config.data_dir().parent) else args.model),
        "seeds": args.seeds, "epochs_per_step": args.epochs, "lr": args.lr, "batch_size": args.batch_size,
        "memory_per_class": args.memory, "total_seconds": round(total, 1), "anchor": ANCHOR,
    }
    text = table(results)
    print(text)
    print(f"total {total:.0f} s")
    args.out.mkdir(parents=True, exist_ok=True)
    _write(args.out / "incremental.json", json.dumps({"meta": meta, "results": results}, indent=1) + "\n")
    header = "\n".join([
        "# Class-incremental learning with kzoo (issue 4)", "",
        f"Generated by `bench/incremental.py` on {meta['date']}: {meta['machine']}; backend "
        f"{meta['backend']}, Keras {meta['keras_version']}, Python {meta['python']}. Model: the pre-trained "
        f"glyphnet (`{meta['model']}`). {args.seeds} seeds (mean ± std), {args.epochs} epochs per step, Adam "
        f"lr {args.lr}, batch {args.batch_size}, replay memory {args.memory} exemplars per class. "
        f"Total {total / 60:.1f} min.", "",
        "ACC: mean over steps of the accuracy on each step's classes after the last step (Lopez-Paz & "
        "Ranzato 2017). Forgetting: Chaudhry et al. 2018. BWT: backward transfer (negative = forgotten). "
        "Old/new/all: accuracy on the test examples of the earlier steps' classes / the last step's "
        "classes / all classes, after the last step.", "",
        f"Published anchor: {ANCHOR}.", ""])
    _write(args.out / "incremental.md", header + "\n" + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
