"""Write a cube dataset's labels (cLPR layout) and manifest, atomically, never over another."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DatasetError
from ..sampling.cube import (
    cube_labels,
    node_pixels,
    random_rotations,
    rotation_grid,
    visible_nodes,
)
from ..settings.cube import CubeSettings
from ..version import __version__
from .layout import MANIFEST
from .manifest import manifest_text, read_manifest
from .writer import (
    _npy_bytes,
    atomic_write_bytes,
    check_output_folder,
    missing_folders,
    remove_partial,
    setting_differences,
)

CUBE_FORMAT = "identbox-cube/1"
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
    root = Path(root)
    manifest_path = root / MANIFEST
    if manifest_path.exists():
        manifest = read_manifest(manifest_path, CUBE_FORMAT)
        differences = setting_differences(settings.to_dict(), manifest.get("settings") or {})
        if differences:
            raise DatasetError(f"{root} already holds a different cube dataset ("
                               + "; ".join(differences[:4]) + "); choose another output folder")
        return root, int(manifest["frames"]), False
    if (root / "images").exists():
        raise DatasetError(f"{root} holds images/ but no {MANIFEST}; choose another folder")
    check_output_folder(root)
    arrays = cube_arrays(settings)
    new_folders = missing_folders([(root / relative).parent for relative in arrays])
    checksums, written = {}, []
    try:
        for relative, array in arrays.items():
            blob = _npy_bytes(array)
            atomic_write_bytes(root / relative, blob)
            written.append(root / relative)
            checksums[relative] = hashlib.sha256(blob).hexdigest()
        frames = len(arrays[LABELS])
        atomic_write_bytes(manifest_path, manifest_text(
            cube_manifest(settings, checksums, frames)).encode("utf-8"))
    except BaseException:
        remove_partial(written, new_folders)
        raise
    return root, frames, True
