"""``kzoo demo``: does pre-training help? Measured offline, on real handwritten digits, in minutes.

kzoo ships ``glyphnet``, a small CNN it pre-trained on 52 letters rendered from matplotlib's fonts
(task A). The demo swaps its 52-way head for a 10-way one and learns sklearn's real handwritten digits
(task B) from 1, 5 and 20 labelled examples per class, three ways:

* ``scratch``: the same network from random weights, all layers trained;
* ``option 1``: pre-trained body frozen, only the new head trained (on cached features);
* ``option 2``: head first, then every layer at a ten times smaller learning rate.

Accuracy is measured on a fixed held-out half of the digits, over several seeds.
"""
from __future__ import annotations

import datetime
import json
import math
import os
import platform
import time
from pathlib import Path

import numpy as np

SHOTS = (1, 5, 20)
METHODS = ("scratch", "option 1", "option 2")


def _epochs(n_train: int, batch_size: int, steps: int) -> int:
    return max(10, math.ceil(steps / math.ceil(n_train / batch_size)))


def _accuracy(model, x, y) -> float:
    return float(np.mean(np.argmax(model.predict(x, verbose=0, batch_size=256), axis=1) == y))


def _train(method: str, x, y, names, quick: bool):
    import keras

    from kzoo.finetune import fine_tune
    from kzoo.zoo.load import load

    steps = 40 if quick else 150
    epochs = _epochs(len(x), 32, steps)
    if method == "scratch":
        model = load("glyphnet", class_names=names, weights=None)
        fine_tune(model, (x, y), head_epochs=0, epochs=epochs, lr=3e-3, finetune_lr=3e-3, train_batchnorm=True)
    elif method == "option 1":
        model = load("glyphnet", class_names=names)
        fine_tune(model, (x, y), head_epochs=epochs, lr=1e-2)
    else:
        model = load("glyphnet", class_names=names)
        fine_tune(model, (x, y), head_epochs=epochs, epochs=epochs // 2, lr=1e-2, finetune_lr=1e-3)
    keras.backend.clear_session()
    return model


def run_demo(*, seeds: int = 3, out_dir: str | Path = "demo_out", json_path: str | Path | None = None,
             quick: bool = False) -> dict:
    """Run the demo, print a table, save a plot (and the numbers as JSON).

    Args:
        seeds: number of random seeds per (shots, method).
        out_dir: folder for ``demo.png``.
        json_path: where to write the numbers as JSON (None: not written).
        quick: fewer training steps (for smoke tests); same code paths.

    Returns:
        ``{"results": {method: {shots: [accuracy per seed]}}, ...}``.

    Example:
        >>> from kzoo.demo import run_demo
        >>> numbers = run_demo(seeds=1, quick=True)  # doctest: +SKIP
    """
    import keras
    from sklearn.datasets import load_digits

    from kzoo.datasets import few_shot, stratified_split
    from kzoo.errors import InputError
    from kzoo.plots import plot_data_efficiency

    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1:
        raise InputError(f"seeds must be an int >= 1, got {seeds!r}.")
    start = time.perf_counter()
    digits = load_digits()
    x = digits.images[..., None].astype("float32")
    y = digits.target.astype("int64")
    (x_pool, y_pool), (x_test, y_test) = stratified_split(x, y, test_fraction=0.5, seed=0)
    names = [str(d) for d in range(10)]
    results = {m: {k: [] for k in SHOTS} for m in METHODS}
    print(f"kzoo demo: glyphnet (pre-trained on generated letters) -> sklearn digits, "
          f"{len(y_test)} test images, backend {keras.backend.backend()}, {seeds} seed(s)")
    for seed in range(seeds):
        for shots in SHOTS:
            x_few, y_few = few_shot((x_pool, y_pool), shots, seed=seed)
            for method in METHODS:
                keras.utils.set_random_seed(seed)
                model = _train(method, x_few, y_few, names, quick)
                results[method][shots].append(_accuracy(model, x_test, y_test))
    seconds = time.perf_counter() - start
    print(_table(results))
    print(f"({seconds:.0f} s)")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    plot_path = out_dir / "demo.png"
    figure = plot_data_efficiency(results, title="Handwritten digits: pre-trained on letters vs from scratch")
    figure.savefig(plot_path, dpi=120, bbox_inches="tight")
    print(f"plot: {plot_path}")
    numbers = {"results": {m: {str(k): v for k, v in r.items()} for m, r in results.items()},
               "seeds": seeds, "quick": quick, "seconds": round(seconds, 1), "test_size": int(len(y_test)),
               "backend": keras.backend.backend(), "keras": keras.__version__,
               "machine": f"{platform.machine()} CPU, {os.cpu_count()} cores",
               "load_average": round(os.getloadavg()[0], 1), "date": datetime.date.today().isoformat()}
    if json_path:
        Path(json_path).parent.mkdir(parents=True, exist_ok=True)
        Path(json_path).write_text(json.dumps(numbers, indent=2))
        print(f"numbers: {json_path}")
    return numbers


def _table(results) -> str:
    lines = ["labelled/class  " + "  ".join(f"{m:>15s}" for m in METHODS)]
    for shots in SHOTS:
        cells = [f"{100 * np.mean(results[m][shots]):6.1f} +- {100 * np.std(results[m][shots]):4.1f}%"
                 for m in METHODS]
        lines.append(f"{shots:>14d}  " + "  ".join(f"{c:>15s}" for c in cells))
    return "\n".join(lines)
