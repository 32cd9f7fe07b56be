"""The scene state one latent row asks for (reference 3dident.md section 2), for every kind
with objects: Pairs, Objects, Multimodal3DIdent and the sequence frames. Each kind's convention of
where the object and the ground stand (the originals differ) is data, a `Placement`, so a
change of hue or spotlight logic is one edit here, and each convention is checked without
Blender (tests/test_model.py)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
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
from .multi import HEIGHT_OFFSET, OBJECT_RADIUS, POSITION_SCALE, multi_layout
from .multimodal import COLUMN_NAMES as MULTIMODAL_COLUMNS
from .rig import Lighting

_COL = {name: i for i, name in enumerate(FACTOR_NAMES)}


@dataclass(frozen=True)
class Placement:
    """Where a kind stands its object and its ground, given the shape's largest dimension d:
    the object's origin at z + object_lift * d, the ground at ground_per_size * d +
    ground_offset. The spotlight is always 4 units out at height 6 + d."""

    object_lift: float
    ground_per_size: float
    ground_offset: float = 0.0


# 3DIdentBox's pairs: the teapot rests on z (lifted by half its size), the ground one size down.
PAIRS_PLACEMENT = Placement(object_lift=0.5, ground_per_size=-1.0)
# Multimodal3DIdent: the object's centre at z, the ground one size down (the original's script).
MULTIMODAL_PLACEMENT = Placement(object_lift=0.0, ground_per_size=-1.0)
# Temporal Causal3DIdent: the object lifted by half its size; the ground one size down, the
# largest of the shapes the original loads at start-up (its first three: -4.4421 for the
# teapot), measured from its renders (tests/data/reference/temporal-causal3dident-renders).
SEQUENCE_PLACEMENT = Placement(object_lift=0.5, ground_per_size=-1.0)
SEQUENCE_GROUND_SHAPES = 3  # teapot, armadillo, bunny in the original
# Objects (CLEVR-like): just below the lowest an object can reach (centre z = R + z, z >= -1).
OBJECTS_GROUND_Z = OBJECT_RADIUS * HEIGHT_OFFSET - POSITION_SCALE[2] - OBJECT_RADIUS


@dataclass(frozen=True)
class ObjectState:
    """One object of a scene and the spotlight aimed at it."""

    location: tuple[float, float, float]
    rotation: tuple[float, float, float]  # Euler XYZ, radians
    rgb: tuple[float, float, float]
    spot_location: tuple[float, float, float]
    spot_rgb: tuple[float, float, float]
    shape: int = 0  # which of the scene's meshes it shows (one-mesh scenes: 0)


@dataclass(frozen=True)
class SceneState:
    """Everything that changes between samples, as plain numbers: the objects (each with its
    spotlight) and the ground. One-object scenes read their object through the object_* names."""

    objects: tuple[ObjectState, ...]
    ground_rgb: tuple[float, float, float]
    ground_height: float
    # Where a camera block puts the camera: its eye and its x, y, z axes in world space (rows;
    # it looks down its -z); None: the published camera stays
    camera: tuple[tuple[float, ...], tuple[tuple[float, ...], ...]] | None = None
    lighting: Lighting | None = None  # a lighting block's sun and strengths; None: published

    @property
    def object_location(self) -> tuple[float, float, float]:
        return self.objects[0].location

    @property
    def object_rotation(self) -> tuple[float, float, float]:
        return self.objects[0].rotation

    @property
    def object_rgb(self) -> tuple[float, float, float]:
        return self.objects[0].rgb

    @property
    def spot_location(self) -> tuple[float, float, float]:
        return self.objects[0].spot_location

    @property
    def spot_rgb(self) -> tuple[float, float, float]:
        return self.objects[0].spot_rgb

    @property
    def shape(self) -> int:
        return self.objects[0].shape


def _triple(values: np.ndarray) -> tuple[float, float, float]:
    return (float(values[0]), float(values[1]), float(values[2]))


def object_state(values: Mapping[str, float], object_size: float, placement: Placement,
                 hue_mapping: str = "wrapped", shape: int = 0,
                 ground_size: float | None = None) -> SceneState:
    """The state for named values in Blender units: pos_x/y/z, rot_alpha/beta/gamma,
    spot_theta, hue_object, hue_spot, hue_background (angles and hues in radians);
    `object_size` is the shown shape's largest dimension, `ground_size` the one the ground's
    height follows (the shown shape's unless given)."""
    def hue(name: str, saturation: float) -> tuple[float, float, float]:
        return _triple(hue_to_rgb(np.asarray(values[name], dtype=np.float64), saturation,
                                  hue_mapping))

    theta = float(values["spot_theta"])
    shown = ObjectState(
        location=(float(values["pos_x"]), float(values["pos_y"]),
                  float(values["pos_z"] + placement.object_lift * object_size)),
        rotation=(float(values["rot_alpha"]), float(values["rot_beta"]),
                  float(values["rot_gamma"])),
        rgb=hue("hue_object", OBJECT_SATURATION),
        spot_location=(float(SPOT_RADIUS * np.sin(theta)), float(SPOT_RADIUS * np.cos(theta)),
                       float(SPOT_HEIGHT + object_size)),
        spot_rgb=hue("hue_spot", SPOT_SATURATION),
        shape=shape)
    return SceneState((shown,), hue("hue_background", GROUND_SATURATION),
                      float(placement.ground_per_size * (object_size if ground_size is None
                                                         else ground_size)
                            + placement.ground_offset))


def scene_state(row: np.ndarray, object_size: float, hue_mapping: str = "wrapped") -> SceneState:
    """State for one row of a Pairs dataset's latents.npy; `object_size` is the teapot's
    largest dimension."""
    row = np.asarray(row, dtype=np.float64)
    return object_state({name: float(row[k]) for name, k in _COL.items()}, object_size,
                        PAIRS_PLACEMENT, hue_mapping)


def multimodal_state(row: np.ndarray, sizes: Sequence[float],
                     hue_mapping: str = "wrapped") -> SceneState:
    """State for one row of a Multimodal3DIdent dataset's latents.npy; `sizes` is each object
    type's largest dimension, in the order of its object_type values."""
    values = {name: float(value) for name, value in zip(MULTIMODAL_COLUMNS, row, strict=True)}
    shape = int(values["object_type"])
    return object_state(values, sizes[shape], MULTIMODAL_PLACEMENT, hue_mapping, shape)


def sequence_state(row: np.ndarray, names: Sequence[str], sizes: Sequence[float],
                   hue_mapping: str = "wrapped") -> SceneState:
    """State for one frame of a sequence (a row of latents.npy, its variables `names`, raw
    units); `sizes` is each shape's largest dimension."""
    values = {name: float(value) for name, value in zip(names, row, strict=True)}
    values |= {"spot_theta": values["rot_spot"], "hue_background": values["hue_back"]}
    shape = int(values["shape"])
    return object_state(values, sizes[shape], SEQUENCE_PLACEMENT, hue_mapping, shape,
                        ground_size=max(sizes[:SEQUENCE_GROUND_SHAPES]))


def objects_state(row: np.ndarray, n_objects: int, hue_mapping: str = "wrapped") -> SceneState:
    """State for one row of an Objects dataset's latents.npy (Blender units): each object
    stands at z + R (R its bounding radius), turned by (alpha, beta, 0), with its own spotlight
    4 units out at height 6 + 2R; the ground lies just below the lowest an object reaches."""
    layout = multi_layout(n_objects)
    hues, alpha, beta, x, y, z, types = (
        np.asarray(row[layout.slice(factor)])
        for factor in ("hue", "alpha", "beta", "x", "y", "z", "type"))
    theta = float(row[layout.index("spot_theta")])
    spot_rgb = _triple(hue_to_rgb(row[layout.index("spot_hue")], SPOT_SATURATION, hue_mapping))
    objects = tuple(ObjectState(
        location=(float(x[i]), float(y[i]), float(z[i]) + OBJECT_RADIUS * HEIGHT_OFFSET),
        rotation=(float(alpha[i]), float(beta[i]), 0.0),
        rgb=_triple(hue_to_rgb(hues[i], OBJECT_SATURATION, hue_mapping)),
        spot_location=(float(x[i]) + SPOT_RADIUS * math.sin(theta),
                       float(y[i]) + SPOT_RADIUS * math.cos(theta),
                       SPOT_HEIGHT + 2 * OBJECT_RADIUS),
        spot_rgb=spot_rgb, shape=int(types[i])) for i in range(n_objects))
    ground = hue_to_rgb(row[layout.index("background_hue")], GROUND_SATURATION, hue_mapping)
    return SceneState(objects, _triple(ground), OBJECTS_GROUND_Z)
