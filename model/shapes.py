"""Meshes of the multi-object types that Blender does not build with one bmesh call, and the
scaling that gives every type the same bounding radius. Plain numpy."""

from __future__ import annotations

import numpy as np


def torus(major: float = 1.0, minor: float = 0.35, rings: int = 32,
          segments: int = 12) -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
    """A torus around the z axis: vertices and quads with outward winding."""
    u = np.linspace(0, 2 * np.pi, rings, endpoint=False)
    v = np.linspace(0, 2 * np.pi, segments, endpoint=False)
    uu, vv = np.meshgrid(u, v, indexing="ij")
    radius = major + minor * np.cos(vv)
    vertices = np.stack([radius * np.cos(uu), radius * np.sin(uu), minor * np.sin(vv)],
                        axis=-1).reshape(-1, 3)
    faces = [(i * segments + j, ((i + 1) % rings) * segments + j,
              ((i + 1) % rings) * segments + (j + 1) % segments, i * segments + (j + 1) % segments)
             for i in range(rings) for j in range(segments)]
    return vertices, faces


def normalised(vertices: np.ndarray, radius: float) -> np.ndarray:
    """Vertices centred on their bounding box and scaled to the given bounding radius."""
    vertices = np.asarray(vertices, dtype=np.float64)
    centred = vertices - (vertices.max(axis=0) + vertices.min(axis=0)) / 2
    return centred * (radius / np.linalg.norm(centred, axis=1).max())
