"""Colour names of text views: IdentBox's palettes equal matplotlib's tables, names equal the
nearest neighbour the original generator finds, indices follow the sorted names, and the module
works where matplotlib is missing (Blender)."""

from __future__ import annotations

import colorsys
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from matplotlib.colors import CSS4_COLORS, TABLEAU_COLORS, XKCD_COLORS, hsv_to_rgb, to_rgb

from identbox.model.colour_names import (
    PALETTES,
    PALETTES_FILE,
    all_names,
    colour_names,
    hex_to_rgb,
    palette_tables,
)

MATPLOTLIB_TABLES = (TABLEAU_COLORS, CSS4_COLORS, XKCD_COLORS)


def reference_name(hue: float, rgb_to_name: dict[tuple, str]) -> str:
    """The original generator's naming, written out plainly: each palette keyed by RGB (a
    repeated colour takes its last name), the first strictly nearer colour wins."""
    target = np.array(colorsys.hsv_to_rgb(hue, 1.0, 1.0))
    best, best_distance = None, np.inf
    for rgb in rgb_to_name:
        distance = np.linalg.norm(np.array(rgb) - target)
        if distance < best_distance:
            best, best_distance = rgb, distance
    return rgb_to_name[best]


def test_palettes_file_equals_matplotlibs_tables() -> None:
    """Names, their order and hex codes exactly as matplotlib's three tables."""
    stored = json.loads(PALETTES_FILE.read_text(encoding="utf-8"))["palettes"]
    assert tuple(stored) == PALETTES == ("tableau", "css4", "xkcd")
    for name, table in zip(PALETTES, MATPLOTLIB_TABLES, strict=True):
        assert list(stored[name].items()) == list(table.items()), name
    assert [len(stored[name]) for name in PALETTES] == [10, 148, 949]


def test_hex_to_rgb_is_matplotlibs_to_rgb() -> None:
    for table in MATPLOTLIB_TABLES:
        for code in table.values():
            assert hex_to_rgb(code) == to_rgb(code), code
    with pytest.raises(ValueError, match="#rrggbb"):
        hex_to_rgb("red")


def test_names_are_the_nearest_neighbour_the_original_finds() -> None:
    """3,000 random hues and palettes, plus the hues where HSV(h, 1, 1) is a primary or a
    secondary colour (where CSS4 lists one colour under two names)."""
    rng = np.random.default_rng(16)
    hues = np.concatenate([rng.random(3000), np.arange(7) / 6, [0.5 - 1e-9, 0.5 + 1e-9]])
    palettes = np.concatenate([rng.integers(0, 3, 3000), np.ones(9, dtype=int)])
    names, _ = colour_names(hues, palettes)
    keyed = [{to_rgb(code): name for name, code in table.items()} for table in MATPLOTLIB_TABLES]
    expected = [reference_name(h, keyed[p]) for h, p in zip(hues, palettes, strict=True)]
    assert names.tolist() == expected
    assert set(names[hues.size - 9:]) >= {"red", "yellow", "lime", "cyan", "blue", "magenta"}
    # Each palette names its colours from its own table; fully saturated hues reach 8, 22 and
    # 70 of their names (a grid of 200,001 hues), about 1,000 draws find most of them.
    for which, table in enumerate(MATPLOTLIB_TABLES):
        drawn = set(names[palettes == which])
        assert drawn <= set(table)
        assert len(drawn) >= {0: 8, 1: 20, 2: 60}[which]


def test_hsv_conversion_is_matplotlibs() -> None:
    """HSV(h, 1, 1) in plain [0, 1] RGB: the names of the colours matplotlib converts."""
    hues = np.linspace(0.0, 1.0, 241)
    rgb = hsv_to_rgb(np.stack([hues, np.ones_like(hues), np.ones_like(hues)], axis=-1))
    from identbox.model.colors import hsv_to_rgb as identbox_hsv_to_rgb

    np.testing.assert_allclose(identbox_hsv_to_rgb(hues, 1.0, 1.0), rgb, rtol=0, atol=1e-15)


def test_colour_index_is_the_position_in_the_sorted_names() -> None:
    names_sorted = sorted(list(TABLEAU_COLORS) + list(CSS4_COLORS) + list(XKCD_COLORS))
    assert list(all_names()) == names_sorted and len(names_sorted) == 1107
    rng = np.random.default_rng(2)
    hues, palettes = rng.random((40, 3)), rng.integers(0, 3, (40, 3))
    names, indices = colour_names(hues, palettes)
    assert names.shape == indices.shape == (40, 3) and indices.dtype == np.int64
    assert [names_sorted[i] for i in indices.ravel()] == names.ravel().tolist()
    assert [names_sorted.index(n) for n in names.ravel()] == indices.ravel().tolist()


def test_ties_and_repeated_colours() -> None:
    """CSS4 lists #00FFFF as aqua then cyan, #FF00FF as fuchsia then magenta: the original's
    RGB-keyed palette names them by the later name; float palette indices are accepted."""
    names, indices = colour_names(np.array([0.5, 5 / 6, 0.5, 0.0]), np.array([1.0, 1, 0, 2]))
    assert names.tolist()[:2] == ["cyan", "magenta"]
    assert names[2].startswith("tab:") and names[3].startswith("xkcd:")
    assert indices.tolist()[:2] == [all_names().index("cyan"), all_names().index("magenta")]


@pytest.mark.parametrize(("hues", "palettes", "message"), [
    ([0.1, 0.2], [0], "shape"),
    ([1.5], [0], r"\[0, 1\]"),
    ([np.nan], [0], r"\[0, 1\]"),
    ([-0.1], [0], r"\[0, 1\]"),
    ([0.1], [3], "0, 1 or 2"),
    ([0.1], [0.5], "0, 1 or 2"),
    ([0.1], ["css4"], "0, 1 or 2"),
])
def test_bad_input_is_one_clear_error(hues: list, palettes: list, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        colour_names(np.array(hues), np.array(palettes))


NO_MATPLOTLIB = """
import json, sys
sys.modules["matplotlib"] = None  # any import of matplotlib now fails
sys.path.insert(0, sys.argv[1])
import numpy as np
from identbox.model import colour_names as module
names, indices = module.colour_names(np.linspace(0, 1, 50, endpoint=False), np.arange(50) % 3)
print(json.dumps({"file": module.__file__, "names": names.tolist(), "indices": indices.tolist(),
                  "tables": module.palette_tables()}))
"""


@pytest.mark.blender
def test_extension_zip_names_colours_without_matplotlib(extension_zip: Path,
                                                         tmp_path: Path) -> None:
    """The zip Blender installs ships palettes.json, and its colour_names runs in a Python that
    cannot import matplotlib (as Blender's), giving the names it gives here."""
    with zipfile.ZipFile(extension_zip) as z:
        z.extractall(tmp_path)
    proc = subprocess.run([sys.executable, "-c", NO_MATPLOTLIB, str(tmp_path)],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert Path(out["file"]).is_relative_to(tmp_path / "identbox")
    names, indices = colour_names(np.linspace(0, 1, 50, endpoint=False), np.arange(50) % 3)
    assert out["names"] == names.tolist() and out["indices"] == indices.tolist()
    assert out["tables"] == palette_tables()
