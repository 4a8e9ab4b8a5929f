"""Does bfloat16 make a matrix product faster on this backend's CPU? One product of kzoo's text step, timed.

kzoo's text fine-tuning (``bench/text_finetune.py``) gains on KerasHub's default recipe in two ways:
fewer tokens (batches padded to their longest sentence, or to a length bucket) and a cheaper token
(mixed bfloat16). The first is bounded by the padding it removes; the second exists only where the
backend runs bfloat16 matrix products faster than float32. This times the feed-forward product of a
MiniLM layer at kzoo's batch size on SST-2 (32 sentences x 19 tokens = 608 rows, 384 -> 1536), in
float32 and bfloat16, with ``keras.ops.matmul`` on whatever backend ``KERAS_BACKEND`` names, taking
turns for several rounds so both see the same machine. Results are keyed by backend, so runs with
``KERAS_BACKEND=tensorflow`` and ``=jax`` fill the same file.

    KERAS_BACKEND=jax python bench/matmul_precision.py
"""
import argparse
import json
import time
from pathlib import Path

import keras
import numpy as np

import _record

ROWS, WIDTH, HIDDEN = 608, 384, 1536


def seconds_per_product(a, b, repeats: int) -> float:
    """Wall seconds of one ``a @ b``, the median over ``repeats`` products, each waited for."""
    def product():  # reading one element waits for all of it on an asynchronous backend, without copying it all
        keras.ops.convert_to_numpy(keras.ops.cast(keras.ops.matmul(a, b)[0, 0], "float32"))

    product()  # first call: kernel selection / compilation
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        product()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=50, help="products per round and precision")
    parser.add_argument("--out", default="bench/results/matmul_precision.json")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((ROWS, WIDTH)), rng.standard_normal((WIDTH, HIDDEN))
    operands = {dtype: (keras.ops.convert_to_tensor(a, dtype), keras.ops.convert_to_tensor(b, dtype))
                for dtype in ("float32", "bfloat16")}
    seconds = {dtype: [] for dtype in operands}
    for _ in range(args.rounds):
        for dtype, (x, w) in operands.items():
            seconds[dtype].append(seconds_per_product(x, w, args.repeats))
    flops = 2 * ROWS * WIDTH * HIDDEN
    gflops = {dtype: round(flops / float(np.median(s)) / 1e9, 1) for dtype, s in seconds.items()}
    result = {"gflops": gflops, "bfloat16_speedup": round(gflops["bfloat16"] / gflops["float32"], 2),
              **_record.environment(),
              "versions": {keras.backend.backend(): __import__(keras.backend.backend()).__version__}}
    out = Path(args.out)
    record = json.loads(out.read_text()) if out.exists() else {}
    record["what"] = (f"one ({ROWS} x {WIDTH}) @ ({WIDTH} x {HIDDEN}) product with keras.ops.matmul, median of "
                      f"{args.rounds} rounds x {args.repeats} products, float32 and bfloat16 taking turns")
    record.setdefault("backends", {})[keras.backend.backend()] = result
    print(json.dumps(result), flush=True)
    _record.write(record, out)


if __name__ == "__main__":
    main()
