"""Decode an image with Blender's own image API: what validation uses inside Blender, whose
Python has no Pillow (installed as identbox.dataset.checking.images' reader by register())."""

from __future__ import annotations

from pathlib import Path

import bpy
import numpy as np


def load_rgba_with_blender(path: Path) -> np.ndarray:
    """An 8-bit image as uint8 H x W x 4, top row first; OSError if Blender cannot decode it."""
    try:
        image = bpy.data.images.load(str(path), check_existing=False)
    except RuntimeError as error:
        raise OSError(f"{path}: {error}") from None
    try:
        width, height = image.size
        if width == 0 or height == 0:
            raise OSError(f"{path}: Blender could not decode it")
        pixels = np.empty(width * height * 4, dtype=np.float32)
        # Byte images: the stored values / 255, bottom row first.
        image.pixels.foreach_get(pixels)  # type: ignore[attr-defined]
    finally:
        bpy.data.images.remove(image)
    rgba = np.round(pixels.reshape(height, width, 4)[::-1] * 255.0)
    return rgba.astype(np.uint8)
