"""Does phase 2 add to phase 1? Every ants/bees photo held out once, scored after each phase (issue 13).

On the 153 validation photos one photo is worth 0.65 points, and the two phases of notebook 03's recipe
end within a photo or two of each other. This benchmark asks the question with every photo instead: the
398 photos of both splits are cut into stratified folds; for each fold, a fresh EfficientNet-Lite0 runs
`bench/finetune_recipe.py`'s recipe on the other folds, and each held-out photo is scored after phase 1
and again after phase 2. Counting the photos that phase 2 fixed (wrong after phase 1, right after phase
2) and those it broke gives a paired comparison; McNemar's exact test asks how likely so lopsided a
count would be if phase 2 were as likely to break a photo as to fix one. Fold k trains with seed k.
The training folds hold about 318 photos where notebook 03 trains on 245; ``--train-photos 245`` keeps
notebook 03's sizes instead (245 photos to train on, the other 153 held out, drawn anew, stratified, for
each of ``--folds`` splits, so a photo may be held out more than once or never).

    KZOO_ASSETS=../shared/assets python bench/finetune_folds.py --image-size 224 [--folds 10 --train-photos 245]
    python bench/finetune_folds.py --image-size 288 --finetune-lr 2e-5 [--folds 10 --train-photos 245]
"""
import argparse
import time

import keras
import numpy as np
from scipy.stats import binomtest
from sklearn.model_selection import StratifiedKFold, StratifiedShuffleSplit

import _record
import kzoo
from finetune_recipe import RECIPE, augmentation


def right(model: keras.Model, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Which photos the model classifies correctly (booleans)."""
    return np.argmax(model.predict(x, batch_size=32, verbose=0), axis=-1) == y


def run_fold(fold: int, train, held_out, names, recipe: dict) -> dict:
    keras.utils.set_random_seed(fold)
    model = kzoo.load("efficientnet_lite0", class_names=names, input_shape=train[0].shape[1:])
    phase1 = {k: v for k, v in recipe.items() if k in ("head_epochs", "lr", "label_smoothing", "batch_size")}
    phase2 = {k: v for k, v in recipe.items() if k != "head_epochs"}
    start = time.perf_counter()
    kzoo.fine_tune(model, train, **phase1)
    after1 = right(model, *held_out)
    kzoo.fine_tune(model, train, head_epochs=0, augment=augmentation(), **phase2)
    after2 = right(model, *held_out)
    return {"fold": fold, "photos": int(len(after1)), "phase1_right": int(after1.sum()),
            "phase2_right": int(after2.sum()), "fixed": int((~after1 & after2).sum()),
            "broken": int((after1 & ~after2).sum()), "seconds": round(time.perf_counter() - start, 1)}


def summary(folds: list[dict]) -> dict:
    total = {key: sum(f[key] for f in folds) for key in ("photos", "phase1_right", "phase2_right", "fixed", "broken")}
    changed = total["fixed"] + total["broken"]
    p = binomtest(total["fixed"], changed).pvalue if changed else 1.0
    return {**total, "phase1": total["phase1_right"] / total["photos"],
            "phase2": total["phase2_right"] / total["photos"], "mcnemar_p": float(p)}


def markdown(record: dict) -> str:
    s = record["summary"]
    rows = "\n".join(f"| {f['fold']} | {f['photos']} | {f['phase1_right']} | {f['phase2_right']} | {f['fixed']} | "
                     f"{f['broken']} | {f['seconds']:.0f} |" for f in record["folds"])
    return (f"# Phase 2 against phase 1, photo by photo (ants vs bees, {record['image_size']} px)\n\n"
            f"{record['protocol']}\n\nThis run: {record['benchmark']}. Recipe: {record['recipe']}. "
            f"{_record.measured(record)}\n\n"
            "| fold | held out | right after phase 1 | right after phase 2 | fixed by phase 2 | broken by phase 2 "
            "| seconds |\n|---|---|---|---|---|---|---|\n"
            f"{rows}\n| all | {s['photos']} | {s['phase1_right']} ({s['phase1']:.1%}) | {s['phase2_right']} "
            f"({s['phase2']:.1%}) | {s['fixed']} | {s['broken']} | |\n\n"
            f"McNemar's exact test, fixed against broken: p = {s['mcnemar_p']:.3f}.\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--image-size", type=int, default=224, help="photos resized to this square size")
    parser.add_argument("--finetune-lr", type=float, default=RECIPE["finetune_lr"], help="phase 2's peak rate")
    parser.add_argument("--train-photos", type=int, default=None,
                        help="train on this many photos per split, the rest held out (default: k folds)")
    parser.add_argument("--out", default=None,
                        help="default: bench/results/finetune_folds_<size>[_<train photos>].json")
    args = parser.parse_args()
    kzoo.config.quiet()
    recipe = {**RECIPE, "finetune_lr": args.finetune_lr}
    parts = [kzoo.datasets.load("ants_bees", split, as_numpy=True, image_size=args.image_size)
             for split in ("train", "val")]
    x, y = np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
    names = list(kzoo.datasets.info("ants_bees").class_names)
    splitter = (StratifiedKFold(args.folds, shuffle=True, random_state=0) if args.train_photos is None else
                StratifiedShuffleSplit(args.folds, train_size=args.train_photos, random_state=0))
    folds = []
    for fold, (fit, held) in enumerate(splitter.split(x, y)):
        keras.backend.clear_session()
        folds.append(run_fold(fold, (x[fit], y[fit]), (x[held], y[held]), names, recipe))
        print(folds[-1], flush=True)
    sizes = "" if args.train_photos is None else f"_{args.train_photos}"
    design = (f"on every ants/bees photo, {args.folds} folds" if args.train_photos is None else
              f"on ants/bees, {args.folds} splits of {args.train_photos} training photos, the other "
              f"{len(y) - args.train_photos} held out")
    record = {"benchmark": f"phase 2 against phase 1 {design}",
              "protocol": __doc__.split("\n\n")[1].replace("\n", " "), "image_size": args.image_size,
              "recipe": recipe, "folds": folds, "summary": summary(folds), **_record.environment()}
    _record.write(record, args.out or f"bench/results/finetune_folds_{args.image_size}{sizes}.json", markdown(record))


if __name__ == "__main__":
    main()
