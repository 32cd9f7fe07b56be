"""Look at a dataset: a contact sheet of pairs (every image view side by side, each text view's
sentence under them) with their key latents, and a plot of every factor's view-1 against view-2
values, and against each further view's (content on the diagonal, style around it,
view-specific on the axes), coloured by block type.
Drawn with numpy (dataset/raster.py), so they come out the same inside Blender, whose Python has
no Pillow."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import numpy as np

from ...errors import DatasetError
from ..checking.images import load_rgba
from ..files.manifest import drawn_manifest, is_sequence, raw_latents_by_view
from . import raster

ROLE_COLOURS = {"content": (46, 160, 67), "style": (230, 126, 34), "m1": (52, 101, 164),
                "m3": (52, 101, 164), "view_specific": (52, 101, 164),
                "shared": (46, 160, 67), "modality_specific": (52, 101, 164)}
OTHER = (150, 150, 150)
TARGET = (200, 30, 30)  # an intervention's targets
SENTENCE = (30, 30, 110)  # a text view's sentence: dark blue, apart from the factors' colours
LINE = 14  # pixels per line of text
GAP = 4  # pixels after a sentence


def _pair_targets(root: Path, manifest: dict[str, Any], count: int) -> list[list[str]]:
    """Each pair's intervention targets by name (none without interventions)."""
    from ..files.layout import INTERVENTIONS, SHARED, manifest_latent_files

    if INTERVENTIONS not in manifest_latent_files(manifest).get(SHARED, ()):
        return [[] for _ in range(count)]
    targets = np.asarray(np.load(root / "factors" / INTERVENTIONS, mmap_mode="r")[:count])
    names = [column["name"] for column in manifest["columns"]]
    return [[names[k] for k in np.flatnonzero(row)] for row in targets]


def _text_views(manifest: dict[str, Any]) -> dict[int, str]:
    """The text views of a manifest's dataset: their names, by view number."""
    from ..files.layout import SENTENCES, manifest_latent_files

    listed = manifest["settings"].get("views") or []
    return {int(view[1:]): (listed[int(view[1:]) - 1].get("name", view)
                            if int(view[1:]) <= len(listed) else view)
            for view, files in manifest_latent_files(manifest).items() if SENTENCES in files}


def _sentences(root: Path, view: int) -> list[str]:
    """A text view's sentences, one per sample."""
    from ..files.layout import SENTENCES, samples_dir

    path = samples_dir(root, f"m{view}") / SENTENCES
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise DatasetError(f"{path} is missing: write the dataset first") from None


