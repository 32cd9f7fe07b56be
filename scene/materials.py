"""The three object materials of the 3DIdent family, built from nodes (no .blend assets).

Each is a node group with a Color input (reference 3dident.md section 1), wrapped in a material
that feeds it the object's colour (Object Info > Color). Colours then change per sample through
`object.color`, without touching any shader, so Cycles never recompiles between frames.
"""

from __future__ import annotations

from typing import Any

import bpy

from .nodes import ANISOTROPIC, SHEEN, link, new_group, new_node, set_input, socket
from .tags import tagged

WHITE = (1.0, 1.0, 1.0, 1.0)
OWNER = "scene"


def _group_io(group: Any) -> tuple[Any, Any]:
    nodes_in = new_node(group, "NodeGroupInput", (-600, 0))
    nodes_out = new_node(group, "NodeGroupOutput", (600, 0))
    return nodes_in, nodes_out


def _metal_group() -> Any:
    """CLEVR's metal: two anisotropic glossy layers mixed by a Fresnel factor."""
    group = new_group("IdentBox MyMetal", [("Color", "NodeSocketColor", WHITE)])
    g_in, g_out = _group_io(group)
    fresnel = new_node(group, "ShaderNodeFresnel", (-200, 200))
    socket(fresnel.inputs, "IOR").default_value = 1.45
    layers = []
    for k, (roughness, anisotropy) in enumerate(((0.3, 0.3), (0.1, 0.6))):
        bsdf = new_node(group, ANISOTROPIC, (-200, -200 * k))
        if hasattr(bsdf, "distribution"):
            bsdf.distribution = "GGX"
        link(group, socket(g_in.outputs, "Color"), socket(bsdf.inputs, "Color"))
        set_input(bsdf, roughness, "Roughness")
        set_input(bsdf, anisotropy, "Anisotropy")
        layers.append(bsdf)
    mix = new_node(group, "ShaderNodeMixShader", (200, 0))
    link(group, fresnel.outputs[0], mix.inputs[0])
    link(group, layers[0].outputs[0], mix.inputs[1])
    link(group, layers[1].outputs[0], mix.inputs[2])
    link(group, mix.outputs[0], socket(g_out.inputs, "Shader"))
    return group


def _rubber_group() -> Any:
    """CLEVR's rubber: diffuse, velvet (sheen) and glossy, combined by two Fresnel-driven mixes;
    IOR and roughness are inputs too."""
    group = new_group("IdentBox Rubber", [("Color", "NodeSocketColor", WHITE),
                                          ("IOR", "NodeSocketFloat", 1.5),
                                          ("Roughness", "NodeSocketFloat", 0.5)])
    g_in, g_out = _group_io(group)
    color = socket(g_in.outputs, "Color")
    diffuse = new_node(group, "ShaderNodeBsdfDiffuse", (-200, 300))
    link(group, color, socket(diffuse.inputs, "Color"))
    sheen = new_node(group, SHEEN, (-200, 100))
    link(group, color, socket(sheen.inputs, "Color"))
    glossy = new_node(group, ANISOTROPIC, (-200, -150))
    if hasattr(glossy, "distribution"):
        glossy.distribution = "GGX"
    link(group, socket(g_in.outputs, "Roughness"), socket(glossy.inputs, "Roughness"))
    set_input(glossy, 0.0, "Anisotropy")
    mixes = []
    for k in range(2):
        fresnel = new_node(group, "ShaderNodeFresnel", (0, 300 - 250 * k))
        link(group, socket(g_in.outputs, "IOR"), socket(fresnel.inputs, "IOR"))
        mix = new_node(group, "ShaderNodeMixShader", (200, 200 - 250 * k))
        link(group, fresnel.outputs[0], mix.inputs[0])
        mixes.append(mix)
    link(group, diffuse.outputs[0], mixes[0].inputs[1])
    link(group, sheen.outputs[0], mixes[0].inputs[2])
    link(group, mixes[0].outputs[0], mixes[1].inputs[1])
    link(group, glossy.outputs[0], mixes[1].inputs[2])
    link(group, mixes[1].outputs[0], socket(g_out.inputs, "Shader"))
    return group


def _crystal_group() -> Any:
    """Glass for camera and reflection rays, transparent for shadow rays (no black shadows)."""
    group = new_group("IdentBox Crystal", [("Color", "NodeSocketColor", WHITE)])
    g_in, g_out = _group_io(group)
    glass = new_node(group, "ShaderNodeBsdfGlass", (-200, 100))
    link(group, socket(g_in.outputs, "Color"), socket(glass.inputs, "Color"))
    socket(glass.inputs, "IOR").default_value = 1.45
    set_input(glass, 0.0, "Roughness")
    transparent = new_node(group, "ShaderNodeBsdfTransparent", (-200, -100))
    link(group, socket(g_in.outputs, "Color"), socket(transparent.inputs, "Color"))
    light_path = new_node(group, "ShaderNodeLightPath", (-200, 300))
    mix = new_node(group, "ShaderNodeMixShader", (200, 0))
    link(group, socket(light_path.outputs, "Is Shadow Ray"), mix.inputs[0])
    link(group, glass.outputs[0], mix.inputs[1])
    link(group, transparent.outputs[0], mix.inputs[2])
    link(group, mix.outputs[0], socket(g_out.inputs, "Shader"))
    return group


GROUP_BUILDERS = {"MyMetal": _metal_group, "Rubber": _rubber_group, "Crystal": _crystal_group}


def _material(name: str, group: Any, owner: str) -> Any:
    material = tagged(bpy.data.materials.new(f"IdentBox {name}"), owner)
    material.use_fake_user = True  # unused in one view, yet kept when the .blend is saved
    material.use_nodes = True
    tree: Any = material.node_tree
    tree.nodes.clear()
    info = new_node(tree, "ShaderNodeObjectInfo", (-400, 0))
    node = new_node(tree, "ShaderNodeGroup", (-100, 0))
    node.node_tree = group
    out = new_node(tree, "ShaderNodeOutputMaterial", (200, 0))
    link(tree, socket(info.outputs, "Color"), socket(node.inputs, "Color"))
    link(tree, node.outputs[0], socket(out.inputs, "Surface"))
    return material


def build_materials(owner: str = OWNER) -> dict[str, Any]:
    """MyMetal, Rubber and Crystal, each coloured by the object that wears it."""
    materials = {}
    for name, build_group in GROUP_BUILDERS.items():
        group = build_group()
        tagged(group, owner)
        materials[name] = _material(name, group, owner)
    return materials
