"""The core helpers on JAX with TensorFlow unimportable, as on a GPU machine that has JAX but no TensorFlow.

A child process runs with ``KERAS_BACKEND=jax`` and ``tests/fresh_machine`` hiding ``tensorflow``
(``KZOO_TEST_HIDE``), so any ``import tensorflow`` on the path under test fails there.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, sys
import numpy as np
import keras
import kzoo

assert keras.backend.backend() == "jax"
try:
    import tensorflow
    raise SystemExit("tensorflow should be hidden")
except ImportError:
    pass

rng = np.random.default_rng(0)
x = rng.random((24, 8, 8, 1)).astype("float32")
y = np.arange(24) % 3
model = kzoo.load("glyphnet", class_names=["a", "b", "c"])
kzoo.freeze(model)
frozen = sum(layer.trainable for layer in model.layers)
history = kzoo.fine_tune(model, (x, y), validation_data=(x[:6], y[:6]), head_epochs=2, epochs=1,
                         batch_size=8, verbose=0)
features, labels = kzoo.extract_features(model, (x, y), batch_size=5)
sweep = kzoo.lr_find(model, (x, y), num_steps=6, batch_size=8)
top = kzoo.predict(model, x[:2])
bigger = kzoo.add_classes(model, ["d"])
bigger.save(sys.argv[1])
reloaded = keras.models.load_model(sys.argv[1])
same = np.allclose(keras.ops.convert_to_numpy(bigger(x[:4])), keras.ops.convert_to_numpy(reloaded(x[:4])),
                   atol=1e-6)

# Text: KerasHub's tokenizer and kzoo's bucketed batches, on the tiny BERT preset the parent saved.
texts = np.array(["w1 w2 w3", "w4", "w5 w6 w7 w8 w9 w10", "w11 w12"] * 4, dtype=object)
text_labels = np.arange(16) % 2
text_model = kzoo.load("minilm_l6", class_names=["neg", "pos"], weights=sys.argv[2], sequence_length=64)
text_history = kzoo.fine_tune(text_model, (texts, text_labels), head_epochs=1, epochs=1, batch_size=4, verbose=0)
text_features = kzoo.extract_features(text_model, texts, batch_size=3)
text_top = kzoo.predict(text_model, texts[:3], top=1)
print(json.dumps({
    "tensorflow_imported": "tensorflow" in sys.modules,
    "epochs": len(history.history["loss"]),
    "val_accuracy": "val_accuracy" in history.history,
    "features": list(features.shape), "labels": labels.tolist(),
    "lr_steps": len(sweep.losses),
    "top": [[name for name, _ in row] for row in top],
    "classes": kzoo.class_names(reloaded), "reloaded_same": bool(same), "trainable_after_freeze": frozen,
    "text_epochs": len(text_history.history["loss"]), "text_features": list(text_features.shape),
    "text_top": [[name for name, _ in row] for row in text_top],
}))
"""


@pytest.fixture(scope="module")
def child(tmp_path_factory, tiny_bert_preset):
    if subprocess.run([sys.executable, "-c", "import jax"], capture_output=True).returncode:
        pytest.skip("jax not installed (pip install 'kzoo[jax]')")
    out = tmp_path_factory.mktemp("no_tf")
    env = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
    env.update(KERAS_BACKEND="jax", KZOO_TEST_HIDE="tensorflow", MPLBACKEND="Agg",
               PYTHONPATH=os.pathsep.join([str(REPO / "tests" / "fresh_machine"), str(REPO)]))
    run = subprocess.run([sys.executable, "-c", CHILD, str(out / "bigger.keras"), str(tiny_bert_preset)],
                         capture_output=True, text=True, timeout=600, env=env, cwd=out)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-4000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_the_core_path_never_imports_tensorflow(child):
    assert child["tensorflow_imported"] is False


def test_fine_tune_extract_and_lr_find_run_on_numpy_batches(child):
    assert child["epochs"] == 3 and child["val_accuracy"]  # two head epochs, one of the whole model
    assert child["features"] == [24, 128] and child["labels"] == [i % 3 for i in range(24)]  # order kept
    assert 1 <= child["lr_steps"] <= 6
    assert child["trainable_after_freeze"] >= 1  # the head stays trainable


def test_predict_add_classes_and_save_reload(child):
    assert all(sorted(row) == ["a", "b", "c"] for row in child["top"])
    assert child["classes"] == ["a", "b", "c", "d"] and child["reloaded_same"]


def test_text_fine_tune_features_and_predict_without_tensorflow(child):
    assert child["text_epochs"] == 2 and child["text_features"][0] == 16
    assert [len(row) for row in child["text_top"]] == [1, 1, 1]
    assert all(row[0] in ("neg", "pos") for row in child["text_top"])
