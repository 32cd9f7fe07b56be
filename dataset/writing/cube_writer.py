"""Write a cube dataset's labels (cLPR layout) and manifest, atomically, never over another."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ...sampling.cube import (
    cube_labels,
    node_pixels,
    random_rotations,
    rotation_grid,
    visible_nodes,
)
from ...settings.cube import CubeSettings
from ...settings.kinds import CUBE_FORMAT
from ...version import __version__
from .writer import (
    write_frames_dataset,
)

LABELS = "labels.npy"
VISIBLE = "visible.npy"


def cube_rotations(settings: CubeSettings) -> np.ndarray:
    """(frames, 3) rotations: the grid, or random ones."""
    if settings.random_frames:
        return random_rotations(settings.random_frames, settings.seed)
    return rotation_grid(settings.step)


def cube_arrays(settings: CubeSettings) -> dict[str, np.ndarray]:
    """Every label file of a cube dataset, by its path relative to the dataset root."""
    labels = cube_labels(cube_rotations(settings))
    arrays = {LABELS: labels, VISIBLE: visible_nodes(labels[..., :3])}
    for size in settings.sizes:
        arrays[f"nodes/{size}.npy"] = node_pixels(labels, size)
    return arrays


def cube_manifest(settings: CubeSettings, checksums: dict[str, str], frames: int) -> dict[str, Any]:
    """What a reader needs: settings, layout, versions, checksums."""
    return {
        "format": CUBE_FORMAT,
        "identbox_version": __version__,
        "numpy_version": np.__version__,
        "settings": settings.to_dict(),
        "frames": frames,
        "files": {
            LABELS: "(frames, 8, 6) float64: node x, y, z after rotation and re-centring to "
                    "(128, 128, 0) in 256-px units, then (rx, ry, rz); cLPR's layout",
            VISIBLE: "(frames, 8) bool: the node lies on a face that faces the viewer",
            "nodes/<size>.npy": "(frames, 8, 2) float64: node pixel x (right), y (down)",
            "images/<size>/000000.png": "frame images, numbered from 0 like the label rows",
        },
        "sha256": checksums,
    }


def write_cube_labels(settings: CubeSettings, root: Path | str) -> tuple[Path, int, bool]:
    """Write labels, visibility, node pixels and the manifest (last). Returns (root, frames,
    written); the same dataset already there is kept, a different one is refused."""
    return write_frames_dataset(
        root, settings, CUBE_FORMAT, "cube", "images", lambda: cube_arrays(settings),
        lambda checksums, frames: cube_manifest(settings, checksums, frames),
        lambda arrays: len(arrays[LABELS]))
