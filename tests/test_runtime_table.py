"""The runtime tables of README.md and docs/index.md match the recorded runs (scripts/runtime_table.py)."""
import importlib.util
import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _script():
    spec = importlib.util.spec_from_file_location("runtime_table", REPO / "scripts" / "runtime_table.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_readme_and_docs_tables_match_the_records(capsys):
    assert _script().main(["--check"]) == 0, capsys.readouterr().out


def _write(path: Path, seconds: float, backend: str = "tensorflow") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"seconds": seconds, "machine": "x86_64 CPU, 2 cores", "backend": backend}))


def test_the_table_shows_each_record_and_not_measured_elsewhere(tmp_path):
    script = _script()
    notebooks, results = tmp_path / "notebooks", tmp_path / "results"
    notebooks.mkdir()
    for name in ("00_setup.ipynb", "01_intro.ipynb"):
        (notebooks / name).write_text("{}")
    _write(results / "notebooks" / "00.json", 28.1)
    _write(results / "notebooks" / "00.fast.json", 12.4)
    _write(results / "notebooks" / "01.json", 258.0)
    _write(results / "gpu" / "notebooks" / "01.json", 31.0, backend="jax")
    table = script.table(results, notebooks)
    assert "| 00_setup | 12 s | 28 s | not measured |" in table
    assert "| 01_intro | not measured | 4.3 min | 31 s |" in table
    assert "GPU: x86_64 CPU, 2 cores, jax." in table


def test_the_table_replaces_only_the_marked_block_and_needs_one():
    script = _script()
    text = f"intro\n{script.BEGIN}\nold\n{script.END}\noutro\n"
    assert script.with_table(text, f"{script.BEGIN}\nnew\n{script.END}", "x.md") == (
        f"intro\n{script.BEGIN}\nnew\n{script.END}\noutro\n")
    with pytest.raises(SystemExit, match="exactly one runtime-table block"):
        script.with_table("no markers", "", "x.md")
