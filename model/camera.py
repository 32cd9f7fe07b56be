"""Where a world point lands in the image of the fixed 3DIdent camera (pinhole projection).

The camera sits at CAMERA_LOCATION and tracks the origin with -Z forward and Y up, as Blender's
track-to constraint does; image right is world +Y and image up is roughly world -X.
"""

from __future__ import annotations

import numpy as np

from .constants import CAMERA_LENS_MM, CAMERA_LOCATION, CAMERA_SENSOR_MM, CAMERA_TARGET


def camera_axes() -> np.ndarray:
    """Rows: the camera's x (image right), y (image up) and z (backwards) in world space."""
    eye = np.asarray(CAMERA_LOCATION)
    back = eye - np.asarray(CAMERA_TARGET)
    back /= np.linalg.norm(back)
    world_up = np.array([0.0, 0.0, 1.0])
    up = world_up - (world_up @ back) * back
    up /= np.linalg.norm(up)
    right = np.cross(up, back)
    return np.stack([right, up, back])


def project_to_pixels(points: np.ndarray, resolution: int) -> np.ndarray:
    """Pixel coordinates (column, row from the top, in pixels) of world points (N x 3) in a
    square image; sensor fit AUTO on a square image uses the sensor width on both axes."""
    camera = (np.atleast_2d(points) - np.asarray(CAMERA_LOCATION)) @ camera_axes().T
    depth = -camera[:, 2]
    scale = CAMERA_LENS_MM / CAMERA_SENSOR_MM
    u = 0.5 + scale * camera[:, 0] / depth
    v = 0.5 + scale * camera[:, 1] / depth
    return np.stack([u * resolution, (1.0 - v) * resolution], axis=1)
