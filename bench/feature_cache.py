"""Option 1 on ants vs bees: cached features vs the Keras-guide recipe (frozen backbone run every epoch).

Both train the same new head on the same frozen EfficientNet-Lite0 body from the same start. The guide's
recipe (keras.io "Transfer learning & fine-tuning") calls the frozen base model inside every training
step; kzoo.fine_tune(cache_features=True) runs it once. Reports seconds per epoch of each, the ratio,
the one-off extraction cost, and the validation accuracy of both.

    KZOO_ASSETS=../shared/assets python bench/feature_cache.py --epochs 5 --out bench/results/feature_cache.json
"""
import argparse
import datetime
import json
import os
import platform
import time

import keras
import numpy as np

import kzoo


class EpochTimer(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.times = []

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.times.append(time.perf_counter() - self.start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--out", default="bench/results/feature_cache.json")
    args = parser.parse_args()
    train = kzoo.datasets.load("ants_bees", "train", as_numpy=True)
    val = kzoo.datasets.load("ants_bees", "val", as_numpy=True)
    names = ["ants", "bees"]
    results = {}
    for label, cached in (("keras-guide (backbone every epoch)", False), ("kzoo cached features", True)):
        keras.utils.set_random_seed(0)
        model = kzoo.load("efficientnet_lite0", class_names=names)
        timer = EpochTimer()
        start = time.perf_counter()
        history = kzoo.fine_tune(model, train, val, head_epochs=args.epochs, lr=1e-3, cache_features=cached,
                                 callbacks=[timer])
        total = time.perf_counter() - start
        results[label] = {
            "seconds_per_epoch_median": float(np.median(timer.times[1:] or timer.times)),
            "epoch_seconds": [round(t, 3) for t in timer.times],
            "total_seconds": round(total, 2),
            "val_accuracy": float(history.history["val_accuracy"][-1]),
        }
        print(label, json.dumps(results[label]))
    guide, ours = results["keras-guide (backbone every epoch)"], results["kzoo cached features"]
    ours["one_off_extraction_seconds"] = round(ours["total_seconds"] - sum(ours["epoch_seconds"]), 2)
    record = {
        "benchmark": "option-1 ants vs bees, EfficientNet-Lite0, 245 train / 153 val images at 224x224",
        "per_epoch_speedup": round(guide["seconds_per_epoch_median"] / ours["seconds_per_epoch_median"], 1),
        "results": results,
        "epochs": args.epochs,
        "machine": f"{platform.machine()} CPU, {os.cpu_count()} cores (shared CI-class machine)",
        "backend": keras.backend.backend(),
        "keras": keras.__version__,
        "date": datetime.date.today().isoformat(),
    }
    print(f"per-epoch speed-up: {record['per_epoch_speedup']}x")
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(record, f, indent=2)


if __name__ == "__main__":
    main()
