"""Reading rendered images back: decode, linearise, and find the ground's hue.

Images are decoded with Pillow. Blender's Python has no Pillow: there the add-on installs a
reader that uses Blender's own image API (`use_reader`), so validation works in the panel too.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from ...errors import DatasetError

_readers: list[Callable[[Path], np.ndarray]] = []  # used where Pillow is missing

PILLOW_MISSING = ("needs Pillow, which this Python lacks: install it into the Python that "
                  "runs IdentBox ({python} -m pip install Pillow), or run the same command "
                  "from a shell with `python -m identbox` (make demo installs it)")


def pillow_missing(python: str) -> str:
    """How to get Pillow, for a message that names what needs it."""
    return PILLOW_MISSING.format(python=python)


def use_reader(read: Callable[[Path], np.ndarray]) -> None:
    """Decode images with `read` (path -> uint8 H x W x 4) where Pillow cannot be imported."""
    _readers[:] = [read]


def load_rgba(path: Path) -> np.ndarray:
    """An image as uint8 H x W x 4; decoding it proves it is a whole PNG or JPEG."""
    try:
        from PIL import Image  # type: ignore[import-not-found]
    except ImportError:
        if not _readers:
            import sys

            raise DatasetError(f"decoding images {pillow_missing(sys.executable)}") from None
        return _readers[0](path)
    with Image.open(path) as image:
        image.load()
        return np.asarray(image.convert("RGBA"))


def decoded(path: Path, size: int) -> tuple[np.ndarray | None, bool, str]:
    """(the image, True, '') if `path` decodes at size x size; else (None, whether it
    decoded at all, what is wrong)."""
    try:
        image = load_rgba(path)
    except (OSError, ValueError, SyntaxError):
        return None, False, path.name
    if image.shape[:2] != (size, size):
        return None, True, f"{path.name} {image.shape[:2]}"
    return image, True, ""


def srgb_to_linear(rgb: np.ndarray) -> np.ndarray:
    """Undo the sRGB display encoding: lit colours are then albedo x light, hue preserved."""
    c = rgb.astype(np.float64) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def pixel_hues(linear: np.ndarray, min_saturation: float = 0.15,
               min_brightness: float = 1e-3) -> np.ndarray:
    """HSV hue in [0, 1) of the pixels that have a colour at all."""
    flat = linear.reshape(-1, 3)
    high, low = flat.max(axis=1), flat.min(axis=1)
    keep = (high > min_brightness) & ((high - low) / np.maximum(high, 1e-9) > min_saturation)
    r, g, b = flat[keep].T
    span = (high - low)[keep]
    h = np.where(high[keep] == r, ((g - b) / span) % 6,
                 np.where(high[keep] == g, (b - r) / span + 2, (r - g) / span + 4))
    return np.asarray(h / 6.0)



def circular_mean_hue(h: np.ndarray) -> float:
    """Mean of hues on the colour circle, in [0, 1)."""
    return float(np.angle(np.mean(np.exp(2j * np.pi * h))) / (2 * np.pi) % 1.0)


def dominant_hue_of(rgba: np.ndarray, bins: int = 72) -> float:
    """Circular mean of the hues in the most populated hue bin and its neighbours: the
    ground's colour, which covers most of every 3DIdent image."""
    h = pixel_hues(srgb_to_linear(rgba[..., :3]))
    if h.size == 0:
        return float("nan")
    counts, _ = np.histogram(h, bins=bins, range=(0.0, 1.0))
    peak = int(np.argmax(counts))
    near = np.abs(((h * bins - peak - 0.5 + bins / 2) % bins) - bins / 2) <= 1.5
    return circular_mean_hue(h[near])


def dominant_hue(path: Path, bins: int = 72) -> float:
    """The ground's hue in an image file (see dominant_hue_of)."""
    return dominant_hue_of(load_rgba(path), bins)


def hue_distance(a: float, b: float) -> float:
    """Distance between two hues on the colour circle, 0 to 0.5."""
    d = abs(a - b) % 1.0
    return min(d, 1.0 - d)


def image_difference(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Mean absolute error (in 8-bit levels) and PSNR (dB) between two 8-bit RGB images."""
    diff = a[..., :3].astype(np.float64) - b[..., :3].astype(np.float64)
    mse = float(np.mean(diff**2))
    psnr = float("inf") if mse == 0 else 10.0 * float(np.log10(255.0**2 / mse))
    return float(np.mean(np.abs(diff))), psnr


def mask_iou(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection over union of two boolean masks (1 when both are empty)."""
    union = np.logical_or(a, b).sum()
    return 1.0 if union == 0 else float(np.logical_and(a, b).sum() / union)
