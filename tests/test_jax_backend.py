"""The backend-sensitive test files, run again under the JAX backend (the suite itself runs on TensorFlow).

Keras picks its backend once per process, so they run in a child pytest with KERAS_BACKEND=jax.
"""
import os
import subprocess
import sys
from pathlib import Path

import keras
import pytest

HERE = Path(__file__).parent
FILES = ["test_heads.py", "test_freeze.py", "test_finetune.py", "test_add_classes.py", "test_audio_frontend.py",
         "test_surgery.py", "test_pretrain.py", "test_bad_input_training.py",
         "test_speech_embedding.py", "test_text_batches.py"]


@pytest.mark.skipif(keras.backend.backend() == "jax", reason="already running on JAX")
def test_core_suite_passes_on_jax():
    pytest.importorskip("jax")
    files = [str(HERE / f) for f in FILES if (HERE / f).exists()]
    env = {**os.environ, "KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu"}
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *files],
                         env=env, capture_output=True, text=True, timeout=1500, cwd=HERE.parent)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert " passed" in out.stdout.splitlines()[-1]
