"""Multimodal3DIdent's latents (reference multimodal3dident.md), as IdentBox raw columns.

One object of seven shapes on a 3 x 3 grid of places, at height 0, turned about all three axes;
its colour, the spotlight's angle and colour and the ground's colour. The original draws each as
an integer or a uniform value in [0, 1] (`u`); IdentBox keeps raw values in [-1, 1] with a
Blender scale, as for every kind, and converts back to the original's values for an export:

| column | original | raw | blender_scale | Blender |
|---|---|---|---|---|
| object_type | object_shape | the shape's index 0..6 | 1 | which mesh |
| pos_y | object_xpos | xpos - 1 (-1, 0, 1) | 3 | y = 3 xpos - 3 (left, center, right) |
| pos_x | object_ypos | ypos - 1 (-1, 0, 1) | 3 | x = 3 ypos - 3 (top, mid, bottom) |
| pos_z | object_zpos | 0 | 1 | z = 0 (no half-size offset) |
| rot_alpha, rot_beta, rot_gamma | object_*rot | 2u - 1 | pi / 2 | Euler X, Y, Z = pi u - pi / 2 |
| hue_object | object_color | u | 2 pi | hue u |
| spot_theta | spotlight_pos | 2u - 1 | pi / 2 | theta = pi u - pi / 2 |
| hue_spot | spotlight_color | 2u - 1 | pi / 2 | hue (u - 0.5) / 2 |
| hue_background | background_color | 2u - 1 | pi / 2 | hue (u - 0.5) / 2 |

Hues are value / 2pi in Blender units, as every IdentBox hue column. Each column has its own
random stream from the seed, so a column's values do not depend on the others.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .blocks import MODALITY_SPECIFIC, SHARED

# The original's shapes, in the order of its object_shape values: the words its sentences use.
ORIGINAL_SHAPES = ("teapot", "hare", "dragon", "cow", "armadillo", "horse", "head")
# Built-in types drawn in their place while the scanned shapes are not at hand (a fixed,
# arbitrary choice but the teapot, the original's own, and Suzanne's head for the head).
STAND_INS = ("teapot", "sphere", "torus", "cube", "cone", "cylinder", "monkey")
GRID = 3  # places per image axis
GRID_SPACING = 3.0  # world units between places
_STREAM_BASE = 97  # spawn keys (97, column): apart from every other stream's


@dataclass(frozen=True)
class MultimodalColumn:
    """One latent column: IdentBox's name, the original's, its block, Blender scale, raw
    range, the original's value as a function of raw (text), and which modalities show it."""

    name: str
    original: str
    block: str
    blender_scale: float
    raw_range: tuple[float, float]
    original_value: str
    shown_in: tuple[str, ...]
    meaning: str
    integer: bool = False  # the original records an integer
    circular: bool = False  # a hue: the raw range's two ends are one colour

    @property
    def role(self) -> str:
        """What the manifest calls it: constant, shared (both modalities show it) or
        modality_specific (the image alone)."""
        if self.raw_range == (0, 0):
            return "constant"
        return SHARED if set(self.shown_in) == set(_BOTH) else MODALITY_SPECIFIC


