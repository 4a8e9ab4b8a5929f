"""kzoo.config: the environment flags, and quiet(), which silences framework logs unless KZOO_VERBOSE."""
import os
import subprocess
import sys

import pytest

from kzoo import config

# Import TensorFlow after quiet(), then make the two kinds of noise a user saw: C++ start-up lines and
# a tf.function retracing warning (TensorFlow's Python logger). Keras' unused-variable warning is not
# hidden: kzoo no longer trains the text encoder's unused pooler (tests/test_text_batches.py).
NOISY = f"""
import kzoo
print(kzoo.config.quiet())
import tensorflow as tf
tf.get_logger().warning("5 out of the last 5 calls to f triggered tf.function retracing.")
"""


def _run(code: str, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("TF_CPP_MIN_LOG_LEVEL", "KZOO_VERBOSE")}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          env={**clean, **env})


@pytest.mark.parametrize("value, expected", [("1", True), ("yes", True), ("0", False), ("", False)])
def test_flags_read_the_environment(monkeypatch, value, expected):
    for variable, flag in ((config.FAST_ENV, config.fast_mode), (config.OFFLINE_ENV, config.offline),
                           (config.VERBOSE_ENV, config.verbose)):
        monkeypatch.setenv(variable, value)
        assert flag() is expected


def test_quiet_silences_tensorflow_logs_and_retracing():
    run = _run(NOISY)
    assert run.returncode == 0 and run.stdout.strip() == "True"
    assert run.stderr == "", run.stderr[-2000:]


def test_kzoo_verbose_keeps_every_log():
    run = _run(NOISY, KZOO_VERBOSE="1")
    assert run.returncode == 0 and run.stdout.strip() == "False"
    assert "retracing" in run.stderr


def test_quiet_keeps_a_log_level_the_user_chose():
    run = _run("import os, kzoo\nkzoo.config.quiet()\nprint(os.environ['TF_CPP_MIN_LOG_LEVEL'])",
               TF_CPP_MIN_LOG_LEVEL="1")
    assert run.stdout.strip() == "1", run.stderr[-2000:]


def test_data_dir_holds_the_shipped_model():
    assert (config.data_dir() / "glyphnet" / "glyphnet.keras").is_file()
