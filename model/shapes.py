"""Meshes of the multi-object types that Blender does not build with one bmesh call, and the
scaling that gives every type the same bounding radius, and how large each type is at the
published teapot's radius (where one-object scenes stand it on the ground). Plain numpy."""

from __future__ import annotations

import math
from functools import cache

import numpy as np

from .constants import OBJECT_SCALE
from .teapot import teapot_mesh

# Each built-in type's largest bounding-box side over its bounding radius, as Blender builds
# the meshes (scene/multi.py; a Blender test compares): a sphere or torus spans its diameter,
# a cube 2/sqrt(3), a cylinder or cone sqrt(2), Suzanne as measured. The teapot's is computed.
_LARGEST_SIDE_PER_RADIUS = {"sphere": 2.0, "torus": 2.0, "cube": 2.0 / math.sqrt(3.0),
                            "cone": math.sqrt(2.0), "cylinder": math.sqrt(2.0),
                            "monkey": 1.840449}


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


def normalised(vertices: np.ndarray, radius: float, keep_origin: bool = False) -> np.ndarray:
    """Vertices scaled to the given bounding radius (about their bounding box's centre), and
    centred on that box; with `keep_origin`, about the mesh's own origin as it was (where a
    published generator places and turns the object, e.g. its teapot's, 0.2173 units from the
    box's centre at the published scale)."""
    vertices = np.asarray(vertices, dtype=np.float64)
    centred = vertices - (vertices.max(axis=0) + vertices.min(axis=0)) / 2
    scale = radius / np.linalg.norm(centred, axis=1).max()
    return (vertices if keep_origin else centred) * scale


@cache
def shape_radius() -> float:
    """The published teapot's bounding radius (about its bounding box's centre), at its scale."""
    vertices = teapot_mesh().vertices
    centred = vertices - (vertices.max(axis=0) + vertices.min(axis=0)) / 2
    return float(np.linalg.norm(centred, axis=1).max() * OBJECT_SCALE)


def largest_dimension(kind: str) -> float | None:
    """A built-in type's largest side at the published teapot's bounding radius (what Blender's
    max(object.dimensions) gives); None for a shape file, whose mesh only Blender may read."""
    if kind == "teapot":
        vertices = normalised(teapot_mesh().vertices, 1.0)
        return float((vertices.max(axis=0) - vertices.min(axis=0)).max() * shape_radius())
    ratio = _LARGEST_SIDE_PER_RADIUS.get(kind)
    return None if ratio is None else ratio * shape_radius()
