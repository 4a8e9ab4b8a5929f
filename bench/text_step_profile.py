"""Where a text training step spends its time on TensorFlow (CPU): kzoo's path vs KerasHub's default recipe.

``bench/text_finetune.py`` measures how much faster kzoo trains MiniLM on SST-2 than KerasHub's default
recipe; this script says why the ratio is what it is. Both train every layer of all-MiniLM-L6-v2 on the
same 512 random SST-2 training sentences (seed 0) in the same 16 batches of 32:

- ``keras_hub_default``: ``BertTextClassifier.from_preset`` with its own compile (Adam), float32, every
  batch padded to 64 tokens (the default recipe's sequence length; tokenizing is left out here);
- ``kzoo_bfloat16`` / ``kzoo_float32``: ``kzoo.load("minilm_l6", ...)``'s model on token arrays, each
  batch padded to its longest sentence, ``kzoo.LazyAdam``, with and without mixed bfloat16.

For each, one pass over the batches runs under TensorFlow's profiler, and the time of every TensorFlow op
(summed over the threads that ran it, so two busy cores give twice the wall time) is put in a category:
matrix products, dropout (every op in a dropout layer's scope, forward and backward: drawing random
numbers, comparing, masking), the optimizer's update, casts, and every other element-wise op. CPU
seconds per pass (``time.process_time``, all threads) are measured with the three models taking turns,
several rounds, so they share the machine's state; ``*_without_dropout`` repeats kzoo's models with every
dropout rate set to 0, to show what dropout costs. Last, one Adam update of the weights outside the token
table is timed three ways (``adam_update_ms``): Keras's, ``kzoo.LazyAdam``'s and TensorFlow's fused kernel.

    KZOO_ASSETS=../shared/assets python bench/text_step_profile.py
"""
import argparse
import collections
import re
import glob
import tempfile
import time

import keras
import numpy as np

import _record
import kzoo
from text_finetune import DEFAULT_SEQUENCE_LENGTH, first_epoch_plan, mean_width, sst2_sample

CATEGORIES = ("matrix products", "dropout", "optimizer update", "casts", "other element-wise")


def category(name: str, op_type: str) -> str:
    """The category of a TensorFlow op from its scoped name and type."""
    if "dropout" in name:
        return "dropout"
    if re.search(r"adam(_\d+)?/", name):
        return "optimizer update"
    if "MatMul" in op_type or "Einsum" in op_type:
        return "matrix products"
    return "casts" if op_type == "Cast" else "other element-wise"


def profile_pass(model, batches) -> dict:
    """Thread milliseconds per training step by category, and the op types that take longest."""
    import tensorflow as tf
    from tensorflow.tsl.profiler.protobuf import xplane_pb2

    logdir = tempfile.mkdtemp(prefix="kzoo_profile_")
    tf.profiler.experimental.start(logdir)
    for x, y in batches:
        model.train_on_batch(x, y)
    tf.profiler.experimental.stop()
    space = xplane_pb2.XSpace()
    with open(glob.glob(f"{logdir}/**/*.xplane.pb", recursive=True)[0], "rb") as f:
        space.ParseFromString(f.read())
    by_category, by_type = collections.Counter(), collections.Counter()
    for plane in space.planes:
        for line in plane.lines:
            for event in line.events:
                name = plane.event_metadata[event.metadata_id].name.split("#")[0]
                if ":" not in name or "::" in name or "__inference" in name:  # bookkeeping or a function call
                    continue
                scope, op_type = name.rsplit(":", 1)
                ms = event.duration_ps / 1e9 / len(batches)
                by_category[category(scope, op_type)] += ms
                by_type[op_type] += ms
    total = sum(by_category.values())
    return {"op_thread_ms_per_step": round(total, 1),
            "share": {c: round(by_category[c] / total, 3) for c in CATEGORIES},
            "top_op_types_ms_per_step": {t: round(ms, 1) for t, ms in by_type.most_common(8)}}


def batch(tokens, width: int, members: np.ndarray):
    """The ``members``' token arrays cut or zero-padded (masked) to ``width``, and their labels."""
    x = {k: v[members, :width] for k, v in tokens.inputs.items()}
    return {k: np.pad(v, ((0, 0), (0, width - v.shape[1]))) for k, v in x.items()}, tokens.labels[members]


def optimizer_update_ms(weights, repeats: int = 20) -> dict:
    """CPU milliseconds (all threads) of one Adam update of ``weights`` (float32 copies, random gradients):
    Keras's Adam, kzoo.LazyAdam (the same keras.ops arithmetic for these dense gradients) and TensorFlow's fused
    ``ResourceApplyAdam`` kernel, which reads and writes each weight once."""
    import tensorflow as tf

    rng = np.random.default_rng(0)
    values = [rng.standard_normal(w.shape).astype("float32") for w in weights]
    grads = [tf.constant(v) for v in values]

    def timed(update) -> float:
        for _ in range(3):
            update()
        start = time.process_time()
        for _ in range(repeats):
            update()
        return round(1000 * (time.process_time() - start) / repeats, 1)

    result = {}
    for name, optimizer in (("keras_adam", keras.optimizers.Adam(5e-5)), ("kzoo_lazy_adam", kzoo.LazyAdam(5e-5))):
        variables = [keras.Variable(v) for v in values]
        optimizer.build(variables)
        result[name] = timed(tf.function(lambda: optimizer.apply(grads, variables)))
    variables, moments = [tf.Variable(v) for v in values], [tf.Variable(tf.zeros_like(v)) for v in values]
    velocities = [tf.Variable(tf.zeros_like(v)) for v in values]

    @tf.function
    def fused():
        for w, m, v, g in zip(variables, moments, velocities, grads):
            tf.raw_ops.ResourceApplyAdam(var=w.handle, m=m.handle, v=v.handle, beta1_power=0.9, beta2_power=0.999,
                                         lr=5e-5, beta1=0.9, beta2=0.999, epsilon=1e-7, grad=g)
    result["tensorflow_fused_kernel"] = timed(fused)
    return result


