"""A contact sheet of a sequence: its first frames in order, each framed in red when an
intervention set it, with the names of the targets (do: pos, hue_back) under it.

Targets are named by causal group: a group of several variables by their common prefix (pos
for pos_x, pos_y, pos_z). Drawn with numpy (dataset/raster.py), like the pair sheets.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ...errors import DatasetError
from ..checking.images import load_rgba
from . import raster

TARGET = (200, 30, 30)  # an intervened frame's border and its targets' names
BORDER = 2  # pixels of the red frame
LINE = 14


def group_label(group: list[str]) -> str:
    """A causal group's short name: the variable's, or the common prefix of several."""
    if len(group) == 1:
        return group[0]
    prefix = group[0].split("_")[0]
    return prefix if all(n.split("_")[0] == prefix for n in group) else "+".join(group)


def frame_targets(targets: np.ndarray, groups: list[list[str]],
                  columns: list[str]) -> list[list[str]]:
    """Per frame (rows of 0/1 over the columns), the groups intervened on, by short name."""
    index = {name: k for k, name in enumerate(columns)}
    return [[group_label(group) for group in groups if row[index[group[0]]]]
            for row in targets]


def sequence_sheet(root: Path, manifest: dict[str, Any], out: Path, frames: int = 16,
                   cell: int = 128, per_row: int = 8) -> Path:
    """The first `frames` frames of the sequence, targets marked."""
    from ..writing.sequence_writer import INTERVENTIONS, image_path

    extension = ".jpg" if manifest["settings"]["render"]["file_format"] == "JPEG" else ".png"
    targets = np.load(root / INTERVENTIONS, mmap_mode="r")
    count = min(frames, len(targets))
    named = frame_targets(np.asarray(targets[:count]), manifest["model"]["groups"],
                          manifest["columns"])
    chars = max(1, (cell - 6) // raster.CHAR_WIDTH)
    captions = [[f"frame {t}", *(_wrapped("do: " + ", ".join(n), chars) if n else ["-"])]
                for t, n in enumerate(named)]
    caption = LINE * max(len(c) for c in captions) + 4
    rows = (count + per_row - 1) // per_row
    sheet = raster.canvas(rows * (cell + caption), min(per_row, count) * cell)
    for t in range(count):
        path = image_path(root, t, extension)
        try:
            image = raster.resized(load_rgba(path), cell)
        except FileNotFoundError:
            raise DatasetError(f"{path} is missing: render the dataset first") from None
        x, y = (t % per_row) * cell, (t // per_row) * (cell + caption)
        raster.paste(sheet, image, x, y)
        if named[t]:
            right, bottom = x + cell - 1, y + cell - 1
            for box in ((x, y, right, y + BORDER - 1), (x, bottom - BORDER + 1, right, bottom),
                        (x, y, x + BORDER - 1, bottom), (right - BORDER + 1, y, right, bottom)):
                raster.fill(sheet, box, TARGET)
        for line, words in enumerate(captions[t]):
            raster.text(sheet, x + 3, y + cell + 2 + LINE * line, words,
                        TARGET if line and named[t] else (0, 0, 0))
    raster.write_png(out, sheet)
    return out


def _wrapped(words: str, chars: int) -> list[str]:
    import textwrap

    return textwrap.wrap(words, chars) or [""]


PLOT_FRAMES = 300  # frames a sequence plot shows: enough to see the steps and targets
LABELS = 120  # pixels left of the strips: a variable's name and range
STRIP = 56  # pixels of a variable's strip
TRACE = (70, 70, 70)  # the variable's value over the frames


def sequence_plot(root: Path, manifest: dict[str, Any], out: Path, width: int = 900) -> Path:
    """A sequence's variables over its first frames, a strip each: the value as a line, a
    frame where the variable was a target of an intervention as a red disc (a constant
    variable is left out, an angle's line breaks where it wraps). Drawn with numpy, as the
    contact sheet is: the same picture in Blender's Python, which has no matplotlib."""
    from ..writing.sequence_writer import INTERVENTIONS, LATENTS

    values = np.load(root / LATENTS, mmap_mode="r")
    targets = np.load(root / INTERVENTIONS, mmap_mode="r")
    shown = min(PLOT_FRAMES, int(manifest["frames_per_episode"]), len(values))
    names = manifest["columns"]
    kinds = {v["name"]: v.get("kind") for v in manifest["model"]["variables"]}
    kept = [k for k in range(len(names)) if np.ptp(values[:shown, k]) > 0]
    top, left, right = 6, LABELS, width - 10
    caption = LINE * 2 + 6
    image = raster.canvas(top + STRIP * max(len(kept), 1) + caption, width)
    frames = np.arange(shown, dtype=float)
    xs = left + 4 + frames / max(shown - 1, 1) * (right - left - 8)
    grey = (110, 110, 110)
    for row, k in enumerate(kept):
        y0 = top + row * STRIP
        box = (left, y0 + 2, right, y0 + STRIP - 3)
        raster.outline(image, box, (200, 200, 200))
        series = np.asarray(values[:shown, k], dtype=float)
        low, high = float(series.min()), float(series.max())
        inner = box[3] - box[1] - 8
        ys = box[3] - 4 - (series - low) / ((high - low) or 1.0) * inner
        line_x, line_y = xs, ys
        if kinds.get(names[k]) == "angle":  # no line across the wrap from 2 pi to 0
            wraps = np.flatnonzero(np.abs(np.diff(series)) > np.pi) + 1
            line_x, line_y = np.insert(xs, wraps, np.nan), np.insert(ys, wraps, np.nan)
        raster.polyline(image, line_x, line_y, TRACE)
        hit = np.asarray(targets[:shown, k]) == 1
        raster.discs(image, xs[hit], ys[hit], TARGET, 2)
        chars = (left - 8) // raster.CHAR_WIDTH
        raster.text(image, 4, y0 + STRIP // 2 - LINE, names[k][:chars])
        raster.text(image, 4, y0 + STRIP // 2, f"{low:.3g} .. {high:.3g}"[:chars], grey)
    under = top + STRIP * max(len(kept), 1)
    raster.text(image, left, under, "0", grey)
    last = str(shown - 1)
    raster.text(image, right + 1 - raster.text_width(last), under, last, grey)
    words = (f"frame (the first {shown} of episode 0; red: a target of an intervention)"
             if kept else "every variable is constant over these frames")
    raster.text(image, left, under + LINE, words[:(width - left) // raster.CHAR_WIDTH])
    raster.write_png(out, image)
    return out
