"""kzoo's own generated data set: letters rendered from matplotlib's fonts, in sklearn's digits format.

``sklearn.datasets.load_digits`` holds 8x8 images whose grey levels 0..16 count the "on" pixels of
4x4 blocks of a 32x32 binary bitmap. NIST normalised each handwritten digit to fill the height of
the box, and every class ends up with about 30% of its pixels on. ``make_glyphs`` produces letters
in that same format, so a network pre-trained on them (task A) transfers to the digits (task B):

1. each letter of each font is rendered once with PIL (cached),
2. each sample gets a random font, rotation (+-15 deg), shear, width scale, size (height in the
   frame), translation and a smooth elastic distortion (bent strokes, like handwriting); one warp
   per sample maps it into a 32x32 frame (vectorised bilinear sampling of the cached renders, then
   binarised at 0.5),
3. the stroke thickness is set by Min/Max filters so that the ink fraction is close to a random
   target drawn like the digits' (about 0.31 +- 0.03),
4. 4x4 blocks are counted into 8x8 grey levels 0..16.
"""
from __future__ import annotations

import functools
import string
from pathlib import Path

import numpy as np

from kzoo._checks import whole_number
from kzoo.errors import InputError

LETTERS = string.ascii_uppercase + string.ascii_lowercase  # the 52 classes of glyphnet, A-Z then a-z
FRAME = 32  # side of the binary bitmap, as in the NIST / UCI optdigits preprocessing
BLOCK = 4  # 32x32 bitmap -> 8x8 counts of 0..16
_RENDER_SIZE = 48  # font size of the cached renders: letters come out about 26-40 px tall
_CANVAS = 72  # side of the square each cached render is centred in (with a blank border)
_ANGLES = 720  # directions of the support function used to find warped bounding boxes
# TeX symbol/extension fonts map letter code points to math symbols, not letters.
_SYMBOL_FONT_FAMILIES = frozenset({"cmex10", "cmsy10"})
# Augmentation ranges.
_MAX_ROTATION_DEG = 15.0
_MAX_SHEAR = 0.5
_WIDTH_SCALE = (0.65, 1.15)
_MAX_WIDTH_FILL = 0.65  # digits leave the outer block columns nearly empty
_HEIGHT_FILL = (0.85, 1.0)  # glyph height / frame before thickening (thickening adds a few px)
# Elastic distortion: a 4x4 grid of control points, displaced by N(0, s^2) px with s ~ U(0, 4).
_ELASTIC_GRID, _ELASTIC_PX = 4, 4.0
_INK_MEAN, _INK_STD, _INK_RANGE = 0.31, 0.03, (0.22, 0.40)  # measured on sklearn digits
_THICKNESS_LEVELS = 9  # MinFilter(3), none, then 1..7 steps of MaxFilter(2)
_CHUNK = 4096  # samples warped at once (bounds memory, keeps results independent of N)


def _font_dir() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def _covers(path: Path, chars: str) -> bool:
    """True when the font maps every char to its own glyph (rules out blank and fallback fonts)."""
    from matplotlib import ft2font

    font = ft2font.FT2Font(str(path))
    indices = [font.get_char_index(ord(c)) for c in chars]
    return 0 not in indices and len(set(indices)) == len(chars)


@functools.lru_cache(maxsize=1)
def _letter_fonts() -> tuple[Path, ...]:
    from matplotlib import ft2font

    return tuple(path for path in sorted(_font_dir().glob("*.ttf"))
                 if ft2font.FT2Font(str(path)).family_name not in _SYMBOL_FONT_FAMILIES
                 and _covers(path, LETTERS))


@functools.lru_cache(maxsize=None)
def _fonts_covering(chars: str) -> tuple[Path, ...]:
    return tuple(path for path in _letter_fonts() if _covers(path, chars))


