"""Put the IdentBox scene into a plain SceneState: transforms, colours and the view's material."""

from __future__ import annotations

from ..sampling.pose import SceneState
from .builder import SceneHandles


def apply_state(handles: SceneHandles, state: SceneState, material_name: str) -> None:
    """Only transforms, colours and one material link change: the scene is never rebuilt."""
    teapot = handles.teapot
    teapot.location = state.object_location
    teapot.rotation_euler = state.object_rotation
    teapot.color = (*state.object_rgb, 1.0)
    handles.ground.color = (*state.ground_rgb, 1.0)
    handles.spot.location = state.spot_location
    handles.spot.data.color = state.spot_rgb
    material = handles.materials[material_name]
    if teapot.data.materials[0] != material:
        teapot.data.materials[0] = material
