"""The cLPR cube in Blender: flat emission faces, node dots, orthographic camera along +z.

Its own scene, `IdentBox Cube`. Per frame the eight vertices take the label positions and the
dots of hidden nodes are hidden, so images and labels come from the same numbers.
"""

from __future__ import annotations

import importlib.util
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import bpy
import numpy as np

from ..errors import SettingsError
from ..sampling.cube import (
    BACKGROUND,
    FACE_COLOURS,
    FACE_NODES,
    NODE_COLOURS,
    NODE_DOT_RADIUS,
    NODES,
    SCREEN,
)
from ..settings.cube import CubeSettings
from .device import DeviceChoice, select_device
from .nodes import link, new_node, node_tree, socket
from .render_setup import configure_frame_loop, set_checked
from .tags import owned_scene, remove_tagged, tagged

SCENE_NAME = "IdentBox Cube"
DOT_SEGMENTS = 24


def srgb_to_linear(rgb: Any) -> tuple[float, float, float]:
    """A 0-255 sRGB colour as the linear values Blender's Standard view turns back into it."""
    c = np.asarray(rgb, dtype=np.float64) / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return (float(linear[0]), float(linear[1]), float(linear[2]))


OWNER = "cube"


def _tagged(block: Any) -> Any:
    return tagged(block, OWNER)


def _emission(name: str, rgb: Any) -> Any:
    material = _tagged(bpy.data.materials.new(f"IdentBox Cube {name}"))
    tree = node_tree(material)
    tree.nodes.clear()
    emission = new_node(tree, "ShaderNodeEmission", (0, 0))
    socket(emission.inputs, "Color").default_value = (*srgb_to_linear(rgb), 1.0)
    socket(emission.inputs, "Strength").default_value = 1.0
    out = new_node(tree, "ShaderNodeOutputMaterial", (200, 0))
    link(tree, emission.outputs[0], socket(out.inputs, "Surface"))
    return material


class CubeScene:
    """The built cube scene and what changes per frame."""

    def __init__(self) -> None:
        remove_tagged(OWNER)
        scene = owned_scene(SCENE_NAME, OWNER)
        self.scene = scene
        world = _tagged(bpy.data.worlds.new("IdentBox Cube World"))
        background = next(n for n in node_tree(world).nodes
                          if n.bl_idname == "ShaderNodeBackground")
        socket(background.inputs, "Color").default_value = (*srgb_to_linear(BACKGROUND), 1.0)
        socket(background.inputs, "Strength").default_value = 1.0
        scene.world = world

        camera_data = _tagged(bpy.data.cameras.new("IdentBox Cube Camera"))
        camera_data.type = "ORTHO"
        camera_data.ortho_scale = SCREEN
        camera_data.sensor_fit = "AUTO"
        camera_data.clip_start, camera_data.clip_end = 1.0, 3000.0
        camera = _tagged(bpy.data.objects.new("IdentBox Cube Camera", camera_data))
        # Looking along +z with image y down: a half turn about x.
        camera.location = (SCREEN / 2, SCREEN / 2, -1000.0)
        camera.rotation_euler = (math.pi, 0.0, 0.0)
        scene.collection.objects.link(camera)
        scene.camera = camera

        mesh = _tagged(bpy.data.meshes.new("IdentBox Cube"))
        mesh.from_pydata(NODES.tolist(), [], [list(f) for f in FACE_NODES])
        for k, rgb in enumerate(FACE_COLOURS):
            mesh.materials.append(_emission(f"Face {k}", rgb))
            mesh.polygons[k].material_index = k
        self.mesh = mesh
        cube = _tagged(bpy.data.objects.new("IdentBox Cube", mesh))
        scene.collection.objects.link(cube)

        self.dots = []
        angles = np.linspace(0, 2 * np.pi, DOT_SEGMENTS, endpoint=False)
        ring = [(NODE_DOT_RADIUS * math.cos(a), NODE_DOT_RADIUS * math.sin(a), 0.0)
                for a in angles]
        for node, rgb in enumerate(NODE_COLOURS):
            disc = _tagged(bpy.data.meshes.new(f"IdentBox Cube Dot {node}"))
            disc.from_pydata(ring, [], [list(range(DOT_SEGMENTS))])
            disc.materials.append(_emission(f"Dot {node}", rgb))
            dot = _tagged(bpy.data.objects.new(f"IdentBox Cube Dot {node}", disc))
            scene.collection.objects.link(dot)
            self.dots.append(dot)

    def show(self, positions: np.ndarray, visible: np.ndarray) -> None:
        """Put the cube's corners at `positions` (8 x 3, label units); dots on visible nodes,
        just in front of the cube (the camera looks along +z). A hidden node's dot is hidden
        in the viewport too, so Playback shows what the rendered images have."""
        self.mesh.vertices.foreach_set("co", np.asarray(positions, dtype=np.float32).ravel())
        self.mesh.update()
        front = float(np.min(positions[:, 2])) - 1.0
        for node, dot in enumerate(self.dots):
            dot.location = (float(positions[node, 0]), float(positions[node, 1]), front)
            dot.hide_render = dot.hide_viewport = not bool(visible[node])


