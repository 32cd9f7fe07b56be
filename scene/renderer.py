"""The Blender side of the render loop: one built scene, one Cycles render per view."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import bpy
import numpy as np

from ..sampling.pose import scene_state
from ..settings.pairs import DatasetSettings
from ..settings.rig import state_with_rig
from .apply import apply_state
from .builder import SceneHandles, build_scene
from .denoising import start_denoiser
from .device import GPU_BACKENDS, DeviceChoice, select_device
from .masks import render_depth, render_index_mask
from .render_setup import configure_render


class BlenderPairRenderer:
    """Builds the IdentBox scene once; per view it changes transforms, colours and the
    material, then renders with Cycles into the given file."""

    def __init__(self, settings: DatasetSettings, device: str = "auto",
                 log: Callable[[str], None] = print,
                 backends: tuple[str, ...] = GPU_BACKENDS) -> None:
        self.settings = settings
        self.handles: SceneHandles = build_scene(settings.scene)
        self.device: DeviceChoice = select_device(self.handles.scene, device, backends)
        configure_render(self.handles.scene, settings.render)
        log(f"IdentBox: rendering on {self.device.describe()}")
        self.denoiser, self.warnings = start_denoiser(self.handles.scene,
                                                      settings.render.denoiser, self.device, log)
        self.render_seconds = 0.0  # time inside Cycles' render call alone
        self.frames = 0

    @property
    def scene(self) -> Any:
        """The IdentBox scene it draws."""
        return self.handles.scene

    def show(self, latents_row: np.ndarray, view: int) -> None:
        """Put the scene in the state of one view of one sample (also used for previews)."""
        state = scene_state(latents_row, self.handles.object_size, self.settings.scene.hue_mapping)
        apply_state(self.handles, state_with_rig(state, self.settings, latents_row),
                    self.settings.view_material(view))

    def render_mask(self, latents_row: np.ndarray, view: int, path: Path) -> None:
        """The teapot's mask (value 1) in one view."""
        self.show(latents_row, view)
        start = time.perf_counter()
        render_index_mask(self.handles.scene, [self.handles.ground, self.handles.spot], path)
        self.render_seconds += time.perf_counter() - start

    def render_depth(self, latents_row: np.ndarray, view: int, path: Path) -> None:
        """The depth map of one view (16-bit; see scene/masks.py for the scale)."""
        self.show(latents_row, view)
        start = time.perf_counter()
        render_depth(self.handles.scene, [self.handles.spot], path)
        self.render_seconds += time.perf_counter() - start

    def render_view(self, latents_row: np.ndarray, view: int, path: Path) -> None:
        """Render one view of one sample into `path` (format from the render settings)."""
        self.show(latents_row, view)
        scene = self.handles.scene
        scene.render.filepath = str(path)
        start = time.perf_counter()
        bpy.ops.render.render(write_still=True, scene=scene.name)
        self.render_seconds += time.perf_counter() - start
        self.frames += 1
