"""The optional camera and lighting blocks (sampling/rig.py) as both image kinds hold them:
after the kind's own blocks, and their columns after the kind's own columns."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..errors import SettingsError
from ..model.camera import CameraPoses
from ..sampling.pose import SceneState
from ..sampling.rig import (
    RIG_BLOCKS,
    Lighting,
    lighting_of,
    poses_of,
    rig_factors,
    rig_scales,
    rig_values,
    sample_rig,
)


def ordered_blocks(blocks: Mapping[str, Any], own: Sequence[str]) -> dict[str, Any]:
    """The blocks in canonical order (the kind's own, then camera, lighting), so equal settings
    serialise identically; SettingsError unless every own block is there and the rest are rig
    blocks."""
    missing = [b for b in own if b not in blocks]
    unknown = sorted(b for b in blocks if b not in own and b not in RIG_BLOCKS)
    if missing or unknown:
        raise SettingsError("blocks", unknown or sorted(blocks),
                            "the blocks " + ", ".join(own) + ", and optionally "
                            + " and ".join(RIG_BLOCKS))
    for block in RIG_BLOCKS:
        if block in blocks and blocks[block].view_roles is not None:
            raise SettingsError(f"blocks.{block}.view_roles", blocks[block].view_roles,
                                "none: the camera and lighting blocks have no m1/m2/m3 roles "
                                "(view-specific draws each view on its own)")
    return {b: blocks[b] for b in (*own, *RIG_BLOCKS) if b in blocks}


def rig_blocks(settings: Any) -> tuple[str, ...]:
    """The camera and lighting blocks a job has, in order (none for kinds without blocks)."""
    return tuple(b for b in RIG_BLOCKS if b in settings.blocks)


def moves_camera(settings: Any) -> bool:
    """Whether a job's camera is a factor (else it is the published, fixed one)."""
    return "camera" in rig_blocks(settings)


def rig_columns(settings: Any, start: int) -> list[dict[str, Any]]:
    """The manifest's description of the rig columns from index `start`."""
    return [{**f.describe(start + k), "role": settings.blocks[f.block].type}
            for k, f in enumerate(rig_factors(rig_blocks(settings)))]


def rig_roles(settings: Any) -> tuple[str, ...]:
    """Role of each rig column: its block's type."""
    return tuple(settings.blocks[f.block].type for f in rig_factors(rig_blocks(settings)))


def with_rig(settings: Any, raws: Sequence[np.ndarray], scales: np.ndarray,
             rig_raws: Sequence[np.ndarray]) -> tuple[list[np.ndarray], np.ndarray]:
    """Every view's raw latents with the rig columns appended, and the scales with theirs
    (the kind's own, untouched, without rig blocks)."""
    blocks = rig_blocks(settings)
    if not blocks:
        return list(raws), scales
    return ([np.concatenate([raw, extra], axis=1)
             for raw, extra in zip(raws, rig_raws, strict=True)],
            np.concatenate([scales, rig_scales(blocks)]))


def rig_poses(settings: Any, rig_raws: Sequence[np.ndarray]) -> list[CameraPoses] | None:
    """Each view's cameras from raw rig latents (None without a camera block)."""
    blocks = rig_blocks(settings)
    if "camera" not in blocks:
        return None
    scales = rig_scales(blocks)
    return [poses_of(rig_values(raw * scales, blocks, 0), len(raw)) for raw in rig_raws]


def sample_rig_raws(settings: Any) -> list[np.ndarray]:
    """The raw rig latents of every view (empty columns without rig blocks)."""
    blocks = rig_blocks(settings)
    return sample_rig({b: settings.blocks[b] for b in blocks}, settings.n_pairs, settings.seed,
                      settings.n_views)


def camera_poses_of(settings: Any, latents: np.ndarray, start: int) -> CameraPoses:
    """The camera of each row of latents.npy (the published one without a camera block)."""
    latents = np.atleast_2d(latents)
    return poses_of(rig_values(latents, rig_blocks(settings), start), len(latents))


def state_with_rig(state: SceneState, settings: Any, row: np.ndarray) -> SceneState:
    """The state with the camera and the lights a row's camera and lighting factors give
    (kinds without those blocks keep the published camera and lights: None)."""
    camera = None
    if moves_camera(settings):
        poses = settings.camera_poses(row)
        camera = (tuple(float(v) for v in poses.eyes[0]),
                  tuple(tuple(float(v) for v in axis) for axis in poses.axes[0]))
    lighting = settings.lighting(row) if "lighting" in rig_blocks(settings) else None
    return dataclasses.replace(state, camera=camera, lighting=lighting)


def lighting_at(settings: Any, row: np.ndarray, start: int) -> Lighting:
    """The lights of one row of latents.npy (the published ones without a lighting block)."""
    return lighting_of(rig_values(row, rig_blocks(settings), start), 0)
