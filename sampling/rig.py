"""The camera and the lights as factors: two optional blocks, `camera` and `lighting`, that any
image kind can add to its latents (after its own columns, so a dataset without them keeps its
layout and bytes).

They are ordinary blocks: content means one camera (or lighting) for every view, style a value
redrawn around view 1's in each later view (with the block's change probability), view-specific
an independent value in every view (also with two views: they have no m1/m2/m3 roles). Every
range has the published value at its centre.

camera: azimuth around the world z axis (published 0, the camera on +x), elevation above the
ground plane (published 45 degrees, +- 7: lower, the image's top would see past the ground) and
distance to the scene centre, the world origin that the camera always aims at (published
11.31 m). The ranges keep every object centre of the single-object layout at least 8% of the
image inside its border (the published camera: 18%), and every view on the ground;
multi-object scenes are placed so their guarantees hold in each view's own camera.
lighting: the sun's tilt away from straight down about the world x and y axes, and the sun's and
the area light's strength as powers of two of their published values.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from ..model.camera import CameraPoses, camera_poses
from ..model.constants import CAMERA_LOCATION
from .blocks import CONTENT, STYLE

RIG_RULE = ("camera and lighting blocks: content means one value for every view; style redraws "
            "each view after the first around view 1's value, each column with the block's "
            "change probability; view_specific draws every view's value independently (also "
            "with two views: no m1/m2/m3 roles); the scene uses offset + blender_scale * raw")

CAMERA = "camera"
LIGHTING = "lighting"
RIG_BLOCKS = (CAMERA, LIGHTING)
_STREAM_BASE = 64  # spawn keys (64 + factor, purpose): apart from every other stream's

PUBLISHED_ELEVATION = math.atan2(CAMERA_LOCATION[2], math.hypot(*CAMERA_LOCATION[:2]))
PUBLISHED_DISTANCE = math.dist(CAMERA_LOCATION, (0.0, 0.0, 0.0))
# Below 35.5 degrees the image's top corners look above the horizon (the lens sees 35.5 degrees
# each side): 45 +- 7 keeps every corner ray on the ground within 386 units over the lowest
# built-in ground (model/camera.py's farthest_ground_hit; tests/test_camera_ground.py).
ELEVATION_RANGE_DEG = 7.0


@dataclass(frozen=True)
class RigFactor:
    """One camera or lighting column: Blender value = offset + scale * raw."""

    name: str
    block: str
    scale: float
    offset: float
    unit: str
    meaning: str
    circular: bool = False  # the raw range's two ends are one value (a full turn)

    def describe(self, index: int) -> dict[str, object]:
        """Plain description for the manifest (the value in latents.npy is scale * raw; the
        scene uses offset + that)."""
        return {"index": index, "name": self.name, "block": self.block, "raw_range": [-1.0, 1.0],
                "blender_scale": self.scale, "offset": self.offset, "unit": self.unit,
                "meaning": self.meaning} | ({"circular": True} if self.circular else {})


RIG_FACTORS: tuple[RigFactor, ...] = (
    RigFactor("cam_azimuth", CAMERA, math.pi, 0.0, "rad",
              "camera azimuth around the world z axis, from +x (the published camera's)", True),
    RigFactor("cam_elevation", CAMERA, math.radians(ELEVATION_RANGE_DEG), PUBLISHED_ELEVATION,
              "rad",
              "camera elevation above the ground, minus the published 45 degrees"),
    RigFactor("cam_distance", CAMERA, 1.5, PUBLISHED_DISTANCE, "m",
              "camera distance to the world origin, minus the published 11.31 m"),
    RigFactor("sun_tilt_x", LIGHTING, math.radians(40.0), 0.0, "rad",
              "sun direction: rotation about world x away from straight down (published 0)"),
    RigFactor("sun_tilt_y", LIGHTING, math.radians(40.0), 0.0, "rad",
              "sun direction: rotation about world y away from straight down (published 0)"),
    RigFactor("sun_strength", LIGHTING, 1.0, 0.0, "log2",
              "sun strength = published strength * 2 ** value"),
    RigFactor("area_strength", LIGHTING, 1.0, 0.0, "log2",
              "area light power = published power * 2 ** value"),
)


class BlockLike(Protocol):
    """What sampling needs of a block's settings."""

    type: str
    change_probability: float

    @property
    def marginal(self) -> Any: ...

    @property
    def conditional(self) -> Any: ...


