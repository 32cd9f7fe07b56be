"""Per-image ground truth from flat second renders of a view: object-index masks (object i of
a scene has pass index i + 1 and reads it; the background reads 0) and depth maps (16-bit:
value = distance from the camera / DEPTH_RANGE * 65535)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import bpy

from ..model.constants import DEPTH_RANGE
from .nodes import link, new_node, socket
from .render_setup import set_checked
from .tags import tagged

MASK_MATERIAL = "IdentBox Mask"
DEPTH_MATERIAL = "IdentBox Depth"



def mask_material() -> Any:
    """Emission of (pass index / 255): with the Raw view each object's pixels read its index."""
    existing = bpy.data.materials.get(MASK_MATERIAL)
    if existing is not None:
        return existing
    material = tagged(bpy.data.materials.new(MASK_MATERIAL), "masks")
    material.use_nodes = True
    tree = material.node_tree
    tree.nodes.clear()
    info = new_node(tree, "ShaderNodeObjectInfo", (-400, 0))
    divide = new_node(tree, "ShaderNodeMath", (-200, 0))
    divide.operation = "DIVIDE"
    divide.inputs[1].default_value = 255.0
    emission = new_node(tree, "ShaderNodeEmission", (0, 0))
    out = new_node(tree, "ShaderNodeOutputMaterial", (200, 0))
    link(tree, socket(info.outputs, "Object Index"), divide.inputs[0])
    link(tree, divide.outputs[0], socket(emission.inputs, "Strength"))
    link(tree, emission.outputs[0], socket(out.inputs, "Surface"))
    return material


def depth_material() -> Any:
    """Emission of (camera ray length / DEPTH_RANGE): with the Raw view, pixels read depth."""
    existing = bpy.data.materials.get(DEPTH_MATERIAL)
    if existing is not None:
        return existing
    material = tagged(bpy.data.materials.new(DEPTH_MATERIAL), "masks")
    material.use_nodes = True
    tree = material.node_tree
    tree.nodes.clear()
    path = new_node(tree, "ShaderNodeLightPath", (-400, 0))
    divide = new_node(tree, "ShaderNodeMath", (-200, 0))
    divide.operation = "DIVIDE"
    divide.inputs[1].default_value = DEPTH_RANGE
    emission = new_node(tree, "ShaderNodeEmission", (0, 0))
    out = new_node(tree, "ShaderNodeOutputMaterial", (200, 0))
    link(tree, socket(path.outputs, "Ray Length"), divide.inputs[0])
    link(tree, divide.outputs[0], socket(emission.inputs, "Strength"))
    link(tree, emission.outputs[0], socket(out.inputs, "Surface"))
    return material


def render_index_mask(scene: Any, hidden: list[Any], path: Path) -> None:
    """The object-index mask of the scene's current state (8-bit grey PNG), `hidden` objects
    (the ground, lights) left out."""
    render_flat_pass(scene, mask_material(), hidden, path, "8")


def render_depth(scene: Any, lights: list[Any], path: Path) -> None:
    """The depth map of the scene's current state (16-bit grey PNG), every surface kept."""
    render_flat_pass(scene, depth_material(), lights, path, "16")


def render_flat_pass(scene: Any, material: Any, hidden: list[Any], path: Path,
                     bits: str) -> None:
    """Render with `material` on every object into `path`: one sample at each pixel centre,
    Raw view, no dither, grey PNG of `bits` bits. The scene's own settings are restored."""
    layer: Any = scene.view_layers[0]
    image = scene.render.image_settings
    saved = (scene.view_settings.view_transform, scene.cycles.samples, scene.cycles.filter_width,
             image.file_format, image.color_mode, image.color_depth, scene.cycles.use_denoising,
             scene.render.dither_intensity)
    try:
        layer.material_override = material
        for obj in hidden:
            obj.hide_render = True
        set_checked(scene.view_settings, "view_transform", "Raw")
        set_checked(scene.cycles, "samples", 1)
        set_checked(scene.cycles, "filter_width", 0.01)
        set_checked(scene.cycles, "use_denoising", False)
        set_checked(image, "file_format", "PNG")
        set_checked(image, "color_mode", "BW")
        set_checked(image, "color_depth", bits)
        set_checked(scene.render, "dither_intensity", 0.0)  # exact values
        scene.render.filepath = str(path)
        bpy.ops.render.render(write_still=True, scene=scene.name)
    finally:
        layer.material_override = None
        for obj in hidden:
            obj.hide_render = False
        (scene.view_settings.view_transform, scene.cycles.samples, scene.cycles.filter_width,
         image.file_format, image.color_mode, image.color_depth, scene.cycles.use_denoising,
         scene.render.dither_intensity) = saved
