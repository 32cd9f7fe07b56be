"""The cLPR cube: rotation grids, labels and visibility, in cLPR's exact conventions
(reference clpr.md). Pure numpy; the Blender side only draws what these functions say.

Labels are (frames, 8, 6) float64: node x, y, z after rotation and re-centring to
(128, 128, 0) in 256-px screen units, then the frame's (rx, ry, rz), the same for all nodes.
"""

from __future__ import annotations

import numpy as np

SCREEN = 256  # label units: pixels of a 256-px image
CENTRE = np.array([128.0, 128.0, 0.0])
SIDE = 100.0
GRID_END = 6.3  # numpy.arange(0, 6.3, step) per axis, as published

# Node index = 4*bx + 2*by + bz for the corner (100bx, 100by, 100bz).
NODES = np.array([[SIDE * ((i >> 2) & 1), SIDE * ((i >> 1) & 1), SIDE * (i & 1)]
                  for i in range(8)])

# Faces with outward winding, and their colours (RGB 0-255).
FACES = (
    ((0, 1, 3, 2), (255, 0, 0)),      # x = 0: red
    ((7, 5, 4, 6), (0, 255, 0)),      # x = 100: green
    ((4, 5, 1, 0), (0, 0, 255)),      # y = 0: blue
    ((2, 3, 7, 6), (255, 255, 0)),    # y = 100: yellow
    ((0, 2, 6, 4), (255, 0, 255)),    # z = 0: magenta
    ((5, 7, 3, 1), (0, 255, 255)),    # z = 100: cyan
)
FACE_NODES = np.array([f for f, _ in FACES])
FACE_COLOURS = np.array([c for _, c in FACES])
NODE_COLOURS = np.array([(0, 255, 0), (255, 255, 0), (0, 255, 255), (150, 150, 255),
                         (255, 0, 0), (0, 100, 255), (255, 200, 255), (255, 255, 255)])
BACKGROUND = (10, 10, 50)
NODE_DOT_RADIUS = 4.0  # pixels at 256 px
FACING_THRESHOLD = -1e-6  # a face is seen when its unit normal's z is below this


def grid_frames(step: float) -> int:
    """How many frames rotation_grid(step) has, without building it."""
    return len(np.arange(0, GRID_END, step)) ** 3


def rotation_grid(step: float) -> np.ndarray:
    """(frames, 3) angles: numpy.arange(0, 6.3, step) per axis, x outermost, z innermost."""
    if not 0 < step <= GRID_END:
        raise ValueError(f"step must be in (0, {GRID_END}], got {step}")
    angles = np.arange(0, GRID_END, step)
    ix, iy, iz = np.meshgrid(angles, angles, angles, indexing="ij")
    return np.stack([ix.ravel(), iy.ravel(), iz.ravel()], axis=1)


def random_rotations(n: int, seed: int) -> np.ndarray:
    """(n, 3) angles drawn uniformly from [0, 2pi) per axis."""
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(99,))))
    return rng.uniform(0.0, 2.0 * np.pi, (n, 3))


def rotation_matrices(rotations: np.ndarray) -> np.ndarray:
    """(frames, 3, 3): Rx(rx) @ Ry(ry) @ Rz(rz), textbook column-vector matrices."""
    rotations = np.atleast_2d(np.asarray(rotations, dtype=np.float64))
    c, s = np.cos(rotations), np.sin(rotations)
    one, zero = np.ones(len(rotations)), np.zeros(len(rotations))
    rx = np.stack([one, zero, zero, zero, c[:, 0], -s[:, 0], zero, s[:, 0], c[:, 0]], axis=1)
    ry = np.stack([c[:, 1], zero, s[:, 1], zero, one, zero, -s[:, 1], zero, c[:, 1]], axis=1)
    rz = np.stack([c[:, 2], -s[:, 2], zero, s[:, 2], c[:, 2], zero, zero, zero, one], axis=1)
    return rx.reshape(-1, 3, 3) @ ry.reshape(-1, 3, 3) @ rz.reshape(-1, 3, 3)


def node_positions(rotations: np.ndarray) -> np.ndarray:
    """(frames, 8, 3): the row-vector nodes times the matrices (cLPR's convention, which
    applies each matrix's inverse), bounding-box centre moved to (128, 128, 0)."""
    points = NODES[None, :, :] @ rotation_matrices(rotations)
    centre = (points.max(axis=1) + points.min(axis=1)) / 2.0
    return points - centre[:, None, :] + CENTRE


def cube_labels(rotations: np.ndarray) -> np.ndarray:
    """(frames, 8, 6) labels in cLPR's layout."""
    rotations = np.atleast_2d(np.asarray(rotations, dtype=np.float64))
    positions = node_positions(rotations)
    angles = np.broadcast_to(rotations[:, None, :], positions.shape)
    return np.concatenate([positions, angles], axis=2)


def visible_faces(positions: np.ndarray) -> np.ndarray:
    """(frames, 6) bool: faces whose outward normal points at the viewer (negative z)."""
    p = positions[:, FACE_NODES, :]  # (frames, 6, 4, 3)
    normal = np.cross(p[:, :, 1] - p[:, :, 0], p[:, :, 2] - p[:, :, 1])
    unit_z = normal[..., 2] / np.linalg.norm(normal, axis=-1)
    return np.asarray(unit_z < FACING_THRESHOLD)


def visible_nodes(positions: np.ndarray) -> np.ndarray:
    """(frames, 8) bool: nodes on at least one visible face (their dots are drawn)."""
    faces = visible_faces(positions)
    on_face = np.zeros((8, 6), dtype=bool)
    for k, nodes in enumerate(FACE_NODES):
        on_face[nodes, k] = True
    return np.asarray((faces[:, None, :] & on_face[None, :, :]).any(axis=2))


def node_pixels(labels: np.ndarray, size: int) -> np.ndarray:
    """(frames, 8, 2) pixel coordinates (x right, y down) of the nodes in a size-px image."""
    return labels[..., 0:2] * (size / SCREEN)
