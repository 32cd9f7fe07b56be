"""Put a scene into a plain SceneState (sampling/pose.py): each object's mesh, transform, colour
and material and its spotlight, the ground's colour and height, and the camera and lights
where a rig moves them. One function for every kind
with objects: only these change per sample, the scene is never rebuilt."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import bpy
import mathutils
import numpy as np

from ..model import constants as c
from ..model.lights import area_power_w
from ..sampling.pose import SceneState
from .builder import SceneHandles


@dataclass(frozen=True)
class StateTargets:
    """The Blender objects a state moves, and what it chooses among."""

    objects: Sequence[Any]  # as many as the state has objects
    spots: Sequence[Any]  # each object's spotlight
    ground: Any
    materials: dict[str, Any]
    meshes: Sequence[Any] = ()  # the mesh of each shape number; () : one mesh, never switched
    camera: Any = None  # what a state's camera and lighting move (scenes with a rig)
    sun: Any = None
    area: Any = None


def show_state(targets: StateTargets, state: SceneState, material_name: str) -> None:
    """Set every part of the scene a state describes."""
    material = targets.materials[material_name]
    for obj, spot, shown in zip(targets.objects, targets.spots, state.objects, strict=True):
        if targets.meshes:
            obj.data = targets.meshes[shown.shape]
        slot = obj.material_slots[0]
        if slot.link == "OBJECT":  # an object whose mesh switches: the material is the object's
            slot.material = material
        elif obj.data.materials[0] != material:
            obj.data.materials[0] = material
        obj.location = shown.location
        obj.rotation_euler = shown.rotation
        obj.color = (*shown.rgb, 1.0)
        spot.location = shown.spot_location
        spot.data.color = shown.spot_rgb
    targets.ground.location = (0.0, 0.0, state.ground_height)
    targets.ground.color = (*state.ground_rgb, 1.0)
    if state.camera is not None:
        eye, axes = state.camera
        targets.camera.location = eye
        # Columns: the camera's x, y and z axes in world space (it looks down its -z).
        targets.camera.rotation_euler = mathutils.Matrix(
            np.array(axes).T.tolist()).to_euler()
    if state.lighting is not None:
        targets.sun.rotation_euler = state.lighting.sun_rotation
        targets.sun.data.energy = c.SUN_STRENGTH * state.lighting.sun_factor
        targets.area.data.energy = area_power_w(bpy.app.version) * state.lighting.area_factor


def apply_state(handles: SceneHandles, state: SceneState, material_name: str) -> None:
    """The Pairs scene (scene/builder.py) in a state."""
    show_state(StateTargets((handles.teapot,), (handles.spot,), handles.ground, handles.materials,
                            camera=handles.camera, sun=handles.sun, area=handles.area),
               state, material_name)
