"""Multi-object scenes (CLEVR-like), as plain numbers: the column layout, block types for
categorical object types, and placement that guarantees what the originals never did: no two
objects overlap, and every object is inside the frame and big enough in both views.

Rejected scenes are redrawn in deterministic rounds from the seed; settings that cannot be
satisfied fail fast instead of looping. Rendering these scenes is a later step.

Column layout (the original multi-object variant's, 3 + 7N columns):
  spot_hue, background_hue, spot_theta, object_hue x N, alpha x N, beta x N, x x N, y x N,
  z x N, type x N.
View-specific blocks here draw view 1 and view 2 independently (no column is fixed at 0, so
that positions stay placeable); content copies view 1; style redraws around view 1 with the
block's change probability (a style type changes to a different type).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import SettingsError
from ..limits import Limit
from ..model.camera import camera_axes, project_to_pixels
from .blocks import CONTENT, STYLE
from .distributions import Conditional, Marginal

OBJECT_TYPES = ("teapot", "cube", "sphere", "cylinder", "cone", "torus", "monkey")
OBJECT_RADIUS = 0.7  # every type is scaled to this bounding radius (CLEVR's large size)
POSITION_SCALE = (3.5, 3.5, 1.0)  # world x, y, z = scale * raw
HEIGHT_OFFSET = 1.0  # object centre z = OBJECT_RADIUS * HEIGHT_OFFSET + z
MULTI_BLOCKS = ("objects", "positions", "rotations", "hues")

N_OBJECTS = Limit("n_objects", "Objects", "Objects per scene", 2, 1, 8)
MIN_GAP = Limit("min_gap", "Minimum Gap",
                "Smallest distance between two objects' bounding spheres (world units)",
                0.25, 0.0, 10.0)
MIN_PIXELS = Limit("min_pixels", "Minimum Pixels",
                   "Smallest projected area of every object, in pixels at the resolution",
                   50.0, 0.0, 1e6)
PROBE = 4096  # candidates drawn first, to measure how often a scene can be placed
MIN_ACCEPTANCE = 1e-3  # below this, whole-scene redraws would crawl: say so instead
MAX_ROUNDS = 200


@dataclass(frozen=True)
class MultiBlock:
    """A block of the multi-object layout: its type, distributions, change probability."""

    type: str = CONTENT
    marginal: Marginal = field(default_factory=Marginal)
    conditional: Conditional = field(default_factory=Conditional)
    change_probability: float = 1.0


def column_names(n_objects: int) -> list[str]:
    """Names of the 3 + 7N columns, in the original's order."""
    per_object = ("hue", "alpha", "beta", "x", "y", "z", "type")
    names = ["spot_hue", "background_hue", "spot_theta"]
    for factor in per_object:
        names += [f"object{i}_{factor}" for i in range(n_objects)]
    return names


def column_blocks(n_objects: int) -> list[str]:
    """The block of each column."""
    blocks = ["hues", "hues", "rotations"]
    for block in ("hues", "rotations", "rotations", "positions", "positions", "positions",
                  "objects"):
        blocks += [block] * n_objects
    return blocks


def _slice(n_objects: int, factor: str) -> slice:
    order = ("hue", "alpha", "beta", "x", "y", "z", "type")
    start = 3 + order.index(factor) * n_objects
    return slice(start, start + n_objects)


@dataclass(frozen=True)
class MultiObjectScenes:
    """Raw latents of both views: (pairs, 3 + 7N); the type columns hold type indices."""

    raw1: np.ndarray
    raw2: np.ndarray
    n_objects: int

    def centres(self, view: int) -> np.ndarray:
        """(pairs, N, 3) object centres in world units."""
        raw = self.raw1 if view == 1 else self.raw2
        return object_centres(raw, self.n_objects)

    def types(self, view: int) -> np.ndarray:
        """(pairs, N) type indices."""
        raw = self.raw1 if view == 1 else self.raw2
        return raw[:, _slice(self.n_objects, "type")].astype(np.int64)


def object_centres(raw: np.ndarray, n_objects: int) -> np.ndarray:
    """(rows, N, 3) world centres from raw rows."""
    xyz = np.stack([raw[:, _slice(n_objects, f)] for f in ("x", "y", "z")], axis=2)
    return xyz * np.array(POSITION_SCALE) + np.array([0.0, 0.0, OBJECT_RADIUS * HEIGHT_OFFSET])


def placement_ok(centres: np.ndarray, min_gap: float, min_pixels: float,
                 resolution: int) -> np.ndarray:
    """(rows,) bool: no two bounding spheres closer than min_gap, every object's projected
    bounding circle inside the frame and at least min_pixels in area."""
    rows, n, _ = centres.shape
    ok = np.ones(rows, dtype=bool)
    for i in range(n):
        for j in range(i + 1, n):
            distance = np.linalg.norm(centres[:, i] - centres[:, j], axis=1)
            ok &= distance - 2 * OBJECT_RADIUS >= min_gap
    flat = centres.reshape(-1, 3)
    middle = project_to_pixels(flat, resolution)
    # The bounding sphere's projected radius, from points on it offset along the camera's axes.
    right, up, _ = camera_axes()
    edge_x = project_to_pixels(flat + OBJECT_RADIUS * right, resolution)
    edge_y = project_to_pixels(flat + OBJECT_RADIUS * up, resolution)
    radius = np.maximum(np.linalg.norm(edge_x - middle, axis=1),
                        np.linalg.norm(edge_y - middle, axis=1))
    inside = ((middle - radius[:, None] >= 0)
              & (middle + radius[:, None] <= resolution)).all(axis=1)
    big = np.pi * radius**2 >= min_pixels
    return ok & (inside & big).reshape(rows, n).all(axis=1)