def glyph_fonts() -> list[Path]:
    """The font files ``make_glyphs`` draws letters from.

    They are the fonts matplotlib ships (``matplotlib.get_data_path()/fonts/ttf``: DejaVu, STIX,
    Computer Modern) that have a distinct glyph for every ASCII letter, without the TeX symbol fonts
    (and without the fallback and display fonts, which have no real letters). With other
    ``classes``, ``make_glyphs`` uses those of them that draw every character asked for.

    Returns:
        Paths of the ``.ttf`` files, sorted by name.

    Raises:
        kzoo.InputError: matplotlib's font folder has no usable font (a broken matplotlib install).

    Example:
        >>> [p.name for p in glyph_fonts()][:2]
        ['DejaVuSans-Bold.ttf', 'DejaVuSans-BoldOblique.ttf']
    """
    fonts = _letter_fonts()
    if not fonts:
        raise InputError(f"No font with all ASCII letters in {_font_dir()}; reinstall matplotlib.")
    return list(fonts)


@functools.lru_cache(maxsize=2)  # about 24 MB per class set
def _renders(fonts: tuple[Path, ...], classes: str) -> tuple[np.ndarray, np.ndarray]:
    """Every (font, char) drawn once, centred on its ink box.

    Returns:
        masks: float32 (F * C, CANVAS * CANVAS), ink coverage 0..1, index ``font * C + class``.
        support: float32 (F * C, _ANGLES), the largest projection of the ink (pixel corners
            included) on each direction, so a warped glyph's bounding box is known without warping.
    """
    from PIL import Image, ImageDraw, ImageFont

    n = len(fonts) * len(classes)
    masks = np.zeros((n, _CANVAS, _CANVAS), np.float32)
    support = np.zeros((n, _ANGLES), np.float32)
    theta = np.arange(_ANGLES) * (2 * np.pi / _ANGLES)
    directions = np.stack([np.cos(theta), np.sin(theta)])
    corner = 0.5 * (np.abs(directions[0]) + np.abs(directions[1]))
    centre = (_CANVAS - 1) / 2
    for f, path in enumerate(fonts):
        font = ImageFont.truetype(str(path), _RENDER_SIZE)
        for c, char in enumerate(classes):
            image = Image.new("L", (2 * _CANVAS, 2 * _CANVAS), 0)
            ImageDraw.Draw(image).text((_CANVAS, _CANVAS), char, fill=255, font=font, anchor="mm")
            ink = np.asarray(image, np.float32) / 255.0
            rows, cols = np.nonzero(ink > 0.5)
            top, left = (rows.min() + rows.max()) // 2, (cols.min() + cols.max()) // 2
            half = _CANVAS // 2
            crop = ink[top - half: top - half + _CANVAS, left - half: left - half + _CANVAS]
            masks[f * len(classes) + c] = crop
            points = np.stack([cols - (left - half) - centre, rows - (top - half) - centre], 1)
            support[f * len(classes) + c] = (points @ directions).max(0) + corner
    return masks.reshape(n, -1), support


