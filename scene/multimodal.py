"""Multimodal3DIdent's scene in Blender: the published camera and lights, one object whose
mesh switches between the seven shapes, a spotlight aimed at it, and the ground.

As the original places them: the object's centre at (3 ypos - 3, 3 xpos - 3, 0), the ground at
minus the shape's largest dimension, the spotlight at (4 sin theta, 4 cos theta, 6 + that
dimension). Every built-in shape has the published teapot's bounding radius (the multi-object
types' meshes, scaled up), so the teapot is the published one's size; a mesh file keeps its own
size times the published load scale, and turns about its own origin (scene/multi.py's
shape_mesh), as the original's .blend shapes did.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import bpy
import numpy as np

from ..model import constants as c
from ..model.shapes import shape_radius
from ..sampling.multi import OBJECT_RADIUS
from ..sampling.pose import multimodal_state
from ..settings.multimodal import MultimodalSettings
from ..settings.shape_files import with_shape_files
from .apply import StateTargets, show_state
from .blend_shapes import read_blend_object
from .builder import (
    add_object,
    add_spot,
    fixed_scene,
    plane_data,
)
from .denoising import start_denoiser
from .device import DeviceChoice, select_device
from .masks import render_depth, render_index_mask
from .multi import shape_mesh
from .render_setup import configure_render
from .tags import tagged

OWNER = "multimodal"
SCENE_NAME = "IdentBox Multimodal3DIdent"


def _largest_dimension(mesh: object, scale: float) -> float:
    """What Blender's max(object.dimensions) gives for this mesh at this scale."""
    vertices = np.array([v.co[:] for v in mesh.vertices])  # type: ignore[attr-defined]
    return float((vertices.max(axis=0) - vertices.min(axis=0)).max() * scale)


def shape_switching_object(scene: bpy.types.Scene, object_types: tuple[str, ...],
                           material: bpy.types.Material, owner: str
                           ) -> tuple[bpy.types.Object, list[bpy.types.Mesh], list[float]]:
    """One object whose mesh switches between the types (one mesh per distinct type, each
    with `material`), standing as the published kinds stand them (shape_mesh's `published`):
    (object, the mesh of each type in order, each one's largest dimension)."""
    scale = shape_radius() / OBJECT_RADIUS  # the meshes have the multi-object radius
    made = {}
    for kind in dict.fromkeys(object_types):
        made[kind] = tagged(shape_mesh(kind, published=True), owner)
        made[kind].materials.append(material)
    meshes = [made[kind] for kind in object_types]
    obj = add_object(scene, "Object", meshes[0], owner)
    obj.scale = (scale,) * 3
    obj.rotation_mode = "XYZ"
    obj.pass_index = 1
    obj.material_slots[0].link = "OBJECT"
    return obj, meshes, [_largest_dimension(mesh, scale) for mesh in meshes]


class BlenderMultimodalRenderer:
    """Builds the scene once; per image it switches the mesh, moves the object and the
    spotlight, and sets the colours and the view's material."""

    def __init__(self, settings: MultimodalSettings, device: str = "auto",
                 log: Callable[[str], None] = print, preview: bool = False) -> None:
        settings = with_shape_files(settings, read_blend_object)  # bad files: before any scene
        self.settings = settings
        self.scene, self.camera, self.sun, self.area, self.materials = fixed_scene(SCENE_NAME,
                                                                                  OWNER)
        scene = self.scene
        self.object, self.meshes, self.sizes = shape_switching_object(
            scene, settings.object_types, self.materials[settings.view_material(1)], OWNER)
        self.spot = add_spot(scene, self.object, OWNER)
        self.ground = add_object(scene, "Ground", plane_data(c.GROUND_SIZE, OWNER), OWNER)
        self.ground.data.materials.append(self.materials["Rubber"])
        self.targets = StateTargets((self.object,), (self.spot,), self.ground, self.materials,
                                    self.meshes)
        self.device: DeviceChoice = select_device(scene, device)
        configure_render(scene, settings.render)
        log(f"IdentBox: rendering Multimodal3DIdent on {self.device.describe()}")
        self.denoiser, self.warnings = (None, []) if preview else start_denoiser(
            scene, settings.render.denoiser, self.device, log)
        self.render_seconds = 0.0

    def show(self, row: np.ndarray, view: int) -> None:
        """Put the scene in the state of one sample (a Blender-unit row) in an image view."""
        show_state(self.targets, multimodal_state(row, self.sizes,
                                                  self.settings.scene.hue_mapping),
                   self.settings.view_material(view))

    def render_view(self, latents_row: np.ndarray, view: int, path: Path) -> None:
        """Render one image view of one sample into `path`."""
        self.show(latents_row, view)
        self.scene.render.filepath = str(path)
        start = time.perf_counter()
        bpy.ops.render.render(write_still=True, scene=self.scene.name)
        self.render_seconds += time.perf_counter() - start

    def render_mask(self, latents_row: np.ndarray, view: int, path: Path) -> None:
        """The object's mask (value 1) in one view (the loop's protocol; no setting asks yet)."""
        self.show(latents_row, view)
        render_index_mask(self.scene, [self.ground, self.spot], path)

    def render_depth(self, latents_row: np.ndarray, view: int, path: Path) -> None:
        """The depth map of one view (the loop's protocol; no setting asks yet)."""
        self.show(latents_row, view)
        render_depth(self.scene, [self.spot], path)
