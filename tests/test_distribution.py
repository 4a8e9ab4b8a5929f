"""Data parallelism with keras.distribution on JAX, on two virtual CPU devices (in a subprocess)."""
import os
import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent("""
    import numpy as np, keras, jax
    import kzoo
    assert len(jax.devices()) == 2, jax.devices()
    model = kzoo.load("glyphnet", class_names=[str(d) for d in range(10)])
    dist = keras.distribution.distribution()
    assert isinstance(dist, keras.distribution.DataParallel), dist
    from sklearn.datasets import load_digits
    d = load_digits()
    x, y = d.images[..., None].astype("float32")[:512], d.target[:512]
    h = kzoo.fine_tune(model, (x, y), head_epochs=3, epochs=1, lr=1e-2, batch_size=64)
    kernel = kzoo.find_head(model).kernel.value
    print("DEVICES", len(kernel.sharding.device_set), "LOSS", h.history["loss"][0], h.history["loss"][-1])
""")


def test_fine_tune_runs_data_parallel_on_two_jax_devices():
    pytest.importorskip("jax")
    env = {**os.environ, "KERAS_BACKEND": "jax", "XLA_FLAGS": "--xla_force_host_platform_device_count=2",
           "JAX_PLATFORMS": "cpu"}
    out = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    line = [l for l in out.stdout.splitlines() if l.startswith("DEVICES")][0].split()
    assert line[1] == "2"  # the head's weights are replicated on both devices
    assert float(line[-1]) < float(line[3])  # and training made progress
