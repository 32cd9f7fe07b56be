"""Per-image ground truth from flat second renders of a view: object-index masks (object i of
a scene has pass index i + 1 and reads it; the background reads 0) and depth maps (16-bit:
value = distance from the camera / DEPTH_RANGE * 65535)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import bpy

from ..model.constants import DEPTH_RANGE
from .nodes import link, new_node, node_tree, socket
from .render_setup import set_checked
from .tags import tagged

MASK_MATERIAL = "IdentBox Mask"
DEPTH_MATERIAL = "IdentBox Depth"
WHITE_MATERIAL = "IdentBox White"


def _value_material(name: str, node_type: str, output: str, divisor: float) -> Any:
    """An emission whose strength is one shader value (`output` of a `node_type` node) over
    `divisor`: with the Raw view and no dither, the pixels read that value."""
    existing = bpy.data.materials.get(name)
    if existing is not None:
        return existing
    material = tagged(bpy.data.materials.new(name), "masks")
    tree = node_tree(material)
    tree.nodes.clear()
    source = new_node(tree, node_type, (-400, 0))
    divide = new_node(tree, "ShaderNodeMath", (-200, 0))
    divide.operation = "DIVIDE"
    divide.inputs[1].default_value = divisor
    emission = new_node(tree, "ShaderNodeEmission", (0, 0))
    out = new_node(tree, "ShaderNodeOutputMaterial", (200, 0))
    link(tree, socket(source.outputs, output), divide.inputs[0])
    link(tree, divide.outputs[0], socket(emission.inputs, "Strength"))
    link(tree, emission.outputs[0], socket(out.inputs, "Surface"))
    return material


def white_material() -> Any:
    """Every surface emitting white: the published references' mask method (an emission-only
    render, thresholded at half), which the fidelity benchmarks compare with."""
    existing = bpy.data.materials.get(WHITE_MATERIAL)
    if existing is not None:
        return existing
    material = tagged(bpy.data.materials.new(WHITE_MATERIAL), "masks")
    tree = node_tree(material)
    tree.nodes.clear()
    emission = new_node(tree, "ShaderNodeEmission", (0, 0))
    out = new_node(tree, "ShaderNodeOutputMaterial", (200, 0))
    link(tree, emission.outputs[0], socket(out.inputs, "Surface"))
    return material


def mask_material() -> Any:
    """Each object's pixels read its pass index (8-bit: index / 255)."""
    return _value_material(MASK_MATERIAL, "ShaderNodeObjectInfo", "Object Index", 255.0)


def depth_material() -> Any:
    """Pixels read the camera ray's length over DEPTH_RANGE."""
    return _value_material(DEPTH_MATERIAL, "ShaderNodeLightPath", "Ray Length", DEPTH_RANGE)


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
