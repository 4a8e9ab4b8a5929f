"""The ``kzoo`` command: each sub-command runs, prints what it should, and fails cleanly on bad input."""
import json
import subprocess
import sys

import pytest

from kzoo.cli import main


def test_list_offline_text_models(capsys):
    assert main(["list", "--modality", "text", "--offline"]) == 0
    out = capsys.readouterr().out
    assert "minilm_l6" in out.split("\n", 1)[1] or "0 models" in out
    assert "efficientnet" not in out  # only text models


def test_info_prints_the_record_as_json(capsys):
    assert main(["info", "glyphnet"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["name"] == "glyphnet" and record["local_copy"]


def test_unknown_name_is_a_clean_error_with_a_suggestion(capsys):
    assert main(["info", "glyphnett"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("kzoo: error:") and "glyphnet" in err and "Traceback" not in err


def test_fetch_of_a_keras_application_explains_who_downloads(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))  # nothing cached
    assert main(["fetch", "mobilenetv2"]) == 0
    out = capsys.readouterr().out
    assert "Keras" in out and "kzoo.load('mobilenetv2')" in out


def test_fetch_offline_without_a_copy_says_where_it_looked(capsys, monkeypatch):
    monkeypatch.setenv("KZOO_OFFLINE", "1")
    monkeypatch.delenv("KZOO_ASSETS", raising=False)
    assert main(["fetch", "efficientnet_lite0"]) == 2
    assert "KZOO_OFFLINE" in capsys.readouterr().err


def test_demo_quick_writes_table_plot_and_numbers(tmp_path):
    """The README's main job, in its quick form, as a user runs it: a separate process."""
    numbers = tmp_path / "demo.json"
    run = subprocess.run([sys.executable, "-m", "kzoo", "demo", "--seeds", "1", "--quick",
                          "--out", str(tmp_path), "--json", str(numbers)],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "labelled/class" in run.stdout and (tmp_path / "demo.png").stat().st_size > 10_000
    results = json.loads(numbers.read_text())["results"]
    assert set(results) == {"scratch", "option 1", "option 2"}
    for method in results.values():
        assert set(method) == {"1", "5", "20"}
        assert all(0.1 < acc <= 1.0 for accs in method.values() for acc in accs)
    # Pre-training must help at one example per class, even in the quick form.
    assert results["option 1"]["1"][0] > results["scratch"]["1"][0]


@pytest.mark.parametrize("argv", [["demo", "--seeds", "0"]])
def test_demo_rejects_bad_seeds(argv, capsys):
    assert main(argv) == 2
    assert "seeds" in capsys.readouterr().err


def _modules_after(code: str) -> set[str]:
    """The top-level packages a fresh interpreter has imported after running ``code``."""
    probe = code + "\nimport json, sys\nprint(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    return set(json.loads(run.stdout.splitlines()[-1]))


HEAVY = {"keras", "tensorflow", "jax", "keras_hub"}


def test_import_kzoo_and_help_load_no_framework():
    loaded = _modules_after("import kzoo\nfrom kzoo.cli import main\n"
                            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass")
    assert not loaded & HEAVY


def test_every_public_name_is_reachable_lazily():
    import kzoo

    assert all(getattr(kzoo, name) is not None for name in kzoo.__all__)
    assert set(kzoo.__all__) <= set(dir(kzoo)) and kzoo.config.fast_mode() in (True, False)
    with pytest.raises(AttributeError, match="no attribute 'not_a_name'"):
        kzoo.not_a_name  # noqa: B018


def test_functions_named_like_their_module_stay_functions_whoever_imports_the_module_first():
    # kzoo.finetune imports kzoo.freeze; kzoo.predict is imported by its full name.
    run = subprocess.run([sys.executable, "-c", "import kzoo, kzoo.finetune, kzoo.predict\n"
                          "print(kzoo.freeze.__name__, type(kzoo.freeze).__name__, type(kzoo.predict).__name__)"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.split()[-3:] == ["freeze", "function", "function"]


def test_list_and_info_skip_tensorflow_once_the_index_is_cached():
    _modules_after("from kzoo.cli import main\nmain(['list'])")  # the first listing may build the index
    for argv in (["list"], ["info", "glyphnet"]):
        assert "tensorflow" not in _modules_after(f"from kzoo.cli import main\nmain({argv!r})"), argv


def test_version_comes_from_the_package_metadata(capsys):
    import kzoo

    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0 and capsys.readouterr().out.strip() == f"kzoo {kzoo.__version__}"
