"""A sequence frame in Blender, as Temporal Causal3DIdent draws it (temporal-causal3dident.md):
the published camera and lights, one object whose mesh switches between the shapes, a
spotlight aimed at it, and the ground.

The object at (x, y, z + d / 2) with d the shape's largest dimension, turned by Euler (alpha,
beta, 0); the spotlight at (4 sin t, 4 cos t, 6 + d); hues as HSV(h / 2 pi, 1 / 0.8 / 0.6, 1)
for object / spotlight / ground. The ground lies one size down, the largest of the first three
shapes (the original's, measured from its renders: -4.4421 for the teapot); the teapot turns
about its published origin. Where they stand is sampling/pose.py's SEQUENCE_PLACEMENT. Shapes
are multi-object meshes at the published teapot's radius (scene/multimodal.py's sizes)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import bpy
import numpy as np

from ..model import constants as c
from ..sampling.pose import sequence_state
from ..settings.sequence import SequenceSettings
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
from .multimodal import shape_switching_object
from .render_setup import configure_render

OWNER = "sequence"
SCENE_NAME = "IdentBox Sequence"
MATERIAL = "Rubber"  # the reference's only material


class BlenderSequenceRenderer:
    """Builds the scene once; per frame it switches the mesh, moves the object and the
    spotlight, and sets the colours."""

    def __init__(self, settings: SequenceSettings, device: str = "auto",
                 log: Callable[[str], None] = print, preview: bool = False) -> None:
        settings = with_shape_files(settings, read_blend_object)  # bad files: before any scene
        self.settings = settings
        self.names = settings.causal_model().names
        self.scene, self.camera, self.sun, self.area, self.materials = fixed_scene(SCENE_NAME,
                                                                                  OWNER)
        scene = self.scene
        self.object, self.meshes, self.sizes = shape_switching_object(
            scene, settings.object_types, self.materials[MATERIAL], OWNER)
        self.object.material_slots[0].material = self.materials[MATERIAL]
        self.spot = add_spot(scene, self.object, OWNER)
        self.ground = add_object(scene, "Ground", plane_data(c.GROUND_SIZE, OWNER), OWNER)
        self.ground.data.materials.append(self.materials[MATERIAL])
        self.targets = StateTargets((self.object,), (self.spot,), self.ground, self.materials,
                                    self.meshes)
        self.device: DeviceChoice = select_device(scene, device)
        configure_render(scene, settings.render)
        swapped = settings.stand_ins()
        log(f"IdentBox: rendering sequences on {self.device.describe()}" + (
            "; " + ", ".join(f"{shape} drawn as {drawn}" for shape, drawn in swapped.items())
            if swapped else ""))
        self.denoiser, self.warnings = (None, []) if preview else start_denoiser(
            scene, settings.render.denoiser, self.device, log)
        self.render_seconds = 0.0

    def show(self, row: np.ndarray) -> None:
        """Put the scene in the state of one frame (a row of latents.npy, raw units)."""
        show_state(self.targets, sequence_state(row, self.names, self.sizes,
                                                self.settings.scene.hue_mapping), MATERIAL)

    def render_frame(self, latents_row: np.ndarray, path: Path) -> None:
        """Render one frame into `path`."""
        self.show(latents_row)
        self.scene.render.filepath = str(path)
        start = time.perf_counter()
        bpy.ops.render.render(write_still=True, scene=self.scene.name)
        self.render_seconds += time.perf_counter() - start
