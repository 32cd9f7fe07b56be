"""Regenerate model/palettes.json: matplotlib's three named-colour tables (Tableau, CSS4, XKCD),
name -> hex in matplotlib's order, for the colour names of text views. Blender has no matplotlib,
so the extension ships this copy; tests/test_colour_names.py checks it equals matplotlib's.
Run: .venv/bin/python tests/data/make_palettes.py"""

import json
from pathlib import Path

import matplotlib
from matplotlib.colors import CSS4_COLORS, TABLEAU_COLORS, XKCD_COLORS

PALETTES_FILE = Path(__file__).resolve().parents[2] / "model" / "palettes.json"


def palettes_json() -> str:
    """The file's text: the three tables under the names model/colour_names.py gives them."""
    tables = {"tableau": TABLEAU_COLORS, "css4": CSS4_COLORS, "xkcd": XKCD_COLORS}
    return json.dumps({
        "source": f"matplotlib.colors TABLEAU_COLORS, CSS4_COLORS, XKCD_COLORS "
                  f"(matplotlib {matplotlib.__version__})",
        "palettes": {name: dict(table) for name, table in tables.items()},
    }, indent=1, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    PALETTES_FILE.write_text(palettes_json(), encoding="utf-8")
    print(f"wrote {PALETTES_FILE}")
