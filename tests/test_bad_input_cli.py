"""Bad input through the ``kzoo`` command: every case ends in a clear message and an exit status, never a
Python traceback (unless ``--debug`` asks for one)."""
import os
import subprocess
import sys

import pytest

from kzoo.cli import main
from kzoo.errors import UnknownNameError


def _fails_cleanly(argv, capsys, status=2) -> str:
    """Run ``kzoo argv`` in-process; it must exit with ``status`` and no traceback. Returns stderr."""
    try:
        code = main(argv)
    except SystemExit as exit_:  # argparse's own usage errors
        code = exit_.code
    err = capsys.readouterr().err
    assert code == status, err
    assert "Traceback" not in err and err.startswith(("kzoo: ", "usage: kzoo")), err
    return err


@pytest.mark.parametrize("argv, says", [
    (["info", "no_such_model"], "No model named 'no_such_model'"),
    (["info", "efficientnet_lite"], "Did you mean 'efficientnet_lite0'"),
    (["fetch", "resnet5O"], "No model named"),
    (["info", ""], "must be a non-empty string"),
])
def test_unknown_names_are_kzoo_errors(argv, says, capsys):
    assert says in _fails_cleanly(argv, capsys)


@pytest.mark.parametrize("argv, says", [
    (["list", "--modality", "video"], "invalid choice: 'video'"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
    (["info"], "the following arguments are required: name"),
    (["demo", "--seeds", "three"], "invalid int value: 'three'"),
    (["list", "--colour"], "unrecognized arguments: --colour"),
    ([], "the following arguments are required: command"),
])
def test_bad_flags_print_usage(argv, says, capsys):
    assert says in _fails_cleanly(argv, capsys)


def test_bad_seed_count_is_refused_before_any_work(capsys):
    assert "seeds" in _fails_cleanly(["demo", "--seeds", "0"], capsys)


def test_an_empty_listing_says_so(capsys, monkeypatch):
    """The crash a fresh machine hit: no model matched, and the table printer assumed a row."""
    import kzoo.models

    monkeypatch.setattr(kzoo.models, "list_models", lambda **_: [])
    assert main(["list", "--modality", "text", "--offline"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("0 models available offline") and "name" not in out


def test_fetch_of_a_data_set_name_fetches_the_data_set(capsys, monkeypatch, tmp_path):
    """Error messages recommend `kzoo fetch ants_bees`: that must reach the data set, not 'No model named'."""
    monkeypatch.setenv("KZOO_OFFLINE", "1")
    monkeypatch.delenv("KZOO_ASSETS", raising=False)
    err = _fails_cleanly(["fetch", "ants_bees"], capsys)
    assert "data set 'ants_bees'" in err and "No model named" not in err
    local = tmp_path / "ants_bees"
    (local / "train" / "ants").mkdir(parents=True)
    assert main(["fetch", "ants_bees", "--path", str(local)]) == 0
    assert capsys.readouterr().out.strip() == str(local)


@pytest.mark.parametrize("variable", ["KZOO_CACHE", "KZOO_ASSETS"])
@pytest.mark.parametrize("kind", ["a file", "under a file"])
def test_misplaced_cache_or_mirror_is_a_message_not_a_traceback(variable, kind, capsys, monkeypatch, tmp_path):
    """A file where a folder should be: a one-line message naming the path (a kzoo error naming the
    variable once the library checks it), exit status 1 or 2, never a traceback."""
    path = tmp_path / "not_a_folder"
    path.write_text("x")
    bad = path if kind == "a file" else path / "sub"
    monkeypatch.delenv("KZOO_ASSETS", raising=False)  # the mirror would answer before the cache is read
    monkeypatch.setenv(variable, str(bad))
    monkeypatch.setenv("KZOO_OFFLINE", "1")
    try:
        code = main(["fetch", "efficientnet_lite0"])
    except SystemExit as exit_:
        code = exit_.code
    err = capsys.readouterr().err
    assert code in (1, 2) and "Traceback" not in err and err.startswith("kzoo: "), err
    assert str(path) in err or variable in err, err


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads and writes any folder")
def test_unwritable_cache_is_a_message_not_a_traceback(capsys, monkeypatch, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    monkeypatch.delenv("KZOO_ASSETS", raising=False)
    monkeypatch.setenv("KZOO_CACHE", str(locked / "kzoo"))
    monkeypatch.setenv("KZOO_OFFLINE", "1")
    code = main(["fetch", "efficientnet_lite0"])
    err = capsys.readouterr().err
    assert code in (1, 2) and "Traceback" not in err and ("KZOO_CACHE" in err or str(locked) in err), err


def test_an_unexpected_error_is_one_line_and_points_at_debug(capsys, monkeypatch):
    import kzoo.models

    def broken(name):
        raise RuntimeError("the index is broken\nsecond line of detail")

    monkeypatch.setattr(kzoo.models, "info", broken)
    err = _fails_cleanly(["info", "glyphnet"], capsys, status=1)
    assert err.splitlines() == ["kzoo: unexpected error: RuntimeError: the index is broken",
                                "run with --debug for the traceback"]


@pytest.mark.parametrize("argv", [["--debug", "info", "no_such_model"], ["info", "no_such_model", "--debug"]])
def test_debug_re_raises_with_the_traceback(argv):
    with pytest.raises(UnknownNameError, match="no_such_model"):
        main(argv)


def test_a_user_sees_the_traceback_only_with_debug(tmp_path):
    """As a user runs it: a separate process, the real exit status and stderr."""
    def kzoo(*argv):
        return subprocess.run([sys.executable, "-m", "kzoo", *argv], capture_output=True, text=True, timeout=300,
                              cwd=tmp_path)

    plain, debug = kzoo("info", "no_such_model"), kzoo("--debug", "info", "no_such_model")
    assert plain.returncode == 2 and plain.stderr.startswith("kzoo: error: No model named 'no_such_model'")
    assert "Traceback" not in plain.stderr and plain.stdout == ""
    assert debug.returncode == 1 and "Traceback (most recent call last)" in debug.stderr
    assert "UnknownNameError" in debug.stderr
