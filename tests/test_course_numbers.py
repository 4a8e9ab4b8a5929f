"""The number rule: every figure the course quotes comes from a run.

In a notebook's markdown cells, every number written with a ``%`` sign, a decimal point or an ``x`` ratio
(``93.5%``, ``0.42``, ``2.4x``) must appear, with the same digits, among the lines that notebook printed in
its recorded full-mode run (``bench/results/notebooks/NN.json``, written by ``bench/notebooks.py``), unless
it is a published figure followed in the same sentence by a citation with a year in parentheses
(``92.7% (Devlin et al., 2019)``). Code (fenced or inline) and link targets are not prose and are skipped.

The README's demo table must be the mean +- std of ``bench/results/demo.json``, and every other figure
the README quotes must come from that record too.
"""
import json
import re
from pathlib import Path

import numpy as np
import pytest

from kzoo import course

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((REPO / "notebooks").glob(course.NOTEBOOK_PATTERN))
RECORDS = REPO / "bench" / "results" / "notebooks"

# A percentage, a decimal number, or a ratio such as 2.4x (not a size such as 8x8 or 4x4x128).
_NUMBER = re.compile(r"(?<![\w.])(?<![A-Za-z]-)(\d+(?:\.\d+)?\s?%|\d+\.\d+(?![\d.]*x\d)x?|\d+x(?![\w]))")
_CODE = re.compile(r"```.*?```|`[^`]*`|\]\([^)]*\)|<[^>]+>", re.DOTALL)
_YEAR_IN_PARENS = re.compile(r"\([^()]*\b(?:19|20)\d\d[a-z]?\b[^()]*\)")
# A sentence ends at . ! ? followed by white space and a capital letter or a new paragraph.
_SENTENCE_END = re.compile(r"[.!?](?=\s+[A-Z*(]|\s*\n\s*\n|\s*$)|\n\s*\n|\n\s*[-*] ")


def _digits(token: str) -> str:
    return re.sub(r"[^\d.]", "", token)


def _sentence_around(text: str, start: int, end: int) -> tuple[str, str]:
    """(the sentence up to the number, the rest of the sentence from the number on)."""
    ends = [m.end() for m in _SENTENCE_END.finditer(text)]
    begin = max([e for e in ends if e <= start], default=0)
    stop = min([e for e in ends if e >= end], default=len(text))
    return text[begin:start], text[start:stop]


def _is_cited(text: str, start: int, end: int) -> bool:
    """A citation with a year in parentheses follows in the same sentence, or encloses the number."""
    before, after = _sentence_around(text, start, end)
    if _YEAR_IN_PARENS.search(after):
        return True
    opened = before.rfind("(")
    if opened > before.rfind(")"):  # the number sits inside a parenthesis: does that one cite a year?
        closing = after.find(")")
        inside = before[opened:] + (after[: closing + 1] if closing >= 0 else after)
        return bool(_YEAR_IN_PARENS.fullmatch(inside))
    return False


def quoted_numbers(markdown: str) -> list[str]:
    """The figures a markdown text quotes that the number rule covers (cited published figures left out).

    >>> quoted_numbers("We measured 93.5% and 2.4x on 8x8 images; BERT gets 92.7% (Devlin et al., 2019).")
    ['93.5%', '2.4x']
    """
    prose = _CODE.sub(lambda m: " " * len(m.group()), markdown)
    return [m.group(1) for m in _NUMBER.finditer(prose) if not _is_cited(prose, m.start(1), m.end(1))]


def _printed_numbers(lines: list[str]) -> list[tuple[str, str]]:
    return [(m.group(), line) for line in lines for m in re.finditer(r"\d+(?:\.\d+)?", line.replace(",", ""))]


def unbacked_numbers(markdown: str, printed: list[str]) -> list[tuple[str, str]]:
    """(number, nearest printed line) for every quoted figure whose digits no printed line holds."""
    found = _printed_numbers(printed)
    have = {digits for digits, _ in found}
    missing = []
    for token in quoted_numbers(markdown):
        digits = _digits(token)
        if digits in have:
            continue
        nearest = min(found, key=lambda f: abs(float(f[0]) - float(digits)), default=("", "(nothing printed)"))
        line = nearest[1].strip()
        missing.append((token, line if len(line) <= 120 else line[:117] + "..."))
    return missing


