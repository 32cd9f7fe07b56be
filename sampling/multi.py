"""Multi-object scenes (CLEVR-like), as plain numbers: the column layout, block types for
categorical object types, and placement that guarantees what the originals never did: no two
objects overlap, and every object is inside the frame and big enough in every view.

Rejected scenes are redrawn in deterministic rounds from the seed; settings that cannot be
satisfied fail fast instead of looping. Rendering these scenes is a later step.

Column layout (the original multi-object variant's, 3 + 7N columns; `multi_layout`):
  spot_hue, background_hue, spot_theta, object_hue x N, alpha x N, beta x N, x x N, y x N,
  z x N, type x N.
View-specific blocks here draw every view independently (no column is fixed at 0, so
that positions stay placeable); content copies view 1; style redraws each later view around
view 1, on its own, with the block's change probability (a style type changes to a different
type). One stream draws everything: per block, view 1 and then each later view in order, so two
views draw exactly what they drew before there were k.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import numpy as np

from ..errors import SettingsError
from ..limits import Limit
from ..model.camera import CameraPoses, camera_axes, project_to_pixels
from ..model.shape_files import SYNTAX, shape_file
from .blocks import CONTENT, STYLE
from .columns import ColumnLayout
from .distributions import Conditional, Marginal

OBJECT_TYPES = ("teapot", "cube", "sphere", "cylinder", "cone", "torus", "monkey")
OBJECT_RADIUS = 0.7  # every type is scaled to this bounding radius (CLEVR's large size)
POSITION_SCALE = (3.5, 3.5, 1.0)  # world x, y, z = scale * raw
HEIGHT_OFFSET = 1.0  # object centre z = OBJECT_RADIUS * HEIGHT_OFFSET + z
MULTI_BLOCKS = ("objects", "positions", "rotations", "hues")
TYPES_TEXT = f"a type from {', '.join(OBJECT_TYPES)}, or a mesh file: {SYNTAX}"

N_OBJECTS = Limit("n_objects", "Objects", "Objects per scene", 2, 1, 8)
MIN_GAP = Limit("min_gap", "Minimum Gap",
                "Smallest distance between two objects' bounding spheres (world units)",
                0.25, 0.0, 10.0)
MIN_PIXELS = Limit("min_pixels", "Minimum Pixels",
                   "Smallest projected area of every object, in pixels at the resolution",
                   50.0, 0.0, 1e6)
TRIES = 50  # redraws of one object before its whole scene is drawn again
PROBE = 2048  # scenes drawn at least in the first round, to measure the acceptance
MIN_ACCEPTANCE = 1e-3  # below this share of placeable scenes, say so instead of looping
MAX_ROUNDS = 200


def check_object_types(object_types: tuple[str, ...], distinct: bool = True) -> None:
    """SettingsError unless there are types, distinct (where asked), each built in or a mesh
    file's name (its spelling only: the file itself is read when a render is prepared)."""
    if not object_types:
        raise SettingsError("object_types", [], "one or more types: " + TYPES_TEXT)
    for index, name in enumerate(object_types):
        if not isinstance(name, str) or (name not in OBJECT_TYPES and shape_file(name) is None):
            raise SettingsError(f"object_types[{index}]", name, TYPES_TEXT)
        if distinct and name in object_types[:index]:
            raise SettingsError(f"object_types[{index}]", name, "a type not listed before it")


@dataclass(frozen=True)
class MultiBlock:
    """A block of the multi-object layout: its type, distributions, change probability."""

    type: str = CONTENT
    marginal: Marginal = field(default_factory=Marginal)
    conditional: Conditional = field(default_factory=Conditional)
    change_probability: float = 1.0


# Scene-wide columns, then each per-object factor's N columns together, with their blocks.
SCENE_COLUMNS = (("spot_hue", "hues"), ("background_hue", "hues"), ("spot_theta", "rotations"))
OBJECT_COLUMNS = (("hue", "hues"), ("alpha", "rotations"), ("beta", "rotations"),
                  ("x", "positions"), ("y", "positions"), ("z", "positions"), ("type", "objects"))


@cache
def multi_layout(n_objects: int) -> ColumnLayout:
    """The 3 + 7N columns of a scene of n_objects, in the original's order."""
    return ColumnLayout.with_objects(SCENE_COLUMNS, OBJECT_COLUMNS, n_objects)


def column_names(n_objects: int) -> list[str]:
    """Names of the 3 + 7N columns, in the original's order."""
    return list(multi_layout(n_objects).names)


def column_blocks(n_objects: int) -> list[str]:
    """The block of each column."""
    return [str(block) for block in multi_layout(n_objects).blocks]


