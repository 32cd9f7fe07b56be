"""The 3DIdentBox single-object factor layout: ten columns, their blocks and Blender units.

Raw latents live in [-1, 1]; `to_blender` maps them to the values the scene uses
(reference 3dident.md section 2). Column 4 (rot_beta) is a constant 0 kept so the
layout matches the published loaders.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .columns import Column, ColumnLayout

RAW_LOW = -1.0
RAW_HIGH = 1.0


@dataclass(frozen=True)
class Factor:
    """One latent column: its name, block, Blender scale and what it drives in the scene."""

    index: int
    name: str
    block: str | None  # None: a constant column that belongs to no block
    scale: float  # Blender value = scale * raw
    unit: str
    meaning: str
    circular: bool = False  # an angle or hue whose raw range's two ends are one value

    def describe(self) -> dict[str, object]:
        """Plain description for the manifest."""
        return {
            "index": self.index,
            "name": self.name,
            "block": self.block,
            "raw_range": [RAW_LOW, RAW_HIGH],
            "blender_scale": self.scale,
            "unit": self.unit,
            "meaning": self.meaning,
        } | ({"circular": True} if self.circular else {})


FACTORS: tuple[Factor, ...] = (
    Factor(0, "pos_x", "positions", 2.0, "m", "object location x (depth; vertical in the image)"),
    Factor(1, "pos_y", "positions", 2.0, "m", "object location y (horizontal in the image)"),
    Factor(2, "pos_z", "positions", 2.0, "m",
           "object location z (height, plus half the object size)"),
    Factor(3, "rot_alpha", "rotations", math.pi, "rad", "object Euler X", True),
    Factor(4, "rot_beta", None, 0.0, "rad", "object Euler Y, always 0 (layout compatibility)"),
    Factor(5, "rot_gamma", "rotations", math.pi, "rad", "object Euler Z", True),
    Factor(6, "spot_theta", "rotations", math.pi, "rad", "spotlight angle on its circle", True),
    Factor(7, "hue_object", "hues", math.pi, "rad", "object colour hue, h = value / 2pi", True),
    Factor(8, "hue_spot", "hues", math.pi, "rad", "spotlight colour hue, h = value / 2pi",
           True),
    Factor(9, "hue_background", "hues", math.pi, "rad", "ground colour hue, h = value / 2pi",
           True),
)

FACTOR_NAMES: tuple[str, ...] = tuple(f.name for f in FACTORS)
N_COLUMNS = len(FACTORS)

# The ten columns by name; each factor is a group of its own.
PAIR_LAYOUT = ColumnLayout(Column(f.name, f.name, f.block) for f in FACTORS)

# Blocks and their columns in table order; c1/c2/c3 (s1/s2/s3) within a block follow this order.
BLOCKS: dict[str, tuple[int, ...]] = {
    block: tuple(PAIR_LAYOUT.indices(block=block)) for block in PAIR_LAYOUT.block_names
}
BLOCK_NAMES: tuple[str, ...] = tuple(BLOCKS)

# The published choice of which column of a view-specific block plays m1, m2 (always 0) and m3
# (reference section 3), by factor name.
PUBLISHED_VIEW_ROLES: dict[str, tuple[str, str, str]] = {
    "positions": ("pos_z", "pos_x", "pos_y"),
    "rotations": ("rot_gamma", "spot_theta", "rot_alpha"),
    "hues": ("hue_background", "hue_spot", "hue_object"),
}

FACTOR_SCALES = np.array([f.scale for f in FACTORS])
_SCALES = FACTOR_SCALES


def factor_index(name: str) -> int:
    """Column index of a factor name; KeyError names the known factors."""
    try:
        return FACTOR_NAMES.index(name)
    except ValueError:
        raise KeyError(f"unknown factor {name!r}; known: {', '.join(FACTOR_NAMES)}") from None


def to_blender(raw: np.ndarray) -> np.ndarray:
    """Map raw latents (N x 10, in [-1, 1]) to Blender units (latents.npy)."""
    return np.asarray(raw, dtype=np.float64) * _SCALES