def _record(number: str) -> dict | None:
    path = RECORDS / f"{number}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_prose_quotes_only_numbers_its_full_run_printed(path):
    record = _record(path.name[:2])
    nb = course.read_notebook(path)
    cells = [(i, c.source) for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and quoted_numbers(c.source)]
    if not cells:
        return
    assert record is not None, (f"{path.name} quotes figures but has no full-mode record: run "
                                f"`python bench/notebooks.py {path.name[:2]}` and commit {RECORDS.name}/{path.name[:2]}.json")
    problems = [f"  cell {i}: {token!r} is not in the printed output; nearest printed line: {line!r}"
                for i, source in cells for token, line in unbacked_numbers(source, record["printed"])]
    assert not problems, (f"{path.name}: figures in the prose that its recorded full-mode run "
                          f"({record['date']}) did not print. Print them in a code cell and re-run "
                          f"`python bench/notebooks.py {path.name[:2]}`, or write the prose from what it printed:\n"
                          + "\n".join(problems))


# --- the README ------------------------------------------------------------------------------------
def _demo_rows(demo: dict) -> dict[str, list[str]]:
    """{labels per class: ["63.0 ± 5.7%", ...]} in the README table's column order."""
    methods = ["scratch", "option 1", "option 2"]
    return {shots: [f"{100 * np.mean(demo['results'][m][shots]):.1f} ± {100 * np.std(demo['results'][m][shots]):.1f}%"
                    for m in methods] for shots in demo["results"]["scratch"]}


def test_readme_demo_table_is_the_recorded_demo_run():
    demo = json.loads((REPO / "bench" / "results" / "demo.json").read_text(encoding="utf-8"))
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for shots, cells in _demo_rows(demo).items():
        row = f"| {shots} | " + " | ".join(cells) + " |"
        assert row in readme, f"README's demo table row for {shots} per class should read {row!r} (bench/results/demo.json)"
    assert f"3 seeds, {demo['seconds']:.0f} s" in readme, f"README should give the demo's recorded time, {demo['seconds']:.0f} s"


def test_readme_quotes_only_recorded_numbers():
    demo = json.loads((REPO / "bench" / "results" / "demo.json").read_text(encoding="utf-8"))
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    # the runtime table is generated from bench/results/notebooks (tests/test_runtime_table.py checks it)
    readme = re.sub(r"<!-- runtime table:.*?<!-- end of runtime table -->", "", readme, flags=re.S)
    printed = [" ".join(cells) for cells in _demo_rows(demo).values()]
    missing = unbacked_numbers(readme, printed)
    assert not missing, f"README figures not in bench/results/demo.json: {missing}"


# --- the rule's own logic ----------------------------------------------------------------------------
def test_a_planted_number_is_caught_with_the_nearest_printed_line():
    printed = ["FAST mode: False", "right insect first: 73%, among the top 5: 92% of 153 photos"]
    assert unbacked_numbers("We measured 73% at the top and 92% in the top five.", printed) == []
    assert unbacked_numbers("We measured 74% at the top.", printed) == [
        ("74%", "right insect first: 73%, among the top 5: 92% of 153 photos")]
    assert unbacked_numbers("A ratio of 2.4x.", ["took 3 s", "loss 0.1"]) == [("2.4x", "took 3 s")]


def test_same_digits_means_the_whole_number():
    printed = ["accuracy 93.55%", "loss 0.425"]
    assert [t for t, _ in unbacked_numbers("It reached 93.5% and 0.42.", printed)] == ["93.5%", "0.42"]
    assert unbacked_numbers("It reached 93.55% with a loss of 0.425.", printed) == []


def test_a_cited_published_figure_is_allowed_and_an_uncited_one_is_not():
    assert quoted_numbers("BERT reaches 92.7% on SST-2 (Devlin et al., 2019).") == []
    assert quoted_numbers("On Split-MNIST (van de Ven & Tolias 2019: LwF ~24% against replay ~90%).") == []
    assert quoted_numbers("BERT reaches 92.7% on SST-2. Devlin et al. (2019) say so.") == ["92.7%"]
    assert quoted_numbers("BERT reaches 92.7% on SST-2 (see notebook 06).") == ["92.7%"]


def test_sizes_code_and_links_are_not_quoted_figures():
    assert quoted_numbers("Apache-2.0, but a change of -0.7%.") == ["0.7%"]
    text = ("8x8 images, a 4x4x128 map, 3x3 filters, `mask_ratio=0.5`, [link](https://x.org/v1.2) "
            "and\n```python\nlr = 0.001\n```\nbut 92x faster and 0.5 s.")
    assert quoted_numbers(text) == ["92x", "0.5"]
