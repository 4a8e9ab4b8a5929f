"""Pre-train glyphnet on generated letters and write ``kzoo/data/glyphnet/`` (model + metadata).

Reproducible: the glyphs come from fixed seeds and ``keras.utils.set_random_seed`` fixes the weights'
initialisation and the shuffling. The shipped model was made with the TensorFlow backend on a
2-core CPU:

    KERAS_BACKEND=tensorflow python scripts/pretrain_glyphnet.py

Each file is written to a temporary name and renamed into place (``kzoo._files.atomic_path``), so a
failed run leaves the previous model as it was; the metadata, written last, names its sha256.
"""
from __future__ import annotations

import argparse
import datetime
import json
import sys
import time
from pathlib import Path

import keras
import numpy as np

import kzoo
from kzoo import config
from kzoo._files import atomic_path, write_text_atomically
from kzoo.datasets.glyphs import LETTERS, make_glyphs
from kzoo.hub import file_sha256
from kzoo.zoo.glyphnet import build_glyphnet

VAL_SEED_OFFSET = 1_000_003  # held-out glyphs come from a seed no training run uses


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line flags (see ``--help``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-per-class", type=int, default=2500,
                        help="training glyphs per letter (52 letters; default 2500 = 130,000 glyphs)")
    parser.add_argument("--val-per-class", type=int, default=100, help="held-out glyphs per letter")
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--lr", type=float, default=3e-3, help="peak Adam learning rate (cosine decay)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=config.data_dir() / "glyphnet",
                        help="output folder (default: the package's kzoo/data/glyphnet)")
    args = parser.parse_args(argv)
    for flag in ("n_per_class", "val_per_class", "epochs", "batch_size"):
        if getattr(args, flag) < 1:
            parser.error(f"--{flag.replace('_', '-')} must be >= 1")
    if args.lr <= 0:
        parser.error("--lr must be > 0")
    return args


def save_atomically(model: keras.Model, metadata: dict, out: Path) -> tuple[Path, Path]:
    """Write ``glyphnet.keras`` and ``metadata.json`` (with the model's sha256) into ``out``."""
    model_path, meta_path = out / "glyphnet.keras", out / "metadata.json"
    with atomic_path(model_path, suffix=".keras") as tmp:
        model.save(tmp)
        metadata = {**metadata, "sha256": file_sha256(tmp)}
    write_text_atomically(meta_path, json.dumps(metadata, indent=2) + "\n")
    return model_path, meta_path


def pretrain(args: argparse.Namespace) -> dict:
    """Generate the glyphs, train glyphnet, save it; returns the metadata written."""
    keras.utils.set_random_seed(args.seed)
    start = time.perf_counter()
    x, y, names = make_glyphs(args.n_per_class, seed=args.seed, classes=LETTERS)
    x_val, y_val, _ = make_glyphs(args.val_per_class, seed=args.seed + VAL_SEED_OFFSET, classes=LETTERS)
    generate_seconds = time.perf_counter() - start
    print(f"generated {len(x)} training and {len(x_val)} held-out glyphs in {generate_seconds:.1f} s")

    model = build_glyphnet(names)
    steps = args.epochs * int(np.ceil(len(x) / args.batch_size))
    model.compile(
        optimizer=keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(args.lr, steps)),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    start = time.perf_counter()
    model.fit(x, y, batch_size=args.batch_size, epochs=args.epochs, validation_data=(x_val, y_val),
              verbose=2)
    train_seconds = time.perf_counter() - start
    val_loss, val_accuracy = model.evaluate(x_val, y_val, batch_size=1024, verbose=0)
    print(f"held-out accuracy {val_accuracy:.4f} (loss {val_loss:.4f}); "
          f"trained in {train_seconds:.0f} s")

    model = keras.Model(model.inputs, model.outputs, name="glyphnet")  # uncompiled: no optimizer state
    metadata = {
        "name": "glyphnet",
        "class_names": names,
        "input": "8x8x1 grey levels 0..16 (sklearn.datasets.load_digits format)",
        "params": model.count_params(),
        "n_train": len(x),
        "n_val": len(x_val),
        "seed": args.seed,
        "val_seed": args.seed + VAL_SEED_OFFSET,
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "learning_rate": args.lr,
        "val_accuracy": round(float(val_accuracy), 4),
        "val_loss": round(float(val_loss), 4),
        "generate_seconds": round(generate_seconds, 1),
        "train_seconds": round(train_seconds, 1),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "keras_version": keras.__version__,
        "kzoo_version": kzoo.__version__,
        "backend": keras.backend.backend(),
    }
    model_path, meta_path = save_atomically(model, metadata, args.out)
    print(f"wrote {model_path} ({model_path.stat().st_size / 1e6:.2f} MB) and {meta_path}")
    return json.loads(meta_path.read_text())


def main(argv: list[str] | None = None) -> int:
    """Entry point: ``python scripts/pretrain_glyphnet.py [--n-per-class N] [--epochs E] [--out D]``."""
    pretrain(parse_args(argv))
    return 0


if __name__ == "__main__":
    sys.exit(main())