def rig_factors(blocks: Sequence[str]) -> tuple[RigFactor, ...]:
    """The camera and lighting columns of the blocks a dataset has, in their fixed order."""
    return tuple(f for f in RIG_FACTORS if f.block in blocks)


def rig_scales(blocks: Sequence[str]) -> np.ndarray:
    """Blender scale of each rig column."""
    return np.array([f.scale for f in rig_factors(blocks)])


def _stream(seed: int, factor: RigFactor, purpose: int) -> np.random.Generator:
    key = (_STREAM_BASE + RIG_FACTORS.index(factor), purpose)
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=key)))


def _purposes(view: int) -> tuple[int, int]:
    """(draw, change) stream purposes of a view: 0 for view 1; 2v - 3 and 2v - 2 after it."""
    return (0, 0) if view == 1 else (2 * view - 3, 2 * view - 2)


def sample_rig(blocks: Mapping[str, BlockLike], n: int, seed: int,
               n_views: int) -> list[np.ndarray]:
    """Raw (n, columns) camera and lighting latents of every view; every column has streams
    of its own, so the rest of a dataset's latents do not change when these are added."""
    factors = rig_factors(tuple(blocks))
    views = [np.zeros((n, len(factors))) for _ in range(n_views)]
    for column, factor in enumerate(factors):
        block = blocks[factor.block]
        first = block.marginal.sample(_stream(seed, factor, 0), n)
        views[0][:, column] = first
        for view in range(2, n_views + 1):
            draw, change = _purposes(view)
            if block.type == CONTENT:
                values = first
            elif block.type == STYLE:
                redrawn = block.conditional.sample(_stream(seed, factor, draw), first)
                changes = _stream(seed, factor, change).random(n) < block.change_probability
                values = np.where(changes, redrawn, first)
            else:
                values = block.marginal.sample(_stream(seed, factor, draw), n)
            views[view - 1][:, column] = values
    return views


def rig_values(latents: np.ndarray, blocks: Sequence[str], start: int) -> dict[str, np.ndarray]:
    """Scene values (offset + Blender-unit latents) of the rig columns from column `start`."""
    latents = np.atleast_2d(latents)
    return {f.name: f.offset + latents[:, start + k] for k, f in enumerate(rig_factors(blocks))}


def poses_of(values: Mapping[str, np.ndarray], rows: int) -> CameraPoses:
    """Each row's camera; the published camera where there is no camera block."""
    def value(name: str, default: float) -> np.ndarray:
        return np.broadcast_to(values.get(name, default), (rows,)).astype(np.float64)

    return camera_poses(value("cam_azimuth", 0.0), value("cam_elevation", PUBLISHED_ELEVATION),
                        value("cam_distance", PUBLISHED_DISTANCE))


@dataclass(frozen=True)
class Lighting:
    """The sun's rotation (Euler XYZ) and both lights' strength factors for one row."""

    sun_rotation: tuple[float, float, float] = (0.0, 0.0, 0.0)
    sun_factor: float = 1.0
    area_factor: float = 1.0


def lighting_of(values: Mapping[str, np.ndarray], row: int) -> Lighting:
    """One row's lights; the published lights where there is no lighting block."""
    def value(name: str) -> float:
        return float(values[name][row]) if name in values else 0.0

    return Lighting((value("sun_tilt_x"), value("sun_tilt_y"), 0.0),
                    2.0 ** value("sun_strength"), 2.0 ** value("area_strength"))