def configure_cube_render(scene: Any, settings: CubeSettings) -> None:
    """Flat colours, exactly: one sample at each pixel's centre, no dither, Standard view."""
    configure_frame_loop(scene)
    render = scene.render
    set_checked(render, "dither_intensity", 0.0)
    image = render.image_settings
    set_checked(image, "file_format", "PNG")  # JPEG: converted afterwards (see save_jpeg)
    set_checked(image, "color_mode", "RGB")
    set_checked(image, "color_depth", "8")
    cycles = scene.cycles
    set_checked(cycles, "samples", settings.samples)
    set_checked(cycles, "use_adaptive_sampling", False)
    set_checked(cycles, "use_denoising", False)
    set_checked(cycles, "max_bounces", 0)
    set_checked(cycles, "pixel_filter_type", "BOX")
    set_checked(cycles, "filter_width", 0.01 if settings.samples == 1 else 1.0)


def save_jpeg(png: Path, target: Path, quality: int) -> None:
    """PNG to JPEG without chroma subsampling (4:4:4), as cLPR published; Blender's own JPEG
    writer always subsamples chroma 2x2, which smears the small node dots."""
    from PIL import Image  # type: ignore[import-not-found]

    with Image.open(png) as image:
        image.convert("RGB").save(target, "JPEG", quality=quality, subsampling=0)


class CubeRenderer:
    """Builds the cube scene once; per frame and size: vertices, dots, resolution, render."""

    def __init__(self, settings: CubeSettings, device: str = "auto",
                 log: Callable[[str], None] = print) -> None:
        self.jpeg_quality = settings.jpeg_quality if settings.file_format == "JPEG" else None
        if self.jpeg_quality is not None and importlib.util.find_spec("PIL") is None:
            raise SettingsError("file_format", "JPEG", "PNG here: JPEG without chroma "
                                "subsampling needs Pillow (pip install pillow)")
        self.cube = CubeScene()
        self.device: DeviceChoice = select_device(self.cube.scene, device)
        configure_cube_render(self.cube.scene, settings)
        log(f"IdentBox: rendering cubes on {self.device.describe()}")
        self.render_seconds = 0.0

    @property
    def scene(self) -> Any:
        """The cube scene it draws."""
        return self.cube.scene

    def render_frame(self, positions: np.ndarray, visible: np.ndarray, size: int,
                     path: Path) -> None:
        """One frame at one size into `path`."""
        scene = self.cube.scene
        self.cube.show(positions, visible)
        scene.render.resolution_x = scene.render.resolution_y = size
        drawn = path if self.jpeg_quality is None else path.with_name(path.name + ".png")
        scene.render.filepath = str(drawn)
        start = time.perf_counter()
        bpy.ops.render.render(write_still=True, scene=scene.name)
        self.render_seconds += time.perf_counter() - start
        if self.jpeg_quality is not None:
            try:
                save_jpeg(drawn, path, self.jpeg_quality)
            finally:
                drawn.unlink(missing_ok=True)
