"""Drawing the contact sheet and the latent plot with numpy alone: tiles, boxes, points, text in
a bitmap font (glyphs.json, Pillow's default font taken once), and PNG files written with
zlib. Blender's own Python has no Pillow; with this the pictures are the same everywhere."""

from __future__ import annotations

import json
import struct
import zlib
from functools import cache
from pathlib import Path

import numpy as np

GLYPHS = Path(__file__).resolve().parent / "glyphs.json"
CHAR_WIDTH = 6  # pixels: every glyph of the font is this wide
Colour = tuple[int, int, int]


def canvas(height: int, width: int, colour: Colour = (255, 255, 255)) -> np.ndarray:
    """A blank RGB image, uint8 H x W x 3."""
    image = np.empty((height, width, 3), dtype=np.uint8)
    image[...] = colour
    return image


def resized(image: np.ndarray, size: int) -> np.ndarray:
    """A square image at size x size (nearest neighbour)."""
    rows = np.arange(size) * image.shape[0] // size
    cols = np.arange(size) * image.shape[1] // size
    return image[rows][:, cols]


def paste(target: np.ndarray, tile: np.ndarray, x: int, y: int) -> None:
    """Copy an RGB(A) tile's colour into the target at (x, y), clipped to the target."""
    h = min(tile.shape[0], target.shape[0] - y)
    w = min(tile.shape[1], target.shape[1] - x)
    if h > 0 and w > 0:
        target[y:y + h, x:x + w] = tile[:h, :w, :3]


def fill(target: np.ndarray, box: tuple[float, float, float, float], colour: Colour) -> None:
    """Fill the box (x0, y0, x1, y1), edges included."""
    x0, y0, x1, y1 = (round(v) for v in box)
    target[max(0, y0):max(0, y1 + 1), max(0, x0):max(0, x1 + 1)] = colour


def outline(target: np.ndarray, box: tuple[int, int, int, int], colour: Colour) -> None:
    """A one-pixel rectangle."""
    x0, y0, x1, y1 = box
    fill(target, (x0, y0, x1, y0), colour)
    fill(target, (x0, y1, x1, y1), colour)
    fill(target, (x0, y0, x0, y1), colour)
    fill(target, (x1, y0, x1, y1), colour)


def points(target: np.ndarray, xs: np.ndarray, ys: np.ndarray, colour: Colour) -> None:
    """Single pixels at (xs, ys), those inside the target."""
    x = np.round(xs).astype(int)
    y = np.round(ys).astype(int)
    inside = (x >= 0) & (y >= 0) & (x < target.shape[1]) & (y < target.shape[0])
    target[y[inside], x[inside]] = colour


def discs(target: np.ndarray, xs: np.ndarray, ys: np.ndarray, colour: Colour,
          radius: int = 2) -> None:
    """Filled discs centred at (xs, ys), clipped to the target: markers that show at any
    size (radius 1: 3 x 3 pixels; 2: 21 pixels, 5 x 5 less the corners)."""
    x = np.round(np.asarray(xs, dtype=float)).astype(int)
    y = np.round(np.asarray(ys, dtype=float)).astype(int)
    for dy in range(-radius, radius + 1):
        for dx in range(-radius, radius + 1):
            if dx * dx + dy * dy <= radius * radius + radius:
                points(target, x + dx, y + dy, colour)


def line(target: np.ndarray, start: tuple[float, float], end: tuple[float, float],
         colour: Colour) -> None:
    """A straight line of single pixels."""
    steps = int(max(abs(end[0] - start[0]), abs(end[1] - start[1]))) + 1
    t = np.linspace(0.0, 1.0, steps)
    points(target, start[0] + t * (end[0] - start[0]), start[1] + t * (end[1] - start[1]),
           colour)


def polyline(target: np.ndarray, xs: np.ndarray, ys: np.ndarray, colour: Colour) -> None:
    """Lines joining consecutive points; a NaN breaks the line there."""
    for k in range(len(xs) - 1):
        ends = (xs[k], ys[k], xs[k + 1], ys[k + 1])
        if not np.isnan(ends).any():
            line(target, (float(xs[k]), float(ys[k])), (float(xs[k + 1]), float(ys[k + 1])),
                 colour)


def text_width(words: str) -> int:
    """Pixels a line of text takes."""
    return len(words) * CHAR_WIDTH


@cache
def _font() -> tuple[int, dict[str, np.ndarray]]:
    data = json.loads(GLYPHS.read_text(encoding="utf-8"))
    glyphs = {}
    for char, glyph in data["glyphs"].items():
        width = glyph["width"]
        bits = [[(row >> (width - 1 - col)) & 1 for col in range(width)] for row in glyph["rows"]]
        glyphs[char] = np.asarray(bits, dtype=bool).reshape(len(glyph["rows"]), width)
    return int(data["height"]), glyphs


def text(target: np.ndarray, x: int, y: int, words: str, colour: Colour = (0, 0, 0)) -> None:
    """Write one line of ASCII text with its top-left corner at (x, y)."""
    _, glyphs = _font()
    for char in words:
        glyph = glyphs.get(char, glyphs["?"])
        h = min(glyph.shape[0], target.shape[0] - y)
        w = min(glyph.shape[1], target.shape[1] - x)
        if h > 0 and w > 0:
            region = target[y:y + h, x:x + w]
            region[glyph[:h, :w]] = colour
        x += glyph.shape[1]


def write_png(path: Path, image: np.ndarray) -> None:
    """An 8-bit RGB PNG file (no filter, zlib level 6), written whole or not at all."""
    from ..writing.writer import atomic_write_bytes

    height, width = image.shape[:2]
    raw = np.zeros((height, width * 3 + 1), dtype=np.uint8)
    raw[:, 1:] = image[..., :3].reshape(height, width * 3)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = zlib.compress(raw.tobytes(), 6)
    atomic_write_bytes(path, b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                       + chunk(b"IDAT", body) + chunk(b"IEND", b""))
