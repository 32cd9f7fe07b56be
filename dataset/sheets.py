"""Look at a dataset: a contact sheet of pairs (every view side by side) with their key latents,
and a plot of every factor's view-1 against view-2 values, and against each further view's
(content on the diagonal, style around it, view-specific on the axes), coloured by block type.
Drawn with numpy (dataset/raster.py), so they come out the same inside Blender, whose Python has
no Pillow."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DatasetError
from . import raster
from .images import load_rgba

ROLE_COLOURS = {"content": (46, 160, 67), "style": (230, 126, 34), "m1": (52, 101, 164),
                "m3": (52, 101, 164), "view_specific": (52, 101, 164)}
OTHER = (150, 150, 150)


def _manifest(root: Path) -> dict[str, Any]:
    """A pair dataset's manifest; DatasetError for anything else (a cube dataset has no pairs)."""
    from .layout import held_format
    from .manifest import FORMAT, read_manifest

    path = root / "manifest.json"
    if not path.exists():
        raise DatasetError(f"{root} has no manifest.json: not an IdentBox dataset")
    found = held_format(root)
    if found not in (None, FORMAT):
        raise DatasetError(f"{root} holds a {found!r} dataset: contact sheets and latent plots "
                           "show image pairs")
    return read_manifest(path)


def _raw_latents(root: Path, manifest: dict[str, Any]) -> dict[int, np.ndarray]:
    """Every view's raw latents, by view number."""
    from .layout import manifest_views, view_numbers
    from .manifest import load_latent_file

    return {v: load_latent_file(root, f"m{v}/raw_latents.npy", manifest)
            for v in view_numbers(manifest_views(manifest))}


def contact_sheet(root: Path | str, out: Path | str, pairs: int = 16, cell: int = 128,
                  per_row: int = 4) -> Path:
    """Every view of a pair side by side (view 1 | view 2 | ...), captioned with their first
    factors per block."""
    root, out = Path(root), Path(out)
    manifest = _manifest(root)
    columns = manifest["columns"]
    extension = ".jpg" if manifest["settings"]["render"]["file_format"] == "JPEG" else ".png"
    latents = _raw_latents(root, manifest)
    views = len(latents)
    count = min(pairs, len(latents[1]))
    first = root / "samples" / "m1" / f"{0:06d}{extension}"
    if not first.exists():
        raise DatasetError(f"{root} has no rendered images ({first.relative_to(root)} is "
                           "missing): render the dataset first")
    shown = [k for k, c in enumerate(columns) if c.get("role") not in ("constant", "m2")][:4]
    caption = 14 * (len(shown) + 1)
    rows = (count + per_row - 1) // per_row
    sheet = raster.canvas(rows * (cell + caption), per_row * views * cell)
    for i in range(count):
        x, y = (i % per_row) * views * cell, (i // per_row) * (cell + caption)
        for v in latents:
            image = _image(root / "samples" / f"m{v}" / f"{i:06d}{extension}")
            raster.paste(sheet, raster.resized(image, cell), x + (v - 1) * cell, y)
        raster.text(sheet, x + 3, y + cell + 1, f"pair {i}")
        for line, k in enumerate(shown, start=1):
            later = " ".join(f"{latents[v][i, k]:+.2f}" for v in list(latents)[1:])
            words = f"{columns[k]['name'][:14]} {latents[1][i, k]:+.2f} -> {later}"
            raster.text(sheet, x + 3, y + cell + 1 + 14 * line, words,
                        ROLE_COLOURS.get(columns[k].get("role"), OTHER))
    raster.write_png(out, sheet)
    return out


def plot_latents(root: Path | str, out: Path | str, panel: int = 180,
                 points: int = 2000) -> Path:
    """Per factor: view-1 (x) against view-2 (y) raw values, and a histogram of view 1; with
    k > 2 views, one row per factor: view 1 against each other view."""
    root, out = Path(root), Path(out)
    manifest = _manifest(root)
    columns = manifest["columns"]
    raw = {v: np.asarray(a) for v, a in _raw_latents(root, manifest).items()}
    rng = np.random.default_rng(0)
    chosen = rng.choice(len(raw[1]), size=min(points, len(raw[1])), replace=False)
    others = list(raw)[1:]
    per_row = 5 if len(others) == 1 else len(others)
    panels = [(k, v) for k in range(len(columns)) for v in others]
    rows = (len(panels) + per_row - 1) // per_row
    height = panel + 60
    image = raster.canvas(rows * height, per_row * panel)
    for p, (k, other) in enumerate(panels):
        column = columns[k]
        x0, y0 = (p % per_row) * panel, (p // per_row) * height
        colour = ROLE_COLOURS.get(column.get("role"), OTHER)
        every = [raw[v][:, k] for v in raw]  # one scale for the factor in every panel
        values = [raw[1][:, k], raw[other][:, k]]
        low = min(*(float(v.min()) for v in every), -1.0)
        high = max(*(float(v.max()) for v in every), 1.0)
        span = (high - low) or 1.0
        box = (x0 + 10, y0 + 20, x0 + panel - 10, y0 + panel - 10)
        raster.outline(image, box, (200, 200, 200))
        raster.line(image, (box[0], box[3]), (box[2], box[1]), (225, 225, 225))  # diagonal
        size = box[2] - box[0]
        raster.points(image, box[0] + (values[0][chosen] - low) / span * size,
                      box[3] - (values[1][chosen] - low) / span * size, colour)
        title = f"{column['name']} ({column.get('role')})"
        raster.text(image, x0 + 10, y0 + 4, title + (f" m1 vs m{other}" if others != [2] else ""))
        counts, _ = np.histogram(values[0], bins=40, range=(low, high))
        top = counts.max() or 1
        for b, n in enumerate(counts):
            bx = box[0] + b * size / 40
            raster.fill(image, (bx, y0 + height - 8 - 40 * n / top, bx + size / 40 - 1,
                                y0 + height - 8), colour)
    raster.write_png(out, image)
    return out


def _image(path: Path) -> np.ndarray:
    """An image of the sheet; DatasetError naming it if it is missing or cannot be decoded."""
    try:
        return load_rgba(path)
    except FileNotFoundError:
        raise DatasetError(f"{path} is missing: render the dataset (or these pairs) first") \
            from None
    except (OSError, ValueError, SyntaxError) as error:
        raise DatasetError(f"{path} cannot be decoded ({error})") from None
