"""docs/architecture.md is the map of kzoo's imports, and this test holds the code to it.

It reads every module's imports with ``ast`` (nothing is executed), places each module in the layer
that the doc's ``layers`` block gives it, and fails on an import that points to a higher layer, on an
import cycle between modules, on a module the map does not place, and on a private name (``_x``) taken
from another module that is not itself a shared internal (``_x.py``), and on an import between two
packages that the doc's ``apart`` block keeps apart. Imports inside functions count.
"""
import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


class Tree:
    """kzoo's modules under ``root``, their kzoo imports and the layers of ``root/docs/architecture.md``."""

    def __init__(self, root: Path):
        self.root = root
        self.modules = {self._name(p): p for p in sorted((root / "kzoo").rglob("*.py"))}
        doc = (root / "docs" / "architecture.md").read_text(encoding="utf-8")
        self.layers = [(name.strip(), prefixes.split()) for name, prefixes in self._block(doc, "layers")]
        self.apart = [(a.strip(), b.strip()) for a, b in self._block(doc, "apart")]
        self.edges = {m: [e for e in self._imports(m) if e[0] in self.modules and e[0] != m] for m in self.modules}

    def _name(self, path: Path) -> str:
        parts = path.relative_to(self.root).with_suffix("").parts
        return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)

    @staticmethod
    def _block(doc: str, kind: str) -> list[list[str]]:
        """The lines of the doc's ```text <kind> block, each split at its first ``:`` (layers) or ``|`` (apart)."""
        block = re.search(rf"```text {kind}\n(.*?)```", doc, re.S)
        assert block, f"docs/architecture.md has no ```text {kind} block"
        return [line.split(":" if kind == "layers" else "|", 1) for line in block.group(1).splitlines() if line.strip()]

    @staticmethod
    def _inside(module: str, prefix: str) -> bool:
        return module == prefix or module.startswith(prefix + ".")

    def layer_of(self, module: str) -> int | None:
        """The index of the layer whose longest prefix matches ``module``."""
        matches = [(len(prefix), index) for index, (_, prefixes) in enumerate(self.layers) for prefix in prefixes
                   if self._inside(module, prefix)]
        return max(matches)[1] if matches else None

    def _imports(self, module: str):
        """(imported kzoo module, line, private names taken from it) for every import in the file."""
        path = self.modules[module]
        package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                yield from ((a.name, node.lineno, []) for a in node.names if a.name.split(".")[0] == "kzoo")
            elif isinstance(node, ast.ImportFrom):
                base = package[: len(package) - node.level + 1] if node.level else []
                target = ".".join(base + ([node.module] if node.module else []))
                if target.split(".")[0] != "kzoo":
                    continue
                for alias in node.names:
                    if f"{target}.{alias.name}" in self.modules:  # `from kzoo.x import y`, y a module
                        yield f"{target}.{alias.name}", node.lineno, []
                    else:
                        private = alias.name.startswith("_") and not alias.name.endswith("__")
                        yield target, node.lineno, [alias.name] if private else []

    def where(self, module: str, line: int) -> str:
        return f"{self.modules[module].relative_to(self.root)}:{line}"

    def unplaced(self) -> list[str]:
        return [m for m in self.modules if self.layer_of(m) is None]

    def upward(self) -> list[str]:
        found = []
        for module, targets in self.edges.items():
            mine = self.layer_of(module)
            for target, line, _ in targets:
                theirs = self.layer_of(target)
                if mine is not None and theirs is not None and theirs > mine:
                    found.append(f"{self.where(module, line)} {module} ({self.layers[mine][0]}) imports {target} "
                                 f"({self.layers[theirs][0]})")
        return found

    def cycles(self) -> list[str]:
        graph = {m: sorted({t for t, _, _ in targets}) for m, targets in self.edges.items()}
        state, stack, found = {}, [], []

        def visit(node):
            state[node] = "open"
            stack.append(node)
            for nxt in graph[node]:
                if state.get(nxt) == "open":
                    found.append(" -> ".join(stack[stack.index(nxt):] + [nxt]))
                elif nxt not in state:
                    visit(nxt)
            stack.pop()
            state[node] = "done"

        for node in graph:
            if node not in state:
                visit(node)
        return found

    def crossings(self) -> list[str]:
        return [f"{self.where(module, line)} {module} imports {target}, which the map keeps apart from it"
                for module, targets in self.edges.items() for target, line, _ in targets for a, b in self.apart
                if (self._inside(module, a) and self._inside(target, b)) or
                (self._inside(module, b) and self._inside(target, a))]

    def private_names(self) -> list[str]:
        return [f"{self.where(module, line)} takes {private} from {target}"
                for module, targets in self.edges.items() for target, line, private in targets
                if private and not target.split(".")[-1].startswith("_")]


@pytest.fixture(scope="module")
def tree():
    return Tree(ROOT)


def test_every_module_has_a_layer(tree):
    assert not tree.unplaced(), f"modules that docs/architecture.md does not place in a layer: {tree.unplaced()}"


def test_imports_never_point_up(tree):
    assert not tree.upward(), "imports that point to a higher layer:\n" + "\n".join(tree.upward())


def test_no_import_cycles(tree):
    assert not tree.cycles(), "import cycles:\n" + "\n".join(tree.cycles())


def test_packages_kept_apart_do_not_import_each_other(tree):
    assert not tree.crossings(), "\n".join(tree.crossings())


def test_no_private_names_across_modules(tree):
    assert not tree.private_names(), ("private names imported from another module (move them into a shared "
                                      "_x.py internal, or make them public):\n" + "\n".join(tree.private_names()))


@pytest.mark.parametrize("check, low_module", [
    ("upward", "from kzoo import high\n"),
    ("cycles", "import kzoo.low.other\n"),
    ("private_names", "def f():\n    from kzoo.high import _secret\n"),
    ("unplaced", ""),
    ("crossings", "import kzoo.high\n"),
])
def test_each_rule_catches_a_planted_violation(check, low_module, tmp_path):
    """A green run above means something: each rule fails on a small tree that breaks it."""
    (tmp_path / "kzoo" / "low").mkdir(parents=True)
    (tmp_path / "docs").mkdir()
    files = {"__init__.py": "", "low/__init__.py": "", "high.py": "from kzoo.low import base\n",
             "low/base.py": low_module, "low/other.py": "from kzoo.low import base\n"}
    if check == "unplaced":
        files["stray.py"] = ""
    for name, text in files.items():
        (tmp_path / "kzoo" / name).write_text(text)
    (tmp_path / "docs" / "architecture.md").write_text(
        "```text layers\nlow: kzoo.low\nhigh: kzoo.high\n```\n```text apart\nkzoo.low | kzoo.high\n```\n")
    assert getattr(Tree(tmp_path), check)(), f"the {check} rule missed a planted violation"
