"""SST-2 on a CPU: kzoo's two-phase recipe for all-MiniLM-L6-v2, run to completion, scored on GLUE dev.

The recipe (``kzoo.load(..., mixed_precision=True)``, then two ``kzoo.fine_tune`` calls):

1. head on cached features: the frozen encoder runs once over ``--head-train`` training sentences (in
   length buckets), then the new head trains ``--head-epochs`` epochs on the stored sentence embeddings
   at lr 1e-3 (a subset: the head has 770 weights, and a pass of the encoder over all of SST-2 would cost
   a quarter of a training epoch);
2. everything (the unused pooler aside) for ``--epochs`` epochs over the training sentences, batch 32,
   Adam, learning rate warmed up linearly from 0 to ``--lr`` over the first ``--warmup`` of the steps,
   then cosine-decayed to 0 (``keras.optimizers.schedules.CosineDecay`` passed as ``finetune_lr``).

Mixed bfloat16 runs the matrix products in bfloat16 (weights stay float32): on a CPU with AMX/AVX-512
bfloat16 units a training step is about 1.7x faster under TensorFlow. ``--stop-at HH:MM`` (UTC) ends
phase 2 early if the clock gets there (the result then says how many steps ran).

Batches hold sentences of similar length, each padded only to its longest on TensorFlow (to its length
bucket, 8/16/24/32/48/64/96/128 tokens, elsewhere; ``kzoo._text_batches``): the SST-2 training phrases
average 13.3 tokens and pad to 13.9 (17.7 in buckets). A record whose recipe lists ``"buckets"`` is
from the earlier plan, which cut every batch to its bucket, with Keras's Adam; later ones say
``"batching"`` and ran ``kzoo.LazyAdam`` (``fine_tune``'s ``"adam"``). Accuracy is measured on the 872
GLUE dev sentences (``kzoo.datasets.load("sst2", "test")``). Nothing large is written: the model stays in
memory.

    KZOO_ASSETS=../shared/assets nohup python bench/sst2_recipe.py > sst2.log 2>&1 &
"""
import argparse
import datetime
import json
import math
import os
import time

import keras
import numpy as np

import _record
import kzoo
from kzoo import _text_batches

BATCH, HEAD_LR = 32, 1e-3
# The body layer just above BERT's token-embedding table: unfreezing from it trains everything but the
# table, whose 11.7 M rows Adam would otherwise update in full at every step (most of a short step's time).
TOKEN_TABLE_FROZEN = "position_embedding"


class Progress(keras.callbacks.Callback):
    """Prints progress every ``every`` batches, samples the load average, stops at ``stop_at`` (a datetime)."""

    def __init__(self, every=100, stop_at=None):
        super().__init__()
        self.every, self.loads, self.start, self.stop_at = every, [], time.perf_counter(), stop_at
        self.batches, self.stopped_early = 0, False

    def on_train_batch_end(self, batch, logs=None):
        self.batches += 1
        if self.stop_at and datetime.datetime.now(datetime.timezone.utc) >= self.stop_at:
            self.model.stop_training = self.stopped_early = True
        if batch % self.every == 0:
            self.loads.append(os.getloadavg()[0])
            print(f"batch {batch} {time.perf_counter() - self.start:.0f}s loss {logs.get('loss', 0):.4f} "
                  f"acc {logs.get('accuracy', 0):.4f} load {self.loads[-1]:.1f}", flush=True)

    def on_epoch_end(self, epoch, logs=None):
        print(f"epoch {epoch} done {time.perf_counter() - self.start:.0f}s {logs}", flush=True)


