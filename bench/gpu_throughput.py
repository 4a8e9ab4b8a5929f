"""Training throughput: EfficientNet-Lite0 fine-tuning at 224 px (images/s) and MiniLM fine-tuning (sentences/s),
each in mixed precision (bfloat16) and in plain float32, on whatever device Keras runs on.

Option 2 set-up (every layer trainable, Adam); random inputs, since speed does not depend on the pixels;
the text is tokenised once up front (KerasHub's tokenizer runs without TensorFlow) and the classifier
trains on token ids. Each setting: a few warm-up steps (compilation), then ``--steps`` timed steps of
``train_on_batch``, whose returned loss waits for the device. Writes ``throughput.json`` into ``--out``
(device, backend, versions, date, settings, results).

    KERAS_BACKEND=jax python bench/gpu_throughput.py                  # on the GPU machine (bench/gpu.sh)
    KERAS_BACKEND=jax python bench/gpu_throughput.py --tiny --out /tmp/t   # seconds on a CPU: a smoke test
"""
import argparse
import datetime
import importlib.metadata
import json
import os
import platform
import sys
import time
from pathlib import Path

import keras
import numpy as np

import kzoo
from kzoo._graph import weight_layers

REPO = Path(__file__).resolve().parent.parent
POLICIES = {"mixed_bfloat16": True, "float32": False}  # kzoo.load's mixed_precision for each
SETTINGS = {  # (image batch, text batch, sequence length, warm-up steps, timed steps)
    "full": dict(image_batch=128, text_batch=128, sequence_length=128, warmup=3, steps=20),
    "tiny": dict(image_batch=2, text_batch=2, sequence_length=16, warmup=2, steps=2),
}
SENTENCES = ["a quietly moving film with two fine performances", "flat, loud and far too long",
             "the best thing I have seen this year", "I wanted to like it more than I did"]


def _device() -> str:
    if keras.backend.backend() == "jax":
        import jax

        device = jax.devices()[0]
        return f"{device.device_kind} ({device.platform}, {jax.device_count()} device(s))"
    accelerators = kzoo.devices.accelerators()
    return ", ".join(accelerators) if accelerators else f"{platform.machine()} CPU, {os.cpu_count()} cores"


def _versions() -> dict:
    found = {"python": platform.python_version()}
    for package in ("keras", "keras-hub", "jax", "jaxlib", "torch", "tensorflow", "numpy", "kzoo"):
        try:
            found[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            found[package] = None
    return found


def _timed(model, x, y, warmup: int, steps: int) -> float:
    """Seconds for ``steps`` training steps after ``warmup`` untimed ones (JAX may compile on the first two)."""
    for _ in range(warmup):
        model.train_on_batch(x, y)
    start = time.perf_counter()
    for _ in range(steps):
        loss = model.train_on_batch(x, y)
    float(np.asarray(loss).ravel()[0])  # the last step's loss on the host: the device has finished
    return time.perf_counter() - start


def _compute_dtypes(model) -> list[str]:
    """The compute dtypes of the model's layers: bfloat16 in the body under mixed precision (heads stay float32)."""
    return sorted({layer.compute_dtype for layer in weight_layers(model)})


def _compiled(model):
    kzoo.unfreeze(model)
    model.compile(optimizer=keras.optimizers.Adam(1e-4),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=False))
    return model


def image_throughput(mixed: bool, batch: int, warmup: int, steps: int) -> dict:
    model = _compiled(kzoo.load("efficientnet_lite0", num_classes=10, mixed_precision=mixed))
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 255, (batch, *kzoo.info("efficientnet_lite0").input_shape)).astype("float32")
    y = rng.integers(0, 10, batch)
    seconds = _timed(model, x, y, warmup, steps)
    return {"images_per_s": round(batch * steps / seconds, 1), "seconds": round(seconds, 3),
            "input_shape": list(x.shape[1:]), "compute_dtypes": _compute_dtypes(model)}


def text_throughput(mixed: bool, batch: int, sequence_length: int, warmup: int, steps: int) -> dict:
    model = kzoo.load("minilm_l6", class_names=["negative", "positive"], sequence_length=sequence_length,
                      mixed_precision=mixed)
    ids = keras.tree.map_structure(keras.ops.convert_to_numpy,
                                   model.preprocessor([SENTENCES[i % len(SENTENCES)] for i in range(batch)]))
    on_ids = _compiled(keras.Model(model.inputs, model.outputs))  # same layers, no tokenizer in front
    y = np.arange(batch) % 2
    seconds = _timed(on_ids, ids, y, warmup, steps)
    return {"sentences_per_s": round(batch * steps / seconds, 1), "seconds": round(seconds, 3),
            "sequence_length": sequence_length, "compute_dtypes": _compute_dtypes(model)}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true", help="smallest settings: a smoke test on a CPU")
    parser.add_argument("--out", default=str(REPO / "bench" / "results" / "gpu"))
    args = parser.parse_args(argv)
    settings = SETTINGS["tiny" if args.tiny else "full"]
    results = {"efficientnet_lite0_finetune": {}, "minilm_l6_finetune": {}}
    for policy, mixed in POLICIES.items():
        results["efficientnet_lite0_finetune"][policy] = image_throughput(
            mixed, settings["image_batch"], settings["warmup"], settings["steps"])
        results["minilm_l6_finetune"][policy] = text_throughput(
            mixed, settings["text_batch"], settings["sequence_length"], settings["warmup"], settings["steps"])
        print(policy, {task: r[policy] for task, r in results.items()}, flush=True)
    for task, unit in (("efficientnet_lite0_finetune", "images_per_s"), ("minilm_l6_finetune", "sentences_per_s")):
        by = results[task]
        by["mixed_over_float32"] = round(by["mixed_bfloat16"][unit] / by["float32"][unit], 2)
    record = {
        "benchmark": "gpu_throughput", "mode": "tiny" if args.tiny else "full", "settings": settings,
        "device": _device(), "backend": keras.backend.backend(), "versions": _versions(),
        "tensorflow_imported": "tensorflow" in sys.modules,
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "results": results,
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "throughput.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out / 'throughput.json'}")
    return record


if __name__ == "__main__":
    main()
