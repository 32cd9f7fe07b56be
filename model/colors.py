"""Hue to RGB for the scene's colours: wrapped (default) or the originals' legacy mapping."""

from __future__ import annotations

import numpy as np

HUE_MAPPINGS = ("wrapped", "legacy")


def hsv_to_rgb(h: np.ndarray, s: float, v: float = 1.0) -> np.ndarray:
    """colorsys.hsv_to_rgb, vectorised over h, applied to h as given (no wrapping): (..., 3)."""
    h = np.asarray(h, dtype=np.float64)
    sector = np.trunc(h * 6.0)  # colorsys: int(h * 6), truncation towards zero
    f = h * 6.0 - sector
    p = np.full_like(h, v * (1.0 - s))
    q = v * (1.0 - s * f)
    t = v * (1.0 - s * (1.0 - f))
    vv = np.full_like(h, v)
    i = sector.astype(np.int64) % 6
    choices = [(vv, t, p), (q, vv, p), (p, vv, t), (p, q, vv), (t, p, vv), (vv, p, q)]
    rgb = np.zeros((*h.shape, 3))
    for k, (r, g, b) in enumerate(choices):
        mask = i == k
        rgb[mask] = np.stack([r[mask], g[mask], b[mask]], axis=-1)
    return rgb


def hue_from_latent(value: np.ndarray) -> np.ndarray:
    """HSV hue of a hue latent in Blender units (radians): value / 2pi, not yet wrapped."""
    return np.asarray(value, dtype=np.float64) / (2.0 * np.pi)


def hue_to_rgb(value: np.ndarray, saturation: float, mapping: str = "wrapped") -> np.ndarray:
    """RGB of a hue latent (radians). 'wrapped' takes h mod 1, so every latent has its own
    colour; 'legacy' feeds the negative hues unwrapped to colorsys and clamps the result at 0
    but not at 1, as Blender's colour sockets and lamp colours took the originals' colours
    (so some legacy colours are over-bright, up to 1 + saturation)."""
    h = hue_from_latent(value)
    if mapping == "wrapped":
        return hsv_to_rgb(np.mod(h, 1.0), saturation)
    if mapping == "legacy":
        return np.maximum(hsv_to_rgb(h, saturation), 0.0)
    raise ValueError(f"hue_mapping must be one of {HUE_MAPPINGS}, got {mapping!r}")