def _support(support: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """max over the ink of p . v, for one vector v (N, 2) per sample's render (N, _ANGLES)."""
    angle = np.arctan2(vectors[:, 1], vectors[:, 0]) % (2 * np.pi)
    index = np.rint(angle * (_ANGLES / (2 * np.pi))).astype(np.int64) % _ANGLES
    return np.hypot(vectors[:, 0], vectors[:, 1]) * support[np.arange(len(vectors)), index]


def _placements(support: np.ndarray, params: dict) -> tuple[np.ndarray, np.ndarray]:
    """The inverse affine map (frame pixel -> render pixel) of each sample: matrices and offsets."""
    rot = np.deg2rad(params["rotation"])
    cos, sin = np.cos(rot), np.sin(rot)
    rotate = np.stack([np.stack([cos, -sin], -1), np.stack([sin, cos], -1)], -2)
    skew = np.zeros_like(rotate)
    skew[:, 0, 0], skew[:, 0, 1], skew[:, 1, 1] = params["width"], params["shear"], 1.0
    forward = rotate @ skew  # render coordinates (x right, y down) -> warped, before sizing
    # Bounding box of the warped ink: the support function along the rows of the matrix.
    right, left = _support(support, forward[:, 0]), -_support(support, -forward[:, 0])
    bottom, top = _support(support, forward[:, 1]), -_support(support, -forward[:, 1])
    width, height = right - left, bottom - top
    # Like NIST's digits, every glyph fills (most of) the height; too wide ones are narrowed.
    scale_y = params["height"] * FRAME / height
    scale_x = np.minimum(scale_y, _MAX_WIDTH_FILL * FRAME / width)
    offset_x = (FRAME - scale_x * width) * params["shift"][:, 0] - scale_x * left
    offset_y = (FRAME - scale_y * height) * params["shift"][:, 1] - scale_y * top
    inverse = np.linalg.inv(forward) / np.stack([scale_x, scale_y], -1)[:, None, :]
    offset = np.stack([offset_x, offset_y], -1)
    centre = (_CANVAS - 1) / 2
    return inverse, centre - np.einsum("nij,nj->ni", inverse, offset)


@functools.lru_cache(maxsize=1)
def _elastic_weights() -> np.ndarray:
    """(FRAME, _ELASTIC_GRID) linear-interpolation weights from control points to pixel centres."""
    t = (np.arange(FRAME) + 0.5) * (_ELASTIC_GRID - 1) / FRAME
    return np.maximum(0, 1 - np.abs(t[:, None] - np.arange(_ELASTIC_GRID)[None])).astype(np.float32)


def _warp(masks: np.ndarray, index: np.ndarray, inverse: np.ndarray, shift: np.ndarray,
          elastic: np.ndarray) -> np.ndarray:
    """Bilinear sampling of each sample's render at its frame's pixel centres: (N, FRAME, FRAME).

    ``elastic`` (N, 2, G, G) displaces the sampling points smoothly (in frame pixels), which bends
    the strokes like handwriting does.
    """
    weights = _elastic_weights()
    field = weights @ elastic.astype(np.float32) @ weights.T  # (N, 2, FRAME, FRAME)
    centres = np.arange(FRAME, dtype=np.float32) + 0.5
    gx = np.tile(centres, FRAME) + field[:, 0].reshape(len(index), -1)
    gy = np.repeat(centres, FRAME) + field[:, 1].reshape(len(index), -1)
    inverse, shift = inverse.astype(np.float32), shift.astype(np.float32)
    # The canvas border is blank, so clipping into it samples zeros.
    x = np.clip(gx * inverse[:, 0, :1] + gy * inverse[:, 0, 1:] + shift[:, :1], 0, _CANVAS - 1.001)
    y = np.clip(gx * inverse[:, 1, :1] + gy * inverse[:, 1, 1:] + shift[:, 1:], 0, _CANVAS - 1.001)
    x0, y0 = x.astype(np.int32), y.astype(np.int32)  # floor: coordinates are non-negative
    fx, fy = x - x0, y - y0
    flat = (index[:, None] * (_CANVAS * _CANVAS)).astype(np.int32) + y0 * _CANVAS + x0
    top = np.take(masks, flat)
    top += (np.take(masks, flat + 1) - top) * fx
    bottom = np.take(masks, flat + _CANVAS)
    bottom += (np.take(masks, flat + _CANVAS + 1) - bottom) * fx
    return (top + (bottom - top) * fy).reshape(-1, FRAME, FRAME)


def _filter(bitmaps: np.ndarray, size: int, anchor: int, reduce) -> np.ndarray:
    """A size x size Min/Max filter (``np.minimum`` / ``np.maximum``) over a batch of bitmaps."""
    pad = [(0, 0), (anchor, size - 1 - anchor), (anchor, size - 1 - anchor)]
    padded = np.pad(bitmaps, pad)
    out = padded[:, :FRAME, :]
    for dy in range(1, size):
        out = reduce(out, padded[:, dy: dy + FRAME, :])
    result = out[:, :, :FRAME]
    for dx in range(1, size):
        result = reduce(result, out[:, :, dx: dx + FRAME])
    return result


def _thicken(bitmaps: np.ndarray, target_ink: np.ndarray) -> np.ndarray:
    """Per sample, the Min/Max-filtered version whose ink fraction is closest to its target."""
    levels = [_filter(bitmaps, 3, 1, np.minimum), bitmaps]
    for step in range(_THICKNESS_LEVELS - 2):  # alternate anchors so growth stays centred
        levels.append(_filter(levels[-1], 2, step % 2, np.maximum))
    stack = np.stack(levels)
    ink = stack.mean(axis=(2, 3))
    best = np.abs(ink - target_ink[None]).argmin(0)
    return stack[best, np.arange(len(bitmaps))]


def _check_arguments(n_per_class: int, seed: int, classes: str) -> None:
    whole_number("n_per_class", n_per_class)
    whole_number("seed", seed, low=0)
    if not isinstance(classes, str) or not classes:
        raise InputError(f"classes must be a non-empty string of characters, got {classes!r}.")
    duplicates = sorted({c for c in classes if classes.count(c) > 1})
    if duplicates:
        raise InputError(f"classes must not repeat characters; repeated: {''.join(duplicates)!r}.")
    if any(c.isspace() or not c.isprintable() for c in classes):
        raise InputError(
            f"classes must be visible characters (no spaces or controls), got {classes!r}.")
    if not _fonts_covering(classes):
        raise InputError(
            f"No font in {_font_dir()} draws all of {classes!r}; use characters such as "
            "ASCII letters and digits.")


def make_glyphs(n_per_class: int, *, seed: int = 0,
                classes: str = LETTERS) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Generate augmented characters in the exact format of ``sklearn.datasets.load_digits``.

    Args:
        n_per_class: number of images of each character (>= 1).
        seed: random seed (>= 0); the same seed gives the same images, in the same order.
        classes: the characters, one class each (default ``LETTERS``: A-Z then a-z, 52 classes).
            Every matplotlib font that draws them all is used.

    Returns:
        ``(x, y, class_names)``: ``x`` float32 (N, 8, 8, 1) of whole numbers 0..16, ``y`` int64 (N,)
        labels into ``class_names`` (a list of the characters), N = ``n_per_class * len(classes)``,
        exactly ``n_per_class`` per class, in shuffled order.

    Raises:
        kzoo.InputError: ``n_per_class`` or ``seed`` is not a non-negative integer as described,
            ``classes`` is empty, repeats a character, or holds characters no font draws.

    Example:
        >>> x, y, names = make_glyphs(10, seed=1)
        >>> x.shape, int(x.max()) <= 16, names[:3]
        ((520, 8, 8, 1), True, ['A', 'B', 'C'])
    """
    _check_arguments(n_per_class, seed, classes)
    fonts = _fonts_covering(classes)
    masks, support = _renders(fonts, classes)
    rng = np.random.default_rng(seed)
    n = n_per_class * len(classes)
    y = rng.permutation(np.repeat(np.arange(len(classes)), n_per_class))
    font = rng.integers(0, len(fonts), n)
    params = {
        "rotation": rng.uniform(-_MAX_ROTATION_DEG, _MAX_ROTATION_DEG, n),
        "shear": rng.uniform(-_MAX_SHEAR, _MAX_SHEAR, n),
        "width": rng.uniform(*_WIDTH_SCALE, n),
        "height": rng.uniform(*_HEIGHT_FILL, n),
        "shift": rng.uniform(0.25, 0.75, (n, 2)),
    }
    elastic = rng.normal(size=(n, 2, _ELASTIC_GRID, _ELASTIC_GRID))
    elastic *= rng.uniform(0, _ELASTIC_PX, (n, 1, 1, 1))  # how bent varies from sample to sample
    target_ink = np.clip(rng.normal(_INK_MEAN, _INK_STD, n), *_INK_RANGE)
    index = font * len(classes) + y
    x = np.empty((n, FRAME // BLOCK, FRAME // BLOCK, 1), np.float32)
    for start in range(0, n, _CHUNK):
        part = slice(start, start + _CHUNK)
        inverse, shift = _placements(support[index[part]], {k: v[part] for k, v in params.items()})
        bitmaps = _warp(masks, index[part], inverse, shift, elastic[part]) > 0.5
        bitmaps = _thicken(bitmaps, target_ink[part])
        counts = bitmaps.reshape(-1, FRAME // BLOCK, BLOCK, FRAME // BLOCK, BLOCK).sum(axis=(2, 4))
        x[part, ..., 0] = counts
    return x, y.astype(np.int64), list(classes)