_HALF_PI = float(np.pi / 2)
_BOTH = ("image", "text")
_IMAGE = ("image",)
COLUMNS: tuple[MultimodalColumn, ...] = (
    MultimodalColumn("object_type", "object_shape", "objects", 1.0, (0, len(ORIGINAL_SHAPES) - 1),
                     "raw", _BOTH, "the shape: object_types draws it, words names it", True),
    MultimodalColumn("pos_y", "object_xpos", "positions", GRID_SPACING, (-1, 1), "raw + 1", _BOTH,
                     "object y: the image column (left, center, right)", True),
    MultimodalColumn("pos_x", "object_ypos", "positions", GRID_SPACING, (-1, 1), "raw + 1", _BOTH,
                     "object x: the image row (top, mid, bottom; farther is higher)", True),
    MultimodalColumn("pos_z", "object_zpos", "positions", 1.0, (0, 0), "raw", _BOTH,
                     "object z: always 0"),
    MultimodalColumn("rot_alpha", "object_alpharot", "rotations", _HALF_PI, (-1, 1),
                     "(raw + 1) / 2", _IMAGE, "Euler X"),
    MultimodalColumn("rot_beta", "object_betarot", "rotations", _HALF_PI, (-1, 1),
                     "(raw + 1) / 2", _IMAGE, "Euler Y"),
    MultimodalColumn("rot_gamma", "object_gammarot", "rotations", _HALF_PI, (-1, 1),
                     "(raw + 1) / 2", _IMAGE, "Euler Z"),
    MultimodalColumn("hue_object", "object_color", "hues", 2 * float(np.pi), (0, 1), "raw",
                     _BOTH, "the object's hue (saturation 1); the text names its colour",
                     circular=True),
    MultimodalColumn("spot_theta", "spotlight_pos", "rotations", _HALF_PI, (-1, 1),
                     "(raw + 1) / 2", _IMAGE, "spotlight at (4 sin, 4 cos, 6 + size)"),
    MultimodalColumn("hue_spot", "spotlight_color", "hues", _HALF_PI, (-1, 1), "(raw + 1) / 2",
                     _IMAGE, "the spotlight's hue (saturation 0.8)", circular=True),
    MultimodalColumn("hue_background", "background_color", "hues", _HALF_PI, (-1, 1),
                     "(raw + 1) / 2", _IMAGE, "the ground's hue (saturation 0.6)", circular=True),
)
COLUMN_NAMES = tuple(c.name for c in COLUMNS)
SCALES = np.array([c.blender_scale for c in COLUMNS])
# The original's latents_text.csv columns, in its order.
TEXT_COLUMNS = ("object_shape", "object_xpos", "object_ypos", "object_zpos",
                "object_color_name", "object_color_index", "text_phrasing")


def index(name: str) -> int:
    """The position of a column (by IdentBox's name)."""
    return COLUMN_NAMES.index(name)


def _stream(seed: int, column: int) -> np.random.Generator:
    sequence = np.random.SeedSequence(seed, spawn_key=(_STREAM_BASE, column))
    return np.random.Generator(np.random.PCG64(sequence))


def sample_multimodal(n: int, seed: int, position_dependent_colour: bool = False) -> np.ndarray:
    """(n, 11) raw latents as the original draws them: shape 0..6 and grid places uniform,
    rotations, spotlight and colours uniform; with `position_dependent_colour` the hue is
    (xpos + u) / 3, the original's option for a colour caused by the position."""
    raw = np.zeros((n, len(COLUMNS)))
    raw[:, index("object_type")] = _stream(seed, 0).integers(0, len(ORIGINAL_SHAPES), n)
    for name in ("pos_y", "pos_x"):
        raw[:, index(name)] = _stream(seed, index(name)).integers(0, GRID, n) - 1
    for name in ("rot_alpha", "rot_beta", "rot_gamma", "spot_theta", "hue_spot",
                 "hue_background"):
        raw[:, index(name)] = _stream(seed, index(name)).uniform(-1.0, 1.0, n)
    hue = _stream(seed, index("hue_object")).random(n)
    if position_dependent_colour:
        hue = (raw[:, index("pos_y")] + 1 + hue) / GRID
    raw[:, index("hue_object")] = hue
    return raw


_TO_ORIGINAL = {"raw": lambda x: x, "raw + 1": lambda x: x + 1,
                "(raw + 1) / 2": lambda x: (x + 1) / 2}


def original_image_latents(raw: np.ndarray) -> dict[str, np.ndarray]:
    """The original's latents_image.csv columns (its names, its order, its values: integers
    for shape and places, 0.0 for z, [0, 1] for the rest) from raw latents."""
    found = {}
    for k, column in enumerate(COLUMNS):
        value = np.asarray(_TO_ORIGINAL[column.original_value](raw[:, k]), dtype=np.float64)
        found[column.original] = np.rint(value).astype(np.int64) if column.integer else value
    return found
