"""The Utah teapot, tessellated from its 32 bicubic Bezier patches (public-domain data), and
placed as the published 3DIdent mesh lies in its object: diagonal, sized along the spout, with
the original's origin (reference published-scene.md, Teapot)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from .constants import (
    TEAPOT_AZIMUTH_DEG,
    TEAPOT_BOX_CENTRE,
    TEAPOT_LENGTH,
    TEAPOT_RESOLUTION,
)

DATA = Path(__file__).resolve().parent / "utah_teapot.json"


@dataclass(frozen=True)
class Mesh:
    """Vertices (V x 3) and faces (tuples of vertex indices: quads, or triangles where a patch
    edge collapses to a point)."""

    vertices: np.ndarray
    faces: tuple[tuple[int, ...], ...]

    @property
    def dimensions(self) -> np.ndarray:
        """Bounding-box size along x, y, z."""
        return self.vertices.max(axis=0) - self.vertices.min(axis=0)


def _bernstein(t: np.ndarray) -> np.ndarray:
    """The four cubic Bernstein polynomials at each t: shape (len(t), 4)."""
    s = 1.0 - t
    return np.stack([s**3, 3 * t * s**2, 3 * t**2 * s, t**3], axis=1)


@cache
def utah_teapot(resolution: int = TEAPOT_RESOLUTION) -> Mesh:
    """The teapot in the data's own frame (spout along +x, bottom at z = 0, 3.15 high) with
    `resolution` x `resolution` quads per patch and coincident vertices merged."""
    if resolution < 1:
        raise ValueError(f"resolution must be >= 1, got {resolution}")
    data = json.loads(DATA.read_text(encoding="utf-8"))
    control = np.asarray(data["vertices"], dtype=np.float64)
    patches = np.asarray(data["patches"], dtype=np.int64).reshape(-1, 4, 4) - 1
    basis = _bernstein(np.linspace(0.0, 1.0, resolution + 1))
    # points[p, i, j] = sum_k,l B_k(u_i) B_l(v_j) P[p, k, l]
    points = np.einsum("ik,jl,pklc->pijc", basis, basis, control[patches])
    n = resolution + 1
    flat = points.reshape(-1, 3)

    # Merge coincident points (patch seams, degenerate lid and bottom centres).
    keys = np.round(flat, 6)
    _, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    order = np.argsort(first)  # keep vertices in first-seen order: stable, readable indices
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    vertices = flat[first[order]]
    remap = rank[inverse.reshape(-1)]

    faces: list[tuple[int, ...]] = []
    grid = remap.reshape(len(patches), n, n)
    for patch in grid:
        for i in range(resolution):
            for j in range(resolution):
                quad = (patch[i, j], patch[i + 1, j], patch[i + 1, j + 1], patch[i, j + 1])
                face = tuple(int(v) for k, v in enumerate(quad) if v != quad[k - 1])
                if len(set(face)) >= 3:
                    faces.append(face)
    return Mesh(vertices, tuple(faces))


def _turn_about_z(vertices: np.ndarray, degrees: float) -> np.ndarray:
    angle = np.radians(degrees)
    cos, sin = np.cos(angle), np.sin(angle)
    return vertices @ np.array([[cos, -sin, 0.0], [sin, cos, 0.0], [0.0, 0.0, 1.0]]).T


@cache
def teapot_mesh(resolution: int = TEAPOT_RESOLUTION) -> Mesh:
    """The published teapot's mesh in object space: TEAPOT_LENGTH along the spout, turned so
    the spout points along (+x, -y), its bounding box centred at TEAPOT_BOX_CENTRE. Scaling
    by length, not by the largest box side, is what gives the original's size: lying
    diagonally, its 2.96 x 2.96 box is far shorter than the teapot is long."""
    mesh = utah_teapot(resolution)
    vertices = mesh.vertices * (TEAPOT_LENGTH / float(np.ptp(mesh.vertices[:, 0])))
    vertices = _turn_about_z(vertices, TEAPOT_AZIMUTH_DEG)
    box_centre = (vertices.max(axis=0) + vertices.min(axis=0)) / 2.0
    return Mesh(vertices - box_centre + np.asarray(TEAPOT_BOX_CENTRE), mesh.faces)
