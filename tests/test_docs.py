"""The docs site: ``mkdocs build --strict`` passes and no internal link or anchor is broken.

The docs tools are pinned in requirements.txt; a checkout without them skips this file (with the
install command in the reason) rather than failing.
"""
import contextlib
import html.parser
import re
import importlib.util
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

import pytest

REPO = Path(__file__).resolve().parent.parent
PLUGINS = ("mkdocs", "material", "mkdocs_jupyter", "mkdocstrings_handlers.python")


class _Links(html.parser.HTMLParser):
    """Collects the ids of a page and the href/src of its links, images and scripts."""

    def __init__(self):
        super().__init__()
        self.ids, self.links = set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.add(attrs["name"])
        for key in ("href", "src"):
            if attrs.get(key):
                self.links.append(attrs[key])


def _parse(page: Path) -> _Links:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def _site_prefix() -> str:
    """The path the site is served under (``/kzoo/`` for site_url https://host/kzoo/)."""
    import yaml

    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    return urlsplit(config.get("site_url") or "/").path or "/"


def _target(site: Path, page: Path, link: str) -> tuple[Path | None, str]:
    """(the file an internal link points to, its fragment); (None, "") for external links."""
    url, fragment = urldefrag(link)
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or link.startswith(("mailto:", "javascript:", "data:")):
        return None, ""
    path = unquote(parts.path)
    if path.startswith("/"):  # absolute links (the 404 page) are under the site's URL path
        prefix = _site_prefix()
        path = str(site / path[len(prefix):]) if path.startswith(prefix) else str(site / "__outside_site__")
    path = (page.parent / path).resolve() if path else page
    if path.is_dir():
        path = path / "index.html"
    return path, fragment


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    missing = [name for name in PLUGINS if importlib.util.find_spec(name.split(".")[0]) is None
               or importlib.util.find_spec(name) is None]
    if missing:
        pytest.skip(f"docs tools not installed: {missing} (pip install mkdocs mkdocs-material "
                    "mkdocs-jupyter mkdocstrings-python)")
    out = tmp_path_factory.mktemp("site")
    build = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
                           cwd=REPO, capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    return out


def test_site_has_home_getting_started_course_and_api(site):
    for page in ("index.html", "getting-started/index.html", "course/index.html", "api/zoo/index.html",
                 "course/00_setup_and_the_zoo/index.html", "course/01_what_pretraining_is/index.html"):
        assert (site / page).is_file(), page
    assert "kzoo.load" in (site / "api" / "zoo" / "index.html").read_text(encoding="utf-8")
    notebook = (site / "course" / "01_what_pretraining_is" / "index.html").read_text(encoding="utf-8")
    assert "What pre-training is" in notebook and "BEGIN SOLUTION" in notebook  # rendered, with solutions
    assert "FAST mode: False" in notebook  # the executed copy of the full-mode run, outputs included
    # Only the executed copies are pages: not the stripped sources, not the student versions.
    assert not (site / "notebooks" / "student").exists()
    assert not list((site / "notebooks").glob("[0-9][0-9]_*"))


def test_no_broken_internal_links(site):
    pages = sorted(site.rglob("*.html"))
    parsed = {page.resolve(): _parse(page) for page in pages}
    broken = []
    for page in pages:
        for link in parsed[page.resolve()].links:
            target, fragment = _target(site, page, link)
            if target is None:
                continue
            if not target.exists():
                broken.append(f"{page.relative_to(site)} -> {link} (no such file)")
            elif fragment and target.suffix == ".html" and fragment not in parsed[target].ids:
                broken.append(f"{page.relative_to(site)} -> {link} (no anchor #{fragment})")
    assert len(pages) > 10
    assert broken == [], "\n".join(broken[:30])


def _chromium() -> str:
    import shutil

    found = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
    if found is None:
        pytest.skip("no headless browser (Debian: apt install chromium)")
    return found


@contextlib.contextmanager
def _serve(site: Path):
    """The built site over HTTP on a free loopback port, as a static host would serve it."""
    import functools
    import http.server
    import threading

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()


def _browser(chromium: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                           "--window-size=1280,900", *args], capture_output=True, text=True, timeout=120)


def test_a_real_browser_renders_the_home_page_and_every_notebook_cell_and_figure(site, tmp_path):
    import nbformat
    from PIL import Image

    from kzoo import course

    chromium = _chromium()
    with _serve(site) as url:
        shot = tmp_path / "home.png"
        _browser(chromium, f"--screenshot={shot}", url + "/")
        image = Image.open(shot).convert("RGB")
        assert image.size == (1280, 900)
        assert len(set(image.getdata())) > 50, "the home page rendered blank"
        for source in sorted((REPO / "notebooks").glob(course.NOTEBOOK_PATTERN)):
            nb = nbformat.read(REPO / "docs" / "course" / source.name, as_version=4)  # the executed copy
            dom = _browser(chromium, "--dump-dom", f"{url}/course/{source.stem}/").stdout
            for kind, css in (("code", "jp-CodeCell"), ("markdown", "jp-MarkdownCell")):
                expected = sum(cell.cell_type == kind for cell in nb.cells)
                rendered = re.findall(rf'class="jp-Cell {css}[^"]*" id="cell-id=', dom)  # one per cell
                assert len(rendered) == expected, f"{source.name}: {len(rendered)} of {expected} {kind} cells"
            figures = sum(any(k.startswith("image/") for k in out.get("data", {}))
                          for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs)
            shown = re.findall(r'<img [^>]*src="data:image/(?:png|jpeg);base64,', dom)
            assert len(shown) == figures, f"{source.name}: the page shows {len(shown)} of its {figures} figures"
