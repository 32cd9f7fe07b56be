"""Multi-object scenes in Blender: one slot per object, whose mesh switches between the
types, each with its own spotlight aimed at it; optional object-index masks."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import bmesh
import bpy
import numpy as np

from ..jsonfile import read_regular_file
from ..model import constants as c
from ..model.shape_files import SHAPE_FILE_BYTES, read_shape, shape_file
from ..model.shapes import normalised, shape_radius, torus
from ..model.teapot import teapot_mesh
from ..sampling.multi import (
    OBJECT_RADIUS,
    OBJECT_TYPES,
)
from ..sampling.pose import OBJECTS_GROUND_Z, objects_state
from ..settings.objects import MultiObjectSettings
from ..settings.rig import state_with_rig
from ..settings.shape_files import with_shape_files
from .apply import StateTargets, show_state
from .blend_shapes import read_blend_object
from .builder import (
    add_object,
    add_spot,
    fixed_scene,
    mesh_data,
    plane_data,
    sharpen_by_angle,
    teapot_data,
)
from .denoising import start_denoiser
from .device import DeviceChoice, select_device
from .masks import render_depth, render_index_mask
from .render_setup import configure_render

OWNER = "multi"
SCENE_NAME = "IdentBox Objects"
FILE_SMOOTH_ANGLE_DEG = 30.0  # Blender's Shade Auto Smooth default


def _bmesh_shape(kind: str) -> tuple[np.ndarray, list[list[int]]]:
    bm = bmesh.new()
    if kind == "cube":
        bmesh.ops.create_cube(bm, size=1.0)
    elif kind == "sphere":
        bmesh.ops.create_uvsphere(bm, u_segments=32, v_segments=16, radius=1.0)
    elif kind == "cylinder":
        bmesh.ops.create_cone(bm, cap_ends=True, segments=32, radius1=1.0, radius2=1.0,
                              depth=2.0)
    elif kind == "cone":
        bmesh.ops.create_cone(bm, cap_ends=True, segments=32, radius1=1.0, radius2=0.0,
                              depth=2.0)
    elif kind == "monkey":
        bmesh.ops.create_monkey(bm)
    vertices = np.array([v.co[:] for v in bm.verts])
    faces = [[v.index for v in f.verts] for f in bm.faces]
    bm.free()
    return vertices, faces


def shape_mesh(kind: str, published: bool = False) -> Any:
    """The mesh of one object type, scaled to the common bounding radius and centred on its
    bounding box. With `published` (the kinds named after a published dataset), shapes stand
    as the originals stood theirs: the teapot keeps the published mesh's origin, and a mesh
    file keeps its own origin and scale (times the published load scale), its rotation undone,
    so that the sampled angles replace it."""
    shape = None if kind in OBJECT_TYPES else shape_file(kind)
    if shape is not None:  # read and checked already (with_shape_files): from the cache
        # Read as it was checked: a file swapped for a FIFO or /dev/zero since is refused.
        read = read_shape(shape, read_regular_file(Path(shape.path), SHAPE_FILE_BYTES),
                          read_blend_object)
        assert read is not None
        name = Path(shape.path).name + (f":{shape.object}" if shape.object else "")
        # The published kinds scale their object by shape_radius() / OBJECT_RADIUS.
        vertices = (read.unturned() * c.OBJECT_SCALE * OBJECT_RADIUS / shape_radius()
                    if published else normalised(read.vertices, OBJECT_RADIUS))
        data = mesh_data(f"Shape {name}", vertices.tolist(), read.faces(), OWNER)
        sharpen_by_angle(data, FILE_SMOOTH_ANGLE_DEG)  # a scan stays smooth, a box's edges hard
        return data
    if kind == "teapot":  # the published mesh, at this mode's common size
        mesh = teapot_mesh()
        return teapot_data(c.TEAPOT_RESOLUTION, OWNER, f"Shape {kind}",
                           normalised(mesh.vertices, OBJECT_RADIUS, keep_origin=published))
    if kind == "torus":
        vertices, raw_faces = torus()
        faces = [list(f) for f in raw_faces]
    else:
        vertices, faces = _bmesh_shape(kind)
    return mesh_data(f"Shape {kind}", normalised(vertices, OBJECT_RADIUS).tolist(), faces,
                     OWNER)


class BlenderMultiRenderer:
    """Builds the multi-object scene once; per view it switches meshes, moves objects and
    spotlights, and sets colours and the view's material."""

    def __init__(self, settings: MultiObjectSettings, device: str = "auto",
                 log: Callable[[str], None] = print, preview: bool = False) -> None:
        settings = with_shape_files(settings, read_blend_object)  # bad files: before any scene
        self.settings = settings
        self.scene, self.camera, self.sun, self.area, self.materials = fixed_scene(SCENE_NAME,
                                                                                  OWNER)
        scene = self.scene
        self.shapes = [shape_mesh(kind) for kind in settings.object_types]
        for index, kind in enumerate(settings.object_types):
            if kind in settings.shape_sha256:
                log(f"IdentBox: object type {index} is {kind} (SHA-256 "
                    f"{settings.shape_sha256[kind]})")
        for shape in self.shapes:
            shape.materials.append(self.materials[settings.view_material(1)])
        self.objects, self.spots = [], []
        for i in range(settings.n_objects):
            obj = add_object(scene, f"Object {i}", self.shapes[0], OWNER)
            obj.pass_index = i + 1
            obj.material_slots[0].link = "OBJECT"
            self.objects.append(obj)
            self.spots.append(add_spot(scene, obj, OWNER, name=f"Spot {i}"))
        self.ground = add_object(scene, "Ground", plane_data(c.GROUND_SIZE, OWNER), OWNER)
        self.ground.location = (0.0, 0.0, OBJECTS_GROUND_Z)
        self.ground.data.materials.append(self.materials["Rubber"])
        self.targets = StateTargets(self.objects, self.spots, self.ground, self.materials,
                                    self.shapes, self.camera, self.sun, self.area)
        self.device: DeviceChoice = select_device(scene, device)
        configure_render(scene, settings.render)
        log(f"IdentBox: rendering {settings.n_objects}-object scenes on "
            f"{self.device.describe()}")
        self.denoiser, self.warnings = (None, []) if preview else start_denoiser(
            scene, settings.render.denoiser, self.device, log)  # a preview writes no images
        self.render_seconds = 0.0

    def show(self, row: np.ndarray, view: int) -> None:
        """Put the scene in the state of one view of one sample (Blender-unit row)."""
        state = objects_state(row, self.settings.n_objects, self.settings.scene.hue_mapping)
        show_state(self.targets, state_with_rig(state, self.settings, row),
                   self.settings.view_material(view))

    def _render(self, path: Path) -> None:
        self.scene.render.filepath = str(path)
        start = time.perf_counter()
        bpy.ops.render.render(write_still=True, scene=self.scene.name)
        self.render_seconds += time.perf_counter() - start

    def render_view(self, latents_row: np.ndarray, view: int, path: Path) -> None:
        """Render one view of one sample into `path`."""
        self.show(latents_row, view)
        self._render(path)

    def render_depth(self, latents_row: np.ndarray, view: int, path: Path) -> None:
        """The depth map of one view (16-bit; see scene/masks.py for the scale)."""
        self.show(latents_row, view)
        start = time.perf_counter()
        render_depth(self.scene, self.spots, path)
        self.render_seconds += time.perf_counter() - start

    def render_mask(self, latents_row: np.ndarray, view: int, path: Path) -> None:
        """Object-index mask of one view: 8-bit grey, object i has value i + 1, 0 elsewhere."""
        self.show(latents_row, view)
        start = time.perf_counter()
        render_index_mask(self.scene, [self.ground, *self.spots], path)
        self.render_seconds += time.perf_counter() - start
