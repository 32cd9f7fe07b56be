"""Check a cube dataset: labels against cLPR's geometry, files against the labels, and a sample
of images against the colours the labels say each node pixel must have."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ...sampling.cube import (
    BACKGROUND,
    FACE_COLOURS,
    FACE_NODES,
    NODE_COLOURS,
    NODE_DOT_RADIUS,
    SCREEN,
    cube_labels,
    node_pixels,
    visible_faces,
    visible_nodes,
)
from ...settings.cube import CubeSettings
from ..files.layout import MANIFEST, cube_image_folder, cube_image_path, is_complete_image
from ..files.manifest import read_manifest
from ..writing.cube_writer import CUBE_FORMAT, LABELS, VISIBLE, cube_rotations
from .checks import Check

EDGE, FACE_DIAGONAL, SPACE_DIAGONAL = 100.0, 100.0 * np.sqrt(2), 100.0 * np.sqrt(3)
COLOUR_TOLERANCE = {"PNG": 3, "JPEG": 48}  # per channel, 0-255; JPEG blurs the small dots


def _pairwise_lengths(positions: np.ndarray) -> dict[int, np.ndarray]:
    """Distances between node pairs, grouped by how many coordinates their indices differ in
    (1: edges, 2: face diagonals, 3: space diagonals)."""
    groups: dict[int, list[np.ndarray]] = {1: [], 2: [], 3: []}
    for a in range(8):
        for b in range(a + 1, 8):
            groups[bin(a ^ b).count("1")].append(
                np.linalg.norm(positions[:, a] - positions[:, b], axis=1))
    return {k: np.stack(v, axis=1) for k, v in groups.items()}


def check_labels(labels: np.ndarray, settings: CubeSettings) -> list[Check]:
    """The label checks of cLPR's description."""
    rotations = cube_rotations(settings)
    checks = [Check("label shape", labels.shape == (len(rotations), 8, 6)
                    and labels.dtype == np.float64,
                    f"{labels.shape} {labels.dtype}, expected ({len(rotations)}, 8, 6) float64")]
    if not checks[0].ok:
        return checks
    angles = labels[..., 3:]
    expected = np.broadcast_to(rotations[:, None], angles.shape)
    checks.append(Check("rotation columns equal the rotations and are constant across nodes",
                        bool(np.array_equal(angles, expected)),
                        "compared with the grid / seeded rotations"))
    positions = labels[..., :3]
    centre = (positions.max(axis=1) + positions.min(axis=1)) / 2
    error = float(np.abs(centre - [128.0, 128.0, 0.0]).max())
    checks.append(Check("bounding-box centre is (128, 128, 0)", error < 1e-9,
                        f"largest deviation {error:.2e}"))
    lengths = _pairwise_lengths(positions)
    for k, (name, expected) in enumerate((("edge", EDGE), ("face diagonal", FACE_DIAGONAL),
                                          ("space diagonal", SPACE_DIAGONAL)), start=1):
        error = float(np.abs(lengths[k] - expected).max())
        checks.append(Check(f"{name} lengths are {expected:.4f}", error < 1e-9,
                            f"largest deviation {error:.2e}"))
    error = float(np.abs(labels - cube_labels(rotations)).max())
    checks.append(Check("positions equal the rotated, re-centred base cube", error < 1e-9,
                        f"largest deviation {error:.2e}"))
    return checks


def _read_rgb(path: Path) -> np.ndarray | None:
    try:
        from PIL import Image  # type: ignore[import-not-found]  # optional: Pillow
    except ImportError:
        return None
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


def _colour_ok(pixel: np.ndarray, allowed: list[tuple[int, int, int]], tolerance: int) -> bool:
    return any(np.abs(pixel.astype(int) - np.array(c)).max() <= tolerance for c in allowed)


def check_images(root: Path, settings: CubeSettings, labels: np.ndarray,
                 sample: int = 50) -> list[Check]:
    """Every image exists and is whole; in a sample of frames, each visible node's pixel has
    its dot's colour or a visible face's (or the background, where a dot is under a pixel)."""
    frames = len(labels)
    checks = []
    for size in settings.sizes:
        folder = cube_image_folder(root, size)
        missing = [i for i in range(frames)
                   if not is_complete_image(folder / f"{i:06d}{settings.extension}")]
        checks.append(Check(f"{size} px: {frames} complete images", not missing,
                            f"{len(missing)} missing or incomplete" + (
                                f", first {missing[0]:06d}" if missing else "")))
    rng = np.random.default_rng(0)
    chosen = np.sort(rng.choice(frames, size=min(sample, frames), replace=False))
    positions = labels[chosen, :, :3]
    faces = visible_faces(positions)
    nodes = visible_nodes(positions)
    for size in settings.sizes:
        bad, read = [], 0
        pixels = node_pixels(labels[chosen], size)
        small_dot = NODE_DOT_RADIUS * size / SCREEN < 1.0
        for k, frame in enumerate(chosen):
            path = cube_image_path(root, size, frame, settings.extension)
            if not path.exists():
                continue
            image = _read_rgb(path)
            if image is None:
                return [*checks, Check("node pixel colours", True,
                                       "not checked: Pillow is not installed")]
            read += 1
            for node in np.flatnonzero(nodes[k]):
                x, y = (int(np.clip(np.floor(v), 0, size - 1)) for v in pixels[k, node])
                allowed = [tuple(NODE_COLOURS[node])]
                allowed += [tuple(FACE_COLOURS[f]) for f in np.flatnonzero(faces[k])
                            if node in FACE_NODES[f]]
                if small_dot:
                    allowed.append(BACKGROUND)
                if not _colour_ok(image[y, x], allowed, COLOUR_TOLERANCE[settings.file_format]):
                    bad.append(f"frame {frame} node {node}: {tuple(image[y, x])}")
        checks.append(Check(f"{size} px: node pixels have their dot's or a visible face's "
                            f"colour ({read} frames)", not bad,
                            "; ".join(bad[:3]) or "all match"))
    return checks


def validate_cube(root: Path | str, sample: int = 50) -> list[Check]:
    """All checks of a cube dataset."""
    root = Path(root)
    manifest = read_manifest(root / MANIFEST, CUBE_FORMAT)
    settings = CubeSettings.from_dict(manifest["settings"])
    labels = np.load(root / LABELS)
    checks = check_labels(labels, settings)
    visible = np.load(root / VISIBLE)
    checks.append(Check("visibility flags match the labels",
                        bool(np.array_equal(visible, visible_nodes(labels[..., :3]))),
                        f"{visible.shape}"))
    for size in settings.sizes:
        stored = np.load(root / "nodes" / f"{size}.npy")
        checks.append(Check(f"{size} px node pixels match the labels",
                            bool(np.array_equal(stored, node_pixels(labels, size))),
                            f"{stored.shape}"))
    return checks + check_images(root, settings, labels, sample)