def _batching() -> str:
    if keras.backend.backend() == "tensorflow":
        return "sorted by length, each batch padded to its longest"
    return f"sorted by length, each batch padded to its bucket {list(_text_batches.buckets_for(128))}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=int, default=0, help="random subset of SST-2 train (0 = all 60,614)")
    parser.add_argument("--head-train", type=int, default=4000, help="sentences phase 1 trains the head on")
    parser.add_argument("--head-epochs", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--lr", type=float, default=5e-5, help="phase-2 peak learning rate")
    parser.add_argument("--warmup", type=float, default=0.06, help="fraction of phase-2 steps warming up")
    parser.add_argument("--stop-at", default=None, help="HH:MM UTC: end phase 2 there if still running")
    parser.add_argument("--freeze-token-table", action="store_true",
                        help="phase 2 trains all but the token-embedding table (unfreeze_top='position_embedding')")
    parser.add_argument("--out", default="bench/results/sst2_recipe.json")
    args = parser.parse_args()
    start = time.perf_counter()
    x, y = kzoo.datasets.load("sst2", "train", as_numpy=True)
    order = np.random.default_rng(0).permutation(len(x))
    x, y = x[order[:args.train or None]], y[order[:args.train or None]]
    x_dev, y_dev = kzoo.datasets.load("sst2", "test", as_numpy=True)
    stop_at = None
    if args.stop_at:
        hour, minute = map(int, args.stop_at.split(":"))
        stop_at = datetime.datetime.now(datetime.timezone.utc).replace(hour=hour, minute=minute, second=0)
    keras.utils.set_random_seed(0)
    model = kzoo.load("minilm_l6", class_names=["negative", "positive"], mixed_precision=True)
    head = kzoo.fine_tune(model, (x[:args.head_train], y[:args.head_train]), head_epochs=args.head_epochs,
                          lr=HEAD_LR, batch_size=BATCH)
    print(f"phase 1 done {time.perf_counter() - start:.0f}s {head.history}", flush=True)
    steps = args.epochs * math.ceil(len(x) / BATCH)  # bucketed batches are full but the last
    warmup = max(1, int(args.warmup * steps))
    schedule = keras.optimizers.schedules.CosineDecay(0.0, steps - warmup, warmup_target=args.lr,
                                                      warmup_steps=warmup)
    progress = Progress(stop_at=stop_at)
    history = kzoo.fine_tune(model, (x, y), head_epochs=0, epochs=args.epochs, finetune_lr=schedule,
                             unfreeze_top=TOKEN_TABLE_FROZEN if args.freeze_token_table else None,
                             batch_size=BATCH, callbacks=[progress])
    train_s = time.perf_counter() - start
    ranked = kzoo.predict(model, x_dev, top=1, batch_size=64)
    predicted = np.array([kzoo.class_names(model).index(row[0][0]) for row in ranked])
    accuracy = float(np.mean(predicted == y_dev))
    print(f"sst2_dev_accuracy {accuracy:.4f}", flush=True)
    result = {
        "sst2_dev_accuracy": round(accuracy, 4),
        "dev_sentences": len(y_dev),
        "train_sentences": len(y),
        "all_of_train": not args.train,
        "phase2_steps_run": progress.batches,
        "stopped_early_by_clock": progress.stopped_early,
        "recipe": {"model": "minilm_l6 (all-MiniLM-L6-v2, mean pooling), mixed bfloat16",
                   "head_train_sentences": min(args.head_train, len(y)), "head_epochs": args.head_epochs,
                   "head_lr": HEAD_LR, "epochs": args.epochs, "peak_lr": args.lr, "warmup_steps": warmup,
                   "steps": steps, "schedule": "linear warmup from 0, cosine decay to 0", "batch_size": BATCH,
                   "optimizer": "adam (kzoo.LazyAdam)", "batching": _batching(),
                   "token_table": "frozen" if args.freeze_token_table else "trained"},
        "phase1_history": {k: [round(float(v), 4) for v in vals] for k, vals in head.history.items()},
        "phase2_history": {k: [round(float(v), 4) for v in vals] for k, vals in history.history.items()},
        "wall_s": round(time.perf_counter() - start, 1),
        "train_wall_s": round(train_s, 1),
        "load_average_1min": {"min": round(min(progress.loads, default=0), 1),
                              "mean": round(float(np.mean(progress.loads or [0])), 1),
                              "max": round(max(progress.loads, default=0), 1)},
        **_record.environment(),
    }
    _record.write(result, args.out)
    print(json.dumps(result, indent=2), flush=True)


if __name__ == "__main__":
    main()