@dataclass(frozen=True)
class MultiObjectScenes:
    """Raw latents of every view, in view order: (pairs, 3 + 7N) each; the type columns hold
    type indices."""

    raws: tuple[np.ndarray, ...]
    n_objects: int

    @property
    def raw1(self) -> np.ndarray:
        """View 1."""
        return self.raws[0]

    @property
    def raw2(self) -> np.ndarray:
        """View 2."""
        return self.raws[1]

    def centres(self, view: int) -> np.ndarray:
        """(pairs, N, 3) object centres in world units, in a view counted from 1."""
        return object_centres(self.raws[view - 1], self.n_objects)

    def types(self, view: int) -> np.ndarray:
        """(pairs, N) type indices, in a view counted from 1."""
        raw = self.raws[view - 1]
        return raw[:, multi_layout(self.n_objects).slice("type")].astype(np.int64)


def object_centres(raw: np.ndarray, n_objects: int) -> np.ndarray:
    """(rows, N, 3) world centres from raw rows."""
    layout = multi_layout(n_objects)
    xyz = np.stack([raw[:, layout.slice(f)] for f in ("x", "y", "z")], axis=2)
    return xyz * np.array(POSITION_SCALE) + np.array([0.0, 0.0, OBJECT_RADIUS * HEIGHT_OFFSET])


def placement_ok(centres: np.ndarray, min_gap: float, min_pixels: float,
                 resolution: int, poses: CameraPoses | None = None) -> np.ndarray:
    """(rows,) bool: no two bounding spheres closer than min_gap, every object's projected
    bounding circle inside the frame and at least min_pixels in area (centres in world units),
    seen through the published camera or each row's camera."""
    rows, n, _ = centres.shape
    ok = np.ones(rows, dtype=bool)
    for k in range(n):
        ok &= _clear_of(centres[:, k], centres[:, :k], min_gap)
        ok &= _in_frame(centres[:, k], min_pixels, resolution, poses)
    return ok


def _draw_block(rng: np.random.Generator, block: MultiBlock, view1: np.ndarray | None,
                n: int, width: int, categorical: int = 0) -> np.ndarray:
    """View-1 values (view1 None) or a later view's values of one block's columns."""
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


def _other_factors(rng: np.random.Generator, n: int, n_objects: int, n_types: int,
                   blocks: dict[str, MultiBlock], n_views: int) -> list[np.ndarray]:
    """Hues, rotations and types of every view (placement does not depend on them)."""
    layout = multi_layout(n_objects)
    raws = [np.zeros((n, len(layout))) for _ in range(n_views)]
    for name in ("hues", "rotations", "objects"):  # the draw order: part of every seed's latents
        columns = layout.indices(block=name)
        categorical = n_types if name == "objects" else 0
        first = _draw_block(rng, blocks[name], None, n, len(columns), categorical)
        raws[0][:, columns] = first
        for raw in raws[1:]:
            raw[:, columns] = _draw_block(rng, blocks[name], first, n, len(columns), categorical)
    return raws


def _world(raw_xyz: np.ndarray) -> np.ndarray:
    return raw_xyz * np.array(POSITION_SCALE) + np.array([0.0, 0.0, OBJECT_RADIUS * HEIGHT_OFFSET])


def _in_frame(world: np.ndarray, min_pixels: float, resolution: int,
              poses: CameraPoses | None = None) -> np.ndarray:
    """(rows,) bool: the object's projected bounding circle is inside the frame and big enough
    (through the published camera, or each row's own)."""
    middle = project_to_pixels(world, resolution, poses)
    if poses is None:
        right, up, _ = camera_axes()
    else:
        right, up = poses.axes[:, 0], poses.axes[:, 1]
    radius = np.maximum(
        np.linalg.norm(project_to_pixels(world + OBJECT_RADIUS * right, resolution, poses)
                       - middle, axis=1),
        np.linalg.norm(project_to_pixels(world + OBJECT_RADIUS * up, resolution, poses)
                       - middle, axis=1))
    inside = ((middle - radius[:, None] >= 0) & (middle + radius[:, None] <= resolution)).all(1)
    return np.asarray(inside & (np.pi * radius**2 >= min_pixels))


def _clear_of(candidate: np.ndarray, placed: np.ndarray, min_gap: float) -> np.ndarray:
    """(rows,) bool: the candidate keeps min_gap from every object placed so far."""
    if placed.shape[1] == 0:
        return np.ones(len(candidate), dtype=bool)
    distance = np.linalg.norm(placed - candidate[:, None, :], axis=2)
    return np.asarray((distance - 2 * OBJECT_RADIUS >= min_gap).all(axis=1))


