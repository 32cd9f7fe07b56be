"""Where a world point lands in the image of the 3DIdent camera (pinhole projection).

The published camera sits at CAMERA_LOCATION and tracks the origin with -Z forward and Y up, as
Blender's track-to constraint does; image right is world +Y and image up is roughly world -X. A
camera factor moves it on a sphere around the origin (CameraPoses), still aimed at the origin.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .constants import CAMERA_LENS_MM, CAMERA_LOCATION, CAMERA_SENSOR_MM, CAMERA_TARGET


def axes_towards_origin(eyes: np.ndarray) -> np.ndarray:
    """(N, 3, 3): rows of each camera's x (image right), y (image up) and z (backwards) in
    world space, for cameras at `eyes` (N x 3) aimed at the origin with world z up."""
    back = np.atleast_2d(eyes) - np.asarray(CAMERA_TARGET)
    back = back / np.linalg.norm(back, axis=1, keepdims=True)
    up = np.array([0.0, 0.0, 1.0]) - back[:, 2:3] * back
    up = up / np.linalg.norm(up, axis=1, keepdims=True)
    right = np.cross(up, back)
    return np.stack([right, up, back], axis=1)


def camera_axes() -> np.ndarray:
    """Rows: the published camera's x (image right), y (image up) and z (backwards)."""
    return axes_towards_origin(np.asarray(CAMERA_LOCATION, dtype=np.float64))[0]


@dataclass(frozen=True)
class CameraPoses:
    """N cameras aimed at the origin: their positions and axes (rows as in camera_axes)."""

    eyes: np.ndarray  # (N, 3)
    axes: np.ndarray  # (N, 3, 3)

    def __len__(self) -> int:
        return len(self.eyes)

    def take(self, rows: np.ndarray) -> CameraPoses:
        """The cameras of some rows."""
        return CameraPoses(self.eyes[rows], self.axes[rows])


def camera_poses(azimuth: np.ndarray, elevation: np.ndarray,
                 distance: np.ndarray) -> CameraPoses:
    """Cameras on spheres around the origin (radians, world units), aimed at it."""
    azimuth, elevation, distance = np.broadcast_arrays(azimuth, elevation, distance)
    eyes = distance[:, None] * np.stack([np.cos(elevation) * np.cos(azimuth),
                                         np.cos(elevation) * np.sin(azimuth),
                                         np.sin(elevation)], axis=1)
    return CameraPoses(eyes, axes_towards_origin(eyes))


def farthest_ground_hit(poses: CameraPoses, ground_z: float) -> np.ndarray:
    """Per camera, how far the rays through its image's four corners travel to the ground
    plane at height `ground_z` (infinite where one points at or above the horizon). A view
    sees nothing but the ground behind its objects while this stays within the clip end (the
    ground plane reaches that far): a corner ray points farther than any other."""
    tangent = CAMERA_SENSOR_MM / 2 / CAMERA_LENS_MM
    corners = np.array([[x, y, -1.0] for x in (-tangent, tangent) for y in (-tangent, tangent)])
    rays = np.einsum("nji,cj->nci", poses.axes, corners)  # world directions (N, 4, 3)
    drop = rays[..., 2]
    height = (poses.eyes[:, 2] - ground_z)[:, None]
    with np.errstate(divide="ignore"):
        steps = np.where(drop < 0, height / -np.minimum(drop, -1e-300), np.inf)
    return (steps * np.linalg.norm(rays, axis=2)).max(axis=1)


def project_to_pixels(points: np.ndarray, resolution: int,
                      poses: CameraPoses | None = None) -> np.ndarray:
    """Pixel coordinates (column, row from the top, in pixels) of world points (N x 3) in a
    square image, through the published camera or through one camera per point; sensor fit
    AUTO on a square image uses the sensor width on both axes."""
    points = np.atleast_2d(points)
    if poses is None:
        camera = (points - np.asarray(CAMERA_LOCATION)) @ camera_axes().T
    else:
        camera = np.einsum("nij,nj->ni", poses.axes, points - poses.eyes)
    depth = -camera[:, 2]
    scale = CAMERA_LENS_MM / CAMERA_SENSOR_MM
    u = 0.5 + scale * camera[:, 0] / depth
    v = 0.5 + scale * camera[:, 1] / depth
    return np.stack([u * resolution, (1.0 - v) * resolution], axis=1)


def intrinsics(resolution: int, rows: int) -> np.ndarray:
    """(rows, 3, 3) pixel intrinsics K (OpenCV: x right, y down, origin at the top-left
    corner of the image; pixel centres at +0.5)."""
    focal = CAMERA_LENS_MM / CAMERA_SENSOR_MM * resolution
    k = np.array([[focal, 0.0, resolution / 2.0], [0.0, focal, resolution / 2.0],
                  [0.0, 0.0, 1.0]])
    return np.broadcast_to(k, (rows, 3, 3)).copy()


def extrinsics(poses: CameraPoses) -> np.ndarray:
    """(N, 4, 4) world-to-camera matrices (OpenCV axes: x right, y down, z forward), so that
    K @ (E @ [p, 1])[:3], divided by its third value, is the pixel of world point p."""
    flip = np.diag([1.0, -1.0, -1.0])  # Blender's camera axes (y up, z back) to OpenCV's
    rotation = flip @ poses.axes
    matrices = np.zeros((len(poses), 4, 4))
    matrices[:, :3, :3] = rotation
    matrices[:, :3, 3] = -np.einsum("nij,nj->ni", rotation, poses.eyes)
    matrices[:, 3, 3] = 1.0
    return matrices
