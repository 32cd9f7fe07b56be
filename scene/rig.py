"""Put the camera and the lights where a sample's camera and lighting factors say; scenes
without those blocks are never touched here, so they keep the published camera and lights."""

from __future__ import annotations

from typing import Any

import bpy
import mathutils
import numpy as np

from ..model import constants as c
from ..model.lights import area_power_w
from ..settings.rig import moves_camera, rig_blocks


def apply_rig(settings: Any, row: np.ndarray, camera: Any, sun: Any, area: Any) -> None:
    """Move the camera and set the lights for one row of latents.npy (Blender units)."""
    if moves_camera(settings):
        poses = settings.camera_poses(row)
        camera.location = tuple(float(v) for v in poses.eyes[0])
        # Columns: the camera's x, y and z axes in world space (it looks down its -z).
        camera.rotation_euler = mathutils.Matrix(poses.axes[0].T.tolist()).to_euler()
    if "lighting" in rig_blocks(settings):
        lighting = settings.lighting(row)
        sun.rotation_euler = lighting.sun_rotation
        sun.data.energy = c.SUN_STRENGTH * lighting.sun_factor
        area.data.energy = area_power_w(bpy.app.version) * lighting.area_factor
