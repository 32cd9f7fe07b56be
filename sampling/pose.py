"""The scene state one latent row (Blender units) asks for (reference 3dident.md section 2)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..model.colors import hue_to_rgb
from ..model.constants import (
    GROUND_SATURATION,
    OBJECT_SATURATION,
    SPOT_HEIGHT,
    SPOT_RADIUS,
    SPOT_SATURATION,
)
from .factors import FACTOR_NAMES

_COL = {name: i for i, name in enumerate(FACTOR_NAMES)}


@dataclass(frozen=True)
class SceneState:
    """Everything that changes between samples, as plain numbers."""

    object_location: tuple[float, float, float]
    object_rotation: tuple[float, float, float]  # Euler XYZ, radians
    spot_location: tuple[float, float, float]
    object_rgb: tuple[float, float, float]
    spot_rgb: tuple[float, float, float]
    ground_rgb: tuple[float, float, float]


def _triple(values: np.ndarray) -> tuple[float, float, float]:
    return (float(values[0]), float(values[1]), float(values[2]))


def scene_state(row: np.ndarray, object_size: float, hue_mapping: str = "wrapped") -> SceneState:
    """State for one row of latents.npy; `object_size` is the object's largest dimension."""
    row = np.asarray(row, dtype=np.float64)
    x, y, z = row[_COL["pos_x"]], row[_COL["pos_y"]], row[_COL["pos_z"]]
    theta = row[_COL["spot_theta"]]
    hues = row[[_COL["hue_object"], _COL["hue_spot"], _COL["hue_background"]]]
    return SceneState(
        object_location=(float(x), float(y), float(z + object_size / 2.0)),
        object_rotation=_triple(row[[_COL["rot_alpha"], _COL["rot_beta"], _COL["rot_gamma"]]]),
        spot_location=(float(SPOT_RADIUS * np.sin(theta)), float(SPOT_RADIUS * np.cos(theta)),
                       float(SPOT_HEIGHT + object_size)),
        object_rgb=_triple(hue_to_rgb(hues[0], OBJECT_SATURATION, hue_mapping)),
        spot_rgb=_triple(hue_to_rgb(hues[1], SPOT_SATURATION, hue_mapping)),
        ground_rgb=_triple(hue_to_rgb(hues[2], GROUND_SATURATION, hue_mapping)),
    )