def _place(rng: np.random.Generator, n: int, n_objects: int, block: MultiBlock,
           min_gap: float, min_pixels: float, resolution: int, n_views: int,
           poses: list[CameraPoses] | None = None) -> tuple[list[np.ndarray], np.ndarray]:
    """Raw positions (n, N, 3) of every view, placed one object at a time (as CLEVR does):
    each object is redrawn up to TRIES times until it fits in every view (through each view's
    camera, one per candidate scene, where `poses` gives them); a scene whose object cannot be
    placed is returned as failed (alive False) and drawn again whole."""
    positions = [np.zeros((n, n_objects, 3)) for _ in range(n_views)]
    alive = np.ones(n, dtype=bool)
    for k in range(n_objects):
        placed = ~alive
        for _ in range(TRIES):
            rows = np.flatnonzero(~placed)
            if not len(rows):
                break
            first = _draw_block(rng, block, None, len(rows), 3)
            candidates = [first, *(_draw_block(rng, block, first, len(rows), 3)
                                   for _ in range(n_views - 1))]
            fits = np.ones(len(rows), dtype=bool)
            for view, (candidate, pos) in enumerate(zip(candidates, positions, strict=True)):
                world = _world(candidate)
                cameras = None if poses is None else poses[view].take(rows)
                fits &= (_clear_of(world, _world(pos[rows, :k]), min_gap)
                         & _in_frame(world, min_pixels, resolution, cameras))
            good = rows[fits]
            for candidate, pos in zip(candidates, positions, strict=True):
                pos[good, k] = candidate[fits]
            placed[good] = True
        alive &= placed
    return positions, alive


def sample_scenes(n_pairs: int, seed: int, n_objects: int, object_types: tuple[str, ...],
                  blocks: dict[str, MultiBlock], min_gap: float, min_pixels: float,
                  resolution: int, n_views: int = 2,
                  poses: list[CameraPoses] | None = None) -> MultiObjectScenes:
    """Draw n_pairs scenes in n_views views (2 or more); placement holds in every view, seen
    through the published camera or, where `poses` gives each view's camera per scene, through
    that one."""
    if isinstance(n_views, bool) or not isinstance(n_views, int) or n_views < 2:
        raise SettingsError("n_views", n_views, "an integer of 2 or more")
    N_OBJECTS.check(n_objects)
    MIN_GAP.check(min_gap)
    MIN_PIXELS.check(min_pixels)
    check_object_types(object_types)
    if set(blocks) != set(MULTI_BLOCKS):
        raise SettingsError("blocks", sorted(blocks), "exactly " + ", ".join(MULTI_BLOCKS))
    stream = np.random.SeedSequence(seed, spawn_key=(7,))
    rng = np.random.Generator(np.random.PCG64(stream))
    raws = _other_factors(rng, n_pairs, n_objects, len(object_types), blocks, n_views)
    layout = multi_layout(n_objects)
    positions = [layout.slice(axis) for axis in ("x", "y", "z")]
    todo = np.arange(n_pairs)
    acceptance = 1.0
    for round_ in range(MAX_ROUNDS):
        # Enough candidate scenes for the pairs left, at the acceptance measured in round 0
        # (which probes at least PROBE scenes, so a small dataset measures it well too).
        batch = int(len(todo) / acceptance * 1.2) + 16
        if round_ == 0:
            batch = max(batch, PROBE)
        # With cameras per scene, candidate j is drawn for scene todo[j mod len(todo)].
        targets = todo[np.arange(batch) % len(todo)]
        cameras = None if poses is None else [p.take(targets) for p in poses]
        placed, alive = _place(rng, batch, n_objects, blocks["positions"], min_gap,
                               min_pixels, resolution, n_views, cameras)
        if round_ == 0:
            acceptance = max(float(alive.mean()), MIN_ACCEPTANCE)
            if alive.mean() < MIN_ACCEPTANCE:
                raise SettingsError(
                    "n_objects", n_objects,
                    f"fewer objects, a smaller min_gap ({min_gap}), a smaller min_pixels "
                    f"({min_pixels}) or a larger resolution ({resolution} px: an object must "
                    f"cover min_pixels at it): only {alive.mean():.2%} of scenes could be "
                    "placed")
        if poses is None:
            good = np.flatnonzero(alive)[:len(todo)]
            done, todo = todo[:len(good)], todo[len(good):]
        else:  # each scene takes the first candidate drawn for it that fits
            fitting = np.flatnonzero(alive)
            done, first = np.unique(targets[fitting], return_index=True)
            good = fitting[first]
            todo = todo[~np.isin(todo, done)]
        for axis, columns in enumerate(positions):
            for raw, pos in zip(raws, placed, strict=True):
                raw[done, columns] = pos[good, :, axis]
        if not len(todo):
            return MultiObjectScenes(tuple(raws), n_objects)
    raise SettingsError("n_objects", n_objects, "settings that place a scene within "
                        f"{MAX_ROUNDS} rounds of redraws")