def _draw_block(rng: np.random.Generator, block: MultiBlock, view1: np.ndarray | None,
                n: int, width: int, categorical: int = 0) -> np.ndarray:
    """View-1 values (view1 None) or view-2 values of one block's columns."""
    def fresh() -> np.ndarray:
        if categorical:
            return rng.integers(0, categorical, (n, width)).astype(np.float64)
        return block.marginal.sample(rng, n * width).reshape(n, width)

    if view1 is None or block.type not in (CONTENT, STYLE):
        return fresh()
    if block.type == CONTENT:
        return view1.copy()
    changes = rng.random((n, width)) < block.change_probability
    if categorical:
        shift = rng.integers(1, max(2, categorical), (n, width)) if categorical > 1 else 0
        redrawn = (view1 + shift) % categorical
    else:
        redrawn = block.conditional.sample(rng, view1.ravel()).reshape(n, width)
    return np.where(changes, redrawn, view1)


def _candidates(seed: int, round_: int, n: int, n_objects: int, n_types: int,
                blocks: dict[str, MultiBlock]) -> tuple[np.ndarray, np.ndarray]:
    sequence = np.random.SeedSequence(seed, spawn_key=(7, round_))
    rng = np.random.Generator(np.random.PCG64(sequence))
    width = 3 + 7 * n_objects
    raw = [np.zeros((n, width)), np.zeros((n, width))]
    groups = {"hues": [0, 1, *range(3, 3 + n_objects)],
              "rotations": [2, *range(3 + n_objects, 3 + 3 * n_objects)],
              "positions": list(range(3 + 3 * n_objects, 3 + 6 * n_objects)),
              "objects": list(range(3 + 6 * n_objects, width))}
    for name, columns in groups.items():
        categorical = n_types if name == "objects" else 0
        first = _draw_block(rng, blocks[name], None, n, len(columns), categorical)
        second = _draw_block(rng, blocks[name], first, n, len(columns), categorical)
        raw[0][:, columns], raw[1][:, columns] = first, second
    return raw[0], raw[1]


def sample_scenes(n_pairs: int, seed: int, n_objects: int, object_types: tuple[str, ...],
                  blocks: dict[str, MultiBlock], min_gap: float, min_pixels: float,
                  resolution: int) -> MultiObjectScenes:
    """Draw n_pairs scene pairs whose placement holds in both views."""
    N_OBJECTS.check(n_objects)
    MIN_GAP.check(min_gap)
    MIN_PIXELS.check(min_pixels)
    for name in object_types:
        if name not in OBJECT_TYPES:
            raise SettingsError("object_types", name, "types from " + ", ".join(OBJECT_TYPES))
    if set(blocks) != set(MULTI_BLOCKS):
        raise SettingsError("blocks", sorted(blocks), "exactly " + ", ".join(MULTI_BLOCKS))
    raw1 = np.zeros((n_pairs, 3 + 7 * n_objects))
    raw2 = np.zeros_like(raw1)
    todo = np.arange(n_pairs)
    acceptance = 1.0
    for round_ in range(MAX_ROUNDS):
        # Draw enough candidates for the pairs still to place, at the measured acceptance.
        batch = int(min(len(todo) / acceptance * 1.3 + 64, 2_000_000))
        if round_ == 0:
            batch = max(batch, PROBE)
        c1, c2 = _candidates(seed, round_, batch, n_objects, len(object_types), blocks)
        ok = (placement_ok(object_centres(c1, n_objects), min_gap, min_pixels, resolution)
              & placement_ok(object_centres(c2, n_objects), min_gap, min_pixels, resolution))
        good = np.flatnonzero(ok)
        if round_ == 0:
            acceptance = max(float(ok.mean()), MIN_ACCEPTANCE)
            if ok.mean() < MIN_ACCEPTANCE:
                raise SettingsError(
                    "n_objects", n_objects,
                    f"fewer objects, a smaller min_gap ({min_gap}) or min_pixels "
                    f"({min_pixels}): only {ok.mean():.2%} of scenes can be placed")
        take = min(len(good), len(todo))
        raw1[todo[:take]], raw2[todo[:take]] = c1[good[:take]], c2[good[:take]]
        todo = todo[take:]
        if not len(todo):
            return MultiObjectScenes(raw1, raw2, n_objects)
    raise SettingsError("n_objects", n_objects, "settings that place a scene within "
                        f"{MAX_ROUNDS} rounds of redraws")
