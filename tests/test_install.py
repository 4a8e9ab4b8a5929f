"""A real install: the wheel carries everything kzoo ships, and the demo runs from it offline, anywhere."""
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHIPPED_MODEL = "kzoo/data/glyphnet/glyphnet.keras"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """kzoo's wheel, built from a copy of the sources (a build leaves build/ and *.egg-info behind)."""
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "kzoo", src / "kzoo", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    out = tmp_path_factory.mktemp("wheel")
    run = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                          "--wheel-dir", str(out), str(src)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    (built,) = out.glob("kzoo-*.whl")
    return built


def test_the_wheel_carries_the_shipped_model_and_the_metadata(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        (metadata,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        text = archive.read(metadata).decode()
    assert SHIPPED_MODEL in names and "kzoo/data/glyphnet/metadata.json" in names
    assert not any("__pycache__" in n or n.startswith("tests/") for n in names)
    assert "Project-URL: Repository, https://github.com/kzoo-course/kzoo" in text
    for extra in ("course", "test", "docs", "jax"):
        assert f"Provides-Extra: {extra}" in text
    print(f"wheel {wheel.name}: {wheel.stat().st_size / 1024:.0f} KiB")


def test_installed_wheel_runs_the_demo_offline_from_another_folder(wheel, tmp_path):
    target, elsewhere = tmp_path / "site", tmp_path / "elsewhere"
    elsewhere.mkdir()
    run = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--target",
                          str(target), str(wheel)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    env = {k: v for k, v in os.environ.items() if k not in ("KZOO_ASSETS", "TF_CPP_MIN_LOG_LEVEL", "KZOO_VERBOSE")}
    env.update(PYTHONPATH=str(target), KZOO_OFFLINE="1", MPLBACKEND="Agg")

    def kzoo(*args, timeout=60):
        return subprocess.run([sys.executable, *args], cwd=elsewhere, env=env, capture_output=True, text=True,
                              timeout=timeout)

    where = kzoo("-c", "import kzoo; print(kzoo.__file__, kzoo.__version__)")
    location, version = where.stdout.split()
    assert Path(location).is_relative_to(target) and version != "0+unknown", where.stdout + where.stderr
    demo = kzoo("-m", "kzoo", "demo", "--quick", "--seeds", "1", "--out", "out", timeout=600)
    assert demo.returncode == 0, demo.stderr[-3000:]
    assert "labelled/class" in demo.stdout and (elsewhere / "out" / "demo.png").is_file()
    assert demo.stderr == "", demo.stderr[-3000:]  # quiet: no TensorFlow start-up lines, no warnings


# Removes the editable kzoo of the surrounding environment (a meta-path finder installed by a .pth file,
# which site.py runs before sitecustomize), so a virtualenv made with --system-site-packages lacks kzoo.
_HIDE_EDITABLE_KZOO = """
import sys
sys.meta_path[:] = [f for f in sys.meta_path if not getattr(f, "__module__", "").startswith("__editable___kzoo")]
"""


def test_the_install_cell_installs_kzoo_into_a_clean_virtualenv(wheel, tmp_path):
    from kzoo.course.install import install_code
    from kzoo.course.source import REPOSITORY

    venv, hide = tmp_path / "venv", tmp_path / "hide"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True, timeout=120)
    hide.mkdir()
    (hide / "sitecustomize.py").write_text(_HIDE_EDITABLE_KZOO)
    python = str(venv / "bin" / "python")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "KZOO_ASSETS")}
    # Offline: the wheel from KZOO_INSTALL_FROM, its dependencies and the weight packages already present.
    env.update(PYTHONPATH=str(hide), KZOO_INSTALL_FROM=str(wheel), PIP_NO_INDEX="1", MPLBACKEND="Agg")

    def child(code):
        return subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=300, env=env,
                              cwd=tmp_path)

    before = child("import importlib.util; print(importlib.util.find_spec('kzoo'))")
    assert before.stdout.strip() == "None", before.stdout + before.stderr
    cell = child(install_code("07_audio.ipynb"))
    assert cell.returncode == 0, cell.stdout[-2000:] + cell.stderr[-3000:]
    after = child("import kzoo, kzoo.course; print(kzoo.__file__); print(kzoo.course.source.REPOSITORY)")
    assert after.returncode == 0, after.stderr[-3000:]
    location, repository = after.stdout.split()
    assert Path(location).is_relative_to(venv) and repository == REPOSITORY
    again = child(install_code("07_audio.ipynb"))  # now a no-op: nothing printed, nothing installed
    assert again.returncode == 0 and again.stdout == again.stderr == ""
