"""Does speed perturbation lift the held-out speakers? (issue 11, third round)

Speed perturbation (Ko et al., 2015: each training clip resampled by a few fixed factors, which
changes speed and pitch together, like another voice) is the standard augmentation for speakers
not heard in training. Every clip is resampled by each factor once and embedded once (option 1's
pooled features); then, for each held-out speaker, 5 and all clips per digit, seeds 0-2 (the
benchmark's nested subsets), five option-1 heads (the benchmark's head, as in
``speech_head_ensemble.py``) are trained on the original clips (with ``--train-perturbed``, also on
the originals plus their resampled copies), and tested on the original test clips or, averaging the
probabilities, on the test clips at every factor of each ``--tta-sets`` (test-time perturbation); a
third arm trains and tests the heads on the embeddings averaged over the first set's speeds. Prints
one line per run and the means; copied into ``results/spoken_digits.md`` by hand.

    KZOO_ASSETS=../shared/assets python bench/speech_speed.py --speakers george --train-perturbed
    KZOO_ASSETS=../shared/assets python bench/speech_speed.py --tta-sets 0.9,0.95,1.05,1.1 \
        0.85,0.9,0.95,1.05,1.1,1.15
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

import kzoo
from bench.spoken_digits import (NAMES, SPEAKERS, SPEECH, SPEECH_SECONDS, head_probabilities, load_splits,
                                 train_indices)
from kzoo.audio import change_speed
from kzoo.features import split_model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speakers", nargs="+", default=list(SPEAKERS), choices=SPEAKERS)
    parser.add_argument("--tta-sets", nargs="+", default=["0.9,0.95,1.05,1.1"],
                        help="comma-separated speed factors, each set averaged with the original at test time")
    parser.add_argument("--train-perturbed", action="store_true",
                        help="also train heads on the originals plus their copies at the first set's factors")
    parser.add_argument("--heads", type=int, default=5)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--head-steps", type=int, default=1500)
    parser.add_argument("--shots", nargs="+", default=["5", "all"])
    parser.add_argument("--cache", type=Path, default=Path("/tmp/speech_speed_cache.npz"))
    args = parser.parse_args()
    clips, labels, splits = load_splits(False, SPEECH_SECONDS, tuple(f"speaker:{s}" for s in SPEAKERS))
    tta_sets = [[1.0, *map(float, t.split(","))] for t in args.tta_sets]
    factors = list(dict.fromkeys(f for t in tta_sets for f in t))
    cached = dict(np.load(args.cache)) if args.cache.exists() else {}
    body = None
    for f in factors:
        if str(f) not in cached:
            body = body or split_model(kzoo.load(SPEECH, class_names=NAMES))[0]
            start = time.perf_counter()
            x = change_speed(clips, f)
            cached[str(f)] = np.asarray(body.predict(x, batch_size=32, verbose=0), np.float32)
            print(f"speed {f}: {len(clips)} clips embedded in {time.perf_counter() - start:.0f} s", flush=True)
            np.savez(args.cache, **cached)
    pooled = np.stack([cached[str(f)] for f in factors])  # (factors, clips, 192)
    sets = {"+".join(f"{f:g}" for f in t[1:]): [factors.index(f) for f in t] for t in tta_sets}
    trainings = {"original": [0]} | ({"speed-perturbed": sets[next(iter(sets))]} if args.train_perturbed else {})
    summary = {}
    for speaker in args.speakers:
        train_all, test = splits[f"speaker:{speaker}"]["train"], splits[f"speaker:{speaker}"]["test"]
        y_test = labels[test]

        def acc(p) -> float:
            return 100 * float(np.mean(p.argmax(-1) == y_test))

        for shots in [s if s == "all" else int(s) for s in args.shots]:
            for seed in range(args.seeds):
                train = train_indices(train_all, labels, shots, seed)
                result = {}
                for name, rows in trainings.items():
                    x_train = pooled[rows][:, train].reshape(-1, pooled.shape[-1])
                    y_train = np.tile(labels[train], len(rows))
                    x_test = pooled[:, test].reshape(-1, pooled.shape[-1])
                    probs = np.stack([head_probabilities(x_train, y_train, x_test, 100 * seed + k, args.head_steps)
                                      .reshape(len(factors), len(test), -1)
                                      for k in range(args.heads)])  # (heads, factors, test, classes)
                    result[f"{name}: single"] = float(np.mean([acc(p[0]) for p in probs]))
                    result[f"{name}: ensemble"] = acc(probs[:, 0].mean(0))
                    for tta, idx in sets.items():
                        result[f"{name}: single + test-time {tta}"] = float(np.mean([acc(p[idx].mean(0))
                                                                                      for p in probs]))
                        result[f"{name}: ensemble + test-time {tta}"] = acc(probs[:, idx].mean((0, 1)))
                for tta, idx in list(sets.items())[:1]:  # features averaged over the speeds, training and test
                    x = pooled[idx].mean(0)
                    probs = [head_probabilities(x[train], labels[train], x[test], 100 * seed + k, args.head_steps)
                             for k in range(args.heads)]
                    result[f"speed-averaged features {tta}: single"] = float(np.mean([acc(p) for p in probs]))
                    result[f"speed-averaged features {tta}: ensemble"] = acc(np.mean(probs, 0))
                for key, value in result.items():
                    summary.setdefault((speaker, shots, key), []).append(value)
                print(f"{speaker} shots={shots} seed={seed}: "
                      + ", ".join(f"{k} {v:.1f}" for k, v in result.items()), flush=True)
    for shots in dict.fromkeys(k[1] for k in summary):
        for key in result:
            values = [np.mean(summary[(s, shots, key)]) for s in args.speakers]
            print(f"shots={shots} {key}: " + " ".join(f"{s} {v:.1f}" for s, v in zip(args.speakers, values))
                  + f" | mean {np.mean(values):.1f}", flush=True)


if __name__ == "__main__":
    main()
