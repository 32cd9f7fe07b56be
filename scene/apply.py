"""Put a scene into a plain SceneState (sampling/pose.py): the object's mesh, transform, colour
and material, the spotlight, the ground's colour and height. One function for every one-object
kind: only these change per sample, the scene is never rebuilt."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..sampling.pose import SceneState
from .builder import SceneHandles


@dataclass(frozen=True)
class StateTargets:
    """The Blender objects a state moves, and what it chooses among."""

    object: Any
    spot: Any
    ground: Any
    materials: dict[str, Any]
    meshes: Sequence[Any] = ()  # the object's mesh per shape; () : one mesh, never switched


def show_state(targets: StateTargets, state: SceneState, material_name: str) -> None:
    """Set every part of the scene a state describes."""
    obj = targets.object
    if targets.meshes:
        obj.data = targets.meshes[state.shape]
    material = targets.materials[material_name]
    slot = obj.material_slots[0]
    if slot.link == "OBJECT":  # one object whose mesh switches: the material is the object's
        slot.material = material
    elif obj.data.materials[0] != material:
        obj.data.materials[0] = material
    obj.location = state.object_location
    obj.rotation_euler = state.object_rotation
    obj.color = (*state.object_rgb, 1.0)
    targets.spot.location = state.spot_location
    targets.spot.data.color = state.spot_rgb
    targets.ground.location = (0.0, 0.0, state.ground_height)
    targets.ground.color = (*state.ground_rgb, 1.0)


def apply_state(handles: SceneHandles, state: SceneState, material_name: str) -> None:
    """The Pairs scene (scene/builder.py) in a state."""
    show_state(StateTargets(handles.teapot, handles.spot, handles.ground, handles.materials),
               state, material_name)
