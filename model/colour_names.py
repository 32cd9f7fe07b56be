"""Colour names as Multimodal3DIdent gives them to an object's hue, for text views.

    names, indices = colour_names(hues, palettes)

`hues`: the HSV hue of each sample's colour, in [0, 1] (1 names as 0 does); `palettes`: for each
sample, which of PALETTES names it (0 tableau, 1 css4, 2 xkcd; Multimodal3DIdent draws one per
sample, uniformly: the caller draws it). Any shape, the same for both. `names`: a str array of
that shape, the palette's name nearest (Euclidean distance in RGB) to HSV(hue, 1, 1), prefix kept
("tab:blue", "cyan", "xkcd:bright aqua"); `indices`: an int64 array, each name's position in
all_names() (the sorted names of the three palettes, 1,107 of them): object_color_index.

The palettes are matplotlib's TABLEAU_COLORS, CSS4_COLORS and XKCD_COLORS, copied into
palettes.json (tests/data/make_palettes.py) because Blender has no matplotlib. HSV(h, 1, 1) is
colorsys's conversion with no sRGB/linear step, as the original generator's.

Ties, as the original generator breaks them (it keys each palette by RGB, then keeps the first
strictly smaller distance over those keys): a colour listed under several names in one palette
(CSS4's aqua and cyan, fuchsia and magenta, the gray/grey pairs) is named by the LAST of them in
the palette's table order (cyan, magenta), at the place of the first; two different colours at
exactly the same distance go to the one listed first. Palettes never mix: a colour shared by two
palettes is named by whichever palette the sample drew.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from .colors import hsv_to_rgb

PALETTES = ("tableau", "css4", "xkcd")
PALETTES_FILE = Path(__file__).resolve().parent / "palettes.json"
_CHUNK = 2048  # hues per distance matrix: 2048 x 949 x 3 doubles stay under 50 MB


@dataclass(frozen=True)
class _Palette:
    """One palette's distinct colours in order of first listing, with the name each is given
    and that name's position in all_names()."""

    rgb: np.ndarray
    names: np.ndarray
    indices: np.ndarray


@cache
def palette_tables() -> dict[str, dict[str, str]]:
    """The three palettes, name -> hex in matplotlib's order, keyed by PALETTES' names."""
    tables = json.loads(PALETTES_FILE.read_text(encoding="utf-8"))["palettes"]
    if tuple(tables) != PALETTES:
        raise ValueError(f"{PALETTES_FILE} holds palettes {tuple(tables)}, expected {PALETTES}")
    return tables


@cache
def all_names() -> tuple[str, ...]:
    """Every name of the three palettes, sorted: a name's position is its colour index."""
    return tuple(sorted(name for table in palette_tables().values() for name in table))


def hex_to_rgb(code: str) -> tuple[float, float, float]:
    """'#rrggbb' as RGB in [0, 1], each channel int / 255, as matplotlib.colors.to_rgb gives it."""
    if len(code) != 7 or code[0] != "#":
        raise ValueError(f"a colour must be '#rrggbb', got {code!r}")
    return (int(code[1:3], 16) / 255, int(code[3:5], 16) / 255, int(code[5:7], 16) / 255)


@cache
def _palette(which: int) -> _Palette:
    by_rgb: dict[tuple[float, float, float], str] = {}
    for name, code in palette_tables()[PALETTES[which]].items():
        by_rgb[hex_to_rgb(code)] = name  # a repeated colour keeps its place, takes the new name
    position = {name: i for i, name in enumerate(all_names())}
    return _Palette(rgb=np.array(list(by_rgb)), names=np.array(list(by_rgb.values())),
                    indices=np.array([position[name] for name in by_rgb.values()], dtype=np.int64))


def _nearest(rgb: np.ndarray, colours: np.ndarray) -> np.ndarray:
    """For each row of rgb (n x 3), the first of `colours` (k x 3) at the smallest distance."""
    found = np.empty(len(rgb), dtype=np.int64)
    for start in range(0, len(rgb), _CHUNK):
        diff = rgb[start:start + _CHUNK, None, :] - colours[None, :, :]
        found[start:start + _CHUNK] = np.argmin(np.sqrt(np.sum(diff * diff, axis=-1)), axis=1)
    return found


def _checked(hues: np.ndarray, palettes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Flat float hues and int palette indices, or a ValueError saying what is wrong."""
    h = np.asarray(hues, dtype=np.float64)
    p = np.asarray(palettes)
    if h.shape != p.shape:
        raise ValueError(f"hues have shape {h.shape} but palettes {p.shape}: give one each")
    if not np.all((h >= 0.0) & (h <= 1.0)):
        raise ValueError("hues must lie in [0, 1] (HSV hue; wrap them with mod 1 first)")
    if p.dtype.kind not in "iuf" or not np.all(np.isin(p, np.arange(len(PALETTES)))):
        raise ValueError(f"palettes must be 0, 1 or 2 (indices into {PALETTES})")
    return h.ravel(), p.astype(np.int64).ravel()


def colour_names(hues: np.ndarray, palettes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each sample's colour name in its palette and the name's colour index (module docstring)."""
    h, p = _checked(hues, palettes)
    rgb = hsv_to_rgb(h, 1.0, 1.0)
    width = max(len(name) for name in all_names())
    names = np.empty(h.shape, dtype=f"<U{width}")
    indices = np.empty(h.shape, dtype=np.int64)
    for which in range(len(PALETTES)):
        rows = np.flatnonzero(p == which)
        if rows.size:
            palette = _palette(which)
            nearest = _nearest(rgb[rows], palette.rgb)
            names[rows] = palette.names[nearest]
            indices[rows] = palette.indices[nearest]
    shape = np.shape(hues)
    return names.reshape(shape), indices.reshape(shape)