def kzoo_model(mixed_precision: bool, dropout: bool):
    keras.utils.set_random_seed(0)
    model = kzoo.load("minilm_l6", class_names=["negative", "positive"], mixed_precision=mixed_precision)
    kzoo.unfreeze(model)  # every layer trains, as in kzoo.fine_tune's second phase
    tokens_in = keras.Model(model.input, model.output)
    if not dropout:
        for layer in tokens_in._flatten_layers():
            if isinstance(layer, keras.layers.Dropout):
                layer.rate = 0.0
    tokens_in.compile(optimizer=kzoo.LazyAdam(5e-5), loss=keras.losses.SparseCategoricalCrossentropy())
    return model, tokens_in


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=int, default=512, help="SST-2 training sentences (random, seed 0)")
    parser.add_argument("--rounds", type=int, default=3, help="turns of the CPU-time comparison")
    parser.add_argument("--out", default="bench/results/text_step_profile.json")
    args = parser.parse_args()
    if keras.backend.backend() != "tensorflow":
        raise SystemExit("This profile reads TensorFlow's profiler: run it with KERAS_BACKEND=tensorflow.")
    import keras_hub

    kzoo_bf16, bf16_tokens = kzoo_model(True, dropout=True)
    tokens, plan = first_epoch_plan(kzoo_bf16, sst2_sample(args.train))
    kzoo_batches = [batch(tokens, width, members) for width, members in plan]
    default_batches = [batch(tokens, DEFAULT_SEQUENCE_LENGTH, members) for _, members in plan]
    keras.utils.set_random_seed(0)
    default = keras_hub.models.BertTextClassifier.from_preset(
        str(kzoo.hub.fetch(kzoo.info("minilm_l6"), progress=False)), num_classes=2, preprocessor=None)
    runs = {"keras_hub_default": (default, default_batches),
            "kzoo_bfloat16": (bf16_tokens, kzoo_batches),
            "kzoo_float32": (kzoo_model(False, dropout=True)[1], kzoo_batches),
            "kzoo_bfloat16_without_dropout": (kzoo_model(True, dropout=False)[1], kzoo_batches),
            "kzoo_float32_without_dropout": (kzoo_model(False, dropout=False)[1], kzoo_batches)}
    for model, batches in runs.values():  # trace every batch width once
        for x, y in batches:
            model.train_on_batch(x, y)
    cpu = {name: [] for name in runs}
    for _ in range(args.rounds):
        for name, (model, batches) in runs.items():
            start = time.process_time()
            for x, y in batches:
                model.train_on_batch(x, y)
            cpu[name].append(time.process_time() - start)
    record = {"what": "one pass over 512 SST-2 sentences in 16 batches of 32, TensorFlow on CPU",
              "tokens_per_sentence": {"keras_hub_default": DEFAULT_SEQUENCE_LENGTH,
                                      "kzoo": round(mean_width(plan), 1)},
              "runs": {}, **_record.environment()}
    default_median = float(np.median(cpu["keras_hub_default"]))
    for name, (model, batches) in runs.items():
        median = float(np.median(cpu[name]))
        record["runs"][name] = {"cpu_s_per_pass": [round(t, 2) for t in cpu[name]], "cpu_s_median": round(median, 2),
                                "cpu_ratio_default_over_this": round(default_median / median, 2),
                                **(profile_pass(model, batches) if "without" not in name else {})}
    dense = [w for w in runs["kzoo_float32"][0].trainable_weights if "token_embedding" not in w.path]
    record["adam_update_ms"] = {"weights": int(sum(np.prod(w.shape) for w in dense)),
                                **optimizer_update_ms(dense)}
    _record.write(record, args.out, markdown(record))


def markdown(record: dict) -> str:
    adam = record["adam_update_ms"]
    profiled = {name: run for name, run in record["runs"].items() if "share" in run}
    rows = "\n".join(f"| {c} | " + " | ".join(f"{100 * run['share'][c]:.0f}%" for run in profiled.values()) + " |"
                     for c in CATEGORIES)
    totals = " | ".join(f"{run['op_thread_ms_per_step']:.0f}" for run in profiled.values())
    cpu_rows = "\n".join(f"| {name} | {run['cpu_s_median']:.2f} | {run['cpu_ratio_default_over_this']:.2f} |"
                         for name, run in record["runs"].items())
    return (f"# Where a text training step's time goes (TensorFlow, CPU)\n\n{record['what']}; measured "
            f"{record['date']}, {record['machine']}, load average {record['load_average']}. Tokens per "
            f"sentence: {record['tokens_per_sentence']['keras_hub_default']} (default recipe), "
            f"{record['tokens_per_sentence']['kzoo']} (kzoo). Written by `bench/text_step_profile.py`.\n\n"
            f"| op thread time per step | " + " | ".join(profiled) + " |\n|---|" + "---|" * len(profiled) +
            f"\n| milliseconds (all threads) | {totals} |\n{rows}\n\n"
            "| model | CPU s per pass (median) | default recipe's CPU time over this |\n|---|---|---|\n"
            f"{cpu_rows}\n\nOne Adam update of the {adam['weights']:,} weights outside the token table (CPU ms): "
            f"Keras's Adam {adam['keras_adam']}, kzoo.LazyAdam {adam['kzoo_lazy_adam']}, TensorFlow's fused "
            f"kernel {adam['tensorflow_fused_kernel']}.\n")


if __name__ == "__main__":
    main()
