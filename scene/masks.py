"""Object-index masks: a second, flat render of a view in which each object's pixels read its
pass index (object i of a scene has pass index i + 1; the background reads 0)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import bpy

from .nodes import link, new_node, socket
from .render_setup import set_checked
from .tags import tagged

MASK_MATERIAL = "IdentBox Mask"


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


def render_index_mask(scene: Any, hidden: list[Any], path: Path) -> None:
    """Render the mask of the scene's current state into `path` (8-bit grey PNG): one sample
    at each pixel centre, Raw view, no dither, `hidden` objects (ground, lights) left out.
    The scene's own settings are restored afterwards."""
    layer: Any = scene.view_layers[0]
    image = scene.render.image_settings
    saved = (scene.view_settings.view_transform, scene.cycles.samples, scene.cycles.filter_width,
             image.file_format, image.color_mode, scene.cycles.use_denoising,
             scene.render.dither_intensity)
    try:
        layer.material_override = mask_material()
        for obj in hidden:
            obj.hide_render = True
        set_checked(scene.view_settings, "view_transform", "Raw")
        set_checked(scene.cycles, "samples", 1)
        set_checked(scene.cycles, "filter_width", 0.01)
        set_checked(scene.cycles, "use_denoising", False)
        set_checked(image, "file_format", "PNG")
        set_checked(image, "color_mode", "BW")
        set_checked(scene.render, "dither_intensity", 0.0)  # exact index values
        scene.render.filepath = str(path)
        bpy.ops.render.render(write_still=True, scene=scene.name)
    finally:
        layer.material_override = None
        for obj in hidden:
            obj.hide_render = False
        (scene.view_settings.view_transform, scene.cycles.samples, scene.cycles.filter_width,
         image.file_format, image.color_mode, scene.cycles.use_denoising,
         scene.render.dither_intensity) = saved