def caption_lines(sentence: str, width: int) -> list[str]:
    """A sentence wrapped to `width` pixels of the sheet's font (a word too long for a line is
    broken)."""
    chars = max(1, width // raster.CHAR_WIDTH)
    return textwrap.wrap(sentence, chars, break_on_hyphens=False) or [""]


def _height(paragraphs: list[list[str]]) -> int:
    """Pixels the sentences of a pair take, a gap after each."""
    return sum(LINE * len(lines) + GAP for lines in paragraphs)


def contact_sheet(root: Path | str, out: Path | str, pairs: int = 16, cell: int = 128,
                  per_row: int = 4) -> Path:
    """Every image view of a pair side by side (view 1 | view 2 | ...), each text view's
    sentence under them (wrapped to their width), then their first factors per block; an
    intervened pair's targets in red (do: ...). A sequence: its first frames in order, targets
    marked (dataset/sequence_sheet.py)."""
    root, out = Path(root), Path(out)
    manifest = drawn_manifest(root, sequences=True)
    if is_sequence(manifest):
        from .sequence_sheet import sequence_sheet

        return sequence_sheet(root, manifest, out, pairs, cell)
    columns = manifest["columns"]
    extension = ".jpg" if manifest["settings"]["render"]["file_format"] == "JPEG" else ".png"
    latents = raw_latents_by_view(root, manifest)
    texts = _text_views(manifest)
    images = [v for v in latents if v not in texts]
    count = min(pairs, len(latents[1]))
    if images:
        first = root / "samples" / f"m{images[0]}" / f"{0:06d}{extension}"
        if not first.exists():
            raise DatasetError(f"{root} has no rendered images ({first.relative_to(root)} is "
                               "missing): render the dataset first")
    width = max(len(images), 1) * cell  # a pair's images (a text-only pair: one cell wide)
    said = {v: _sentences(root, v) for v in texts}
    captions = [[caption_lines((f"{texts[v]}: " if len(texts) > 1 else "") + said[v][i],
                               width - 6) for v in texts] for i in range(count)]
    sentences_height = max((_height(c) for c in captions), default=0)
    picture = cell if images else 0
    shown = [k for k, c in enumerate(columns) if c.get("role") not in ("constant", "m2")][:4]
    targets = _pair_targets(root, manifest, count)
    marked = 1 if any(targets) else 0  # a line for the targets
    caption = sentences_height + LINE * (len(shown) + 1 + marked) + 2
    rows = (count + per_row - 1) // per_row
    sheet = raster.canvas(rows * (picture + caption), per_row * width)
    chars = (width - 6) // raster.CHAR_WIDTH  # a line of the caption: within the pair
    for i in range(count):
        x, y = (i % per_row) * width, (i // per_row) * (picture + caption)
        for column, v in enumerate(images):
            image = _image(root / "samples" / f"m{v}" / f"{i:06d}{extension}")
            raster.paste(sheet, raster.resized(image, cell), x + column * cell, y)
        y += picture + 2
        for paragraph in captions[i]:  # each text view's sentence
            for line, words in enumerate(paragraph):
                raster.text(sheet, x + 3, y + LINE * line, words, SENTENCE)
            y += LINE * len(paragraph) + GAP
        y = (i // per_row) * (picture + caption) + picture + 2 + sentences_height
        raster.text(sheet, x + 3, y, f"pair {i}")
        for line, k in enumerate(shown, start=1):
            later = " ".join(f"{latents[v][i, k]:+.2f}" for v in list(latents)[1:])
            values = f"{latents[1][i, k]:+.2f} -> {later}"
            name = columns[k]["name"][:max(3, min(14, chars - len(values) - 1))]
            raster.text(sheet, x + 3, y + LINE * line, f"{name} {values}"[:chars],
                        ROLE_COLOURS.get(columns[k].get("role"), OTHER))
        if marked:
            done = "do: " + ", ".join(targets[i]) if targets[i] else "do: -"
            raster.text(sheet, x + 3, y + LINE * (len(shown) + 1), done[:chars], TARGET)
    raster.write_png(out, sheet)
    return out


MARKER_MARGIN = 4  # pixels between a scatter box's edge and the nearest marker's centre


def marker_radius(points: int) -> int:
    """A scatter marker's radius in pixels: discs that show with a few points and do not
    merge into one blot with thousands."""
    return 2 if points <= 500 else 1


def plot_latents(root: Path | str, out: Path | str, panel: int = 180,
                 points: int = 2000) -> Path:
    """Per factor: view-1 (x) against view-2 (y) raw values, each pair a disc, with the
    factor's range under the box and a histogram of view 1; with k > 2 views, one row per
    factor: view 1 against each other view. A sequence: its variables over its first frames
    (dataset/sequence_sheet.py)."""
    root, out = Path(root), Path(out)
    manifest = drawn_manifest(root, sequences=True)
    if is_sequence(manifest):
        from .sequence_sheet import sequence_plot

        return sequence_plot(root, manifest, out)
    columns = manifest["columns"]
    raw = {v: np.asarray(a) for v, a in raw_latents_by_view(root, manifest).items()}
    rng = np.random.default_rng(0)
    chosen = rng.choice(len(raw[1]), size=min(points, len(raw[1])), replace=False)
    radius = marker_radius(len(chosen))
    others = list(raw)[1:]
    per_row = 5 if len(others) == 1 else len(others)
    panels = [(k, v) for k in range(len(columns)) for v in others]
    rows = (len(panels) + per_row - 1) // per_row
    size = panel - 30  # the scatter box: square
    height = 20 + size + 70  # title, box, its range, histogram
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
        box = (x0 + 15, y0 + 20, x0 + 15 + size, y0 + 20 + size)
        raster.outline(image, box, (200, 200, 200))
        scale = (size - 2 * MARKER_MARGIN) / span  # markers stay inside the box, whole
        xs, ys = (MARKER_MARGIN + (v[chosen] - low) * scale for v in values)
        raster.line(image, (box[0] + MARKER_MARGIN, box[3] - MARKER_MARGIN),
                    (box[2] - MARKER_MARGIN, box[1] + MARKER_MARGIN), (225, 225, 225))
        raster.discs(image, box[0] + xs, box[3] - ys, colour, radius)
        title = f"{column['name']} ({column.get('role')})"
        raster.text(image, x0 + 15, y0 + 4, title[:(panel - 15) // raster.CHAR_WIDTH])
        axes = f"x m1, y m{other}"
        ends = f"{low:.3g}", f"{high:.3g}"
        under = box[3] + 2
        raster.text(image, box[0], under, ends[0], (110, 110, 110))
        raster.text(image, box[2] + 1 - raster.text_width(ends[1]), under, ends[1],
                    (110, 110, 110))
        raster.text(image, (box[0] + box[2] - raster.text_width(axes)) // 2, under, axes,
                    (110, 110, 110))
        counts, _ = np.histogram(values[0], bins=40, range=(low, high))
        top = counts.max() or 1
        base = y0 + height - 8
        for b, n in enumerate(counts):
            bx = box[0] + b * size / 40
            if n:
                raster.fill(image, (bx, base - max(1.0, 40 * n / top), bx + size / 40 - 1,
                                    base), colour)
        raster.fill(image, (box[0], base + 1, box[2], base + 1), (200, 200, 200))
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
