"""Put the sidebar screenshots of tests/gui/screens_driver.py side by side, one picture per
mode (docs/panel_MODE.png), leaving out a page that repeats the one before (the end reached).
Usage: pytest tests/test_gui.py -k photographed --basetemp=/tmp/shots, then
.venv/bin/python docs/make_panel_pages.py /tmp/shots/test_every_mode_is_photographe0/out"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from PIL import Image, ImageChops, ImageStat

DOCS = Path(__file__).resolve().parent
GAP = 8


def sidebar_pages(out: Path, mode: str) -> list[Image.Image]:
    """The pages of one mode cropped to the sidebar (its category tabs are in it), repeats
    left out."""
    shots = json.loads((out / "result.json").read_text())["shots"]
    pages: list[Image.Image] = []
    for shot in (s for s in shots if s["name"].startswith(f"{mode}_")):
        top = shot["window_height"] - (shot["y"] + shot["height"])
        box = (shot["x"], top, shot["x"] + shot["width"], top + shot["height"])
        with Image.open(out / f"full_{shot['name']}") as full:
            page = full.convert("RGB").crop(box)
        if pages and max(ImageStat.Stat(ImageChops.difference(page, pages[-1])).mean) < 1.0:
            continue  # the end reached: the same page, a button under the mouse aside
        pages.append(page)
    return pages


def side_by_side(pages: list[Image.Image]) -> Image.Image:
    width, height = pages[0].size
    sheet = Image.new("RGB", (len(pages) * (width + GAP) - GAP, height), "white")
    for k, page in enumerate(pages):
        sheet.paste(page, (k * (width + GAP), 0))
    return sheet


def main(out: Path) -> None:
    for mode in ("pairs", "objects", "sequence", "cube"):
        side_by_side(sidebar_pages(out, mode)).save(DOCS / f"panel_{mode}.png")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
