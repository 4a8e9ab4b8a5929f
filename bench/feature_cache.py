"""Option 1 on ants vs bees: cached features vs the Keras-guide recipe (frozen backbone run every epoch).

Both train the same new head on the same frozen EfficientNet-Lite0 body from the same start, for the same
number of epochs (default 10, the head schedule of notebooks 02 and 03). The guide's recipe (keras.io
"Transfer learning & fine-tuning": the frozen base model inside the model, one ``fit``) runs the body over
the training and validation photos in every epoch; ``kzoo.fine_tune(cache_features=True)`` runs it once
and then trains the head on the stored features, every epoch drawing from one pipeline built once.

The honest comparison is the total: seconds from the start of training to the last epoch's validation
accuracy, the one-off extraction included, at the accuracy each reaches. The per-extra-epoch ratio
(median epoch after the first, which also compiles the step) says what one more epoch costs each way.

    KZOO_ASSETS=../shared/assets python bench/feature_cache.py --epochs 10
"""
import argparse
import json
import time

import keras
import numpy as np

import _record
import kzoo

GUIDE, CACHED = "keras-guide (backbone every epoch)", "kzoo cached features"


def run(cached: bool, train, val, names, epochs: int) -> dict:
    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    model = kzoo.load("efficientnet_lite0", class_names=names)
    timer = _record.EpochTimer()
    start = time.perf_counter()
    history = kzoo.fine_tune(model, train, val, head_epochs=epochs, lr=1e-3, cache_features=cached,
                             callbacks=[timer])
    total = time.perf_counter() - start
    return {"total_seconds": round(total, 2),
            "one_off_seconds": round(total - sum(timer.times), 2),  # extraction (cached) or set-up
            "extra_epoch_seconds": float(np.median(timer.times[1:])),
            "epoch_seconds": [round(t, 3) for t in timer.times],
            "val_accuracy": float(history.history["val_accuracy"][-1])}


def markdown(record: dict) -> str:
    guide, ours = record["results"][GUIDE], record["results"][CACHED]
    rows = "\n".join(f"| {name} | {r['total_seconds']:.1f} | {r['one_off_seconds']:.1f} | "
                     f"{r['epoch_seconds'][0]:.2f} | {r['extra_epoch_seconds']:.3f} | {r['val_accuracy']:.1%} |"
                     for name, r in ((GUIDE, guide), (CACHED, ours)))
    return (f"# Cached features vs the Keras-guide recipe ({record['epochs']} head epochs)\n\n"
            f"{record['benchmark']}. {_record.measured(record)}\n\n"
            "| recipe | total s | one-off s | first epoch s | extra epoch s | validation accuracy |\n"
            f"|---|---|---|---|---|---|\n{rows}\n\n"
            f"Total time {record['total_speedup']}x lower with cached features; one extra epoch "
            f"{record['per_extra_epoch_speedup']}x cheaper; accuracy difference "
            f"{record['accuracy_difference_points']:+.1f} points.\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--out", default="bench/results/feature_cache.json")
    args = parser.parse_args()
    if args.epochs < 2:
        parser.error("--epochs must be at least 2: the first epoch also compiles the step.")
    kzoo.config.quiet()
    train = kzoo.datasets.load("ants_bees", "train", as_numpy=True)
    val = kzoo.datasets.load("ants_bees", "val", as_numpy=True)
    names = list(kzoo.datasets.info("ants_bees").class_names)
    results = {}
    for label, cached in ((GUIDE, False), (CACHED, True)):
        results[label] = run(cached, train, val, names, args.epochs)
        print(label, json.dumps(results[label]), flush=True)
    guide, ours = results[GUIDE], results[CACHED]
    record = {
        "benchmark": "option 1 on ants vs bees, EfficientNet-Lite0, 245 train / 153 validation photos at 224x224",
        "epochs": args.epochs,
        "total_speedup": round(guide["total_seconds"] / ours["total_seconds"], 1),
        "per_extra_epoch_speedup": round(guide["extra_epoch_seconds"] / ours["extra_epoch_seconds"]),
        "accuracy_difference_points": round(100 * (ours["val_accuracy"] - guide["val_accuracy"]), 1),
        "results": results,
        **_record.environment(),
    }
    _record.write(record, args.out, markdown(record))


if __name__ == "__main__":
    main()
