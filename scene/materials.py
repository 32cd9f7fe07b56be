"""The three object materials of the 3DIdent family, built from nodes (no .blend assets).

Each is a node group with a Color input, with the graph and values of the original generator's
assets (reference published-scene.md, Materials), wrapped in a material that feeds it the
object's colour (Object Info > Color). Colours then change per sample through `object.color`,
without touching any shader, so Cycles never recompiles between frames.

Blender 4.0 merged the Anisotropic BSDF into the Glossy BSDF and the Velvet BSDF into the Sheen
BSDF (Ashikhmin); the groups use whichever this Blender has, set as Blender's own versioning
sets the old nodes of the original files.
"""

from __future__ import annotations

from typing import Any

import bpy

from .nodes import (
    GLOSSY,
    GLOSSY_ANISOTROPIC,
    SHEEN,
    link,
    new_group,
    new_node,
    node_tree,
    set_input,
    socket,
)
from .tags import tagged

WHITE = (1.0, 1.0, 1.0, 1.0)
OWNER = "scene"

# MyMetal: two anisotropic GGX layers, (roughness, anisotropy), mixed with a constant 0.6.
METAL_LAYERS = ((0.4472, 0.25), (0.1, 0.25))
METAL_MIX = 0.6
# Rubber's group inputs and the fixed parts of its graph.
RUBBER_IOR = 1.2
RUBBER_ROUGHNESS = 0.35
RUBBER_IOR_OFFSET = 0.2  # the diffuse/velvet Fresnel's IOR is IOR + 0.2
RUBBER_VELVET_SIGMA = 0.6
RUBBER_GLOSSY_COLOR = (0.8, 0.8, 0.8, 1.0)
RUBBER_ROUGHNESS_POWER = 0.5  # the glossy's roughness is Roughness ** 0.5
# Crystal: glass for camera rays, transparent for shadow and reflection rays and deep paths.
CRYSTAL_ROUGHNESS = 0.1414
CRYSTAL_IOR = 1.5
CRYSTAL_DEPTH = 1.0  # transparent beyond this ray depth (not recorded; no effect at 0 bounces)


def _group_io(group: Any) -> tuple[Any, Any]:
    nodes_in = new_node(group, "NodeGroupInput", (-800, 0))
    nodes_out = new_node(group, "NodeGroupOutput", (800, 0))
    return nodes_in, nodes_out


def _distribution(node: Any, name: str) -> None:
    if hasattr(node, "distribution"):
        node.distribution = name


def _math(group: Any, operation: str, location: tuple[float, float]) -> Any:
    node = new_node(group, "ShaderNodeMath", location)
    node.operation = operation
    return node


def _coloured(group: Any, idnames: str | tuple[str, ...], g_in: Any,
              location: tuple[float, float]) -> Any:
    """A BSDF coloured by the group's Color input."""
    bsdf = new_node(group, idnames, location)
    link(group, socket(g_in.outputs, "Color"), socket(bsdf.inputs, "Color"))
    return bsdf


def _normal_to_all(group: Any, g_in: Any, nodes: list[Any]) -> None:
    """The group's Normal input feeds every BSDF and Fresnel, as in the original Rubber; left
    unconnected outside (its value hidden), they shade with the surface normal."""
    normal = socket(g_in.outputs, "Normal")
    for node in nodes:
        link(group, normal, socket(node.inputs, "Normal"))


def _metal_group() -> Any:
    """MyMetal: two anisotropic GGX glossy layers mixed with a constant factor."""
    group = new_group("IdentBox MyMetal", [("Color", "NodeSocketColor", WHITE)])
    g_in, g_out = _group_io(group)
    layers = []
    for k, (roughness, anisotropy) in enumerate(METAL_LAYERS):
        bsdf = _coloured(group, GLOSSY_ANISOTROPIC, g_in, (-200, 150 - 300 * k))
        _distribution(bsdf, "GGX")
        set_input(bsdf, roughness, "Roughness")
        set_input(bsdf, anisotropy, "Anisotropy")
        set_input(bsdf, 0.0, "Rotation")
        layers.append(bsdf)
    mix = new_node(group, "ShaderNodeMixShader", (200, 0))
    mix.inputs[0].default_value = METAL_MIX
    link(group, layers[0].outputs[0], mix.inputs[1])
    link(group, layers[1].outputs[0], mix.inputs[2])
    link(group, mix.outputs[0], socket(g_out.inputs, "Shader"))
    return group


def _rubber_group() -> Any:
    """Rubber: diffuse and velvet mixed by a Fresnel of IOR + 0.2, then that and an untinted
    Beckmann glossy (roughness Roughness ** 0.5) mixed by a Fresnel of IOR."""
    group = new_group("IdentBox Rubber", [("Color", "NodeSocketColor", WHITE),
                                          ("IOR", "NodeSocketFloat", RUBBER_IOR),
                                          ("Roughness", "NodeSocketFloat", RUBBER_ROUGHNESS),
                                          ("Normal", "NodeSocketVector", (0.0, 0.0, 0.0))])
    g_in, g_out = _group_io(group)
    diffuse = _coloured(group, "ShaderNodeBsdfDiffuse", g_in, (-200, 400))
    set_input(diffuse, 0.0, "Roughness")
    velvet = _coloured(group, SHEEN, g_in, (-200, 200))
    _distribution(velvet, "ASHIKHMIN")  # the Sheen BSDF's velvet model
    set_input(velvet, RUBBER_VELVET_SIGMA, "Sigma", "Roughness")

    glossy = new_node(group, GLOSSY, (-200, -250))
    _distribution(glossy, "BECKMANN")
    socket(glossy.inputs, "Color").default_value = RUBBER_GLOSSY_COLOR
    set_input(glossy, 0.0, "Anisotropy")
    power = _math(group, "POWER", (-450, -300))
    power.inputs[1].default_value = RUBBER_ROUGHNESS_POWER
    link(group, socket(g_in.outputs, "Roughness"), power.inputs[0])
    link(group, power.outputs[0], socket(glossy.inputs, "Roughness"))

    add = _math(group, "ADD", (-450, 0))
    add.inputs[1].default_value = RUBBER_IOR_OFFSET
    link(group, socket(g_in.outputs, "IOR"), add.inputs[0])
    fresnels = [new_node(group, "ShaderNodeFresnel", (0, 450 - 300 * k)) for k in range(2)]
    link(group, add.outputs[0], socket(fresnels[0].inputs, "IOR"))
    link(group, socket(g_in.outputs, "IOR"), socket(fresnels[1].inputs, "IOR"))

    mixes = [new_node(group, "ShaderNodeMixShader", (250 + 250 * k, 300 - 200 * k))
             for k in range(2)]
    for fresnel, mix in zip(fresnels, mixes, strict=True):
        link(group, fresnel.outputs[0], mix.inputs[0])
    link(group, diffuse.outputs[0], mixes[0].inputs[1])
    link(group, velvet.outputs[0], mixes[0].inputs[2])
    link(group, mixes[0].outputs[0], mixes[1].inputs[1])
    link(group, glossy.outputs[0], mixes[1].inputs[2])
    link(group, mixes[1].outputs[0], socket(g_out.inputs, "Shader"))
    _normal_to_all(group, g_in, [diffuse, velvet, glossy, *fresnels])
    return group


def _crystal_group() -> Any:
    """Crystal: glass for camera rays; transparent for shadow and reflection rays and beyond
    CRYSTAL_DEPTH bounces (no black shadows, no dark inner reflections)."""
    group = new_group("IdentBox Crystal", [("Color", "NodeSocketColor", WHITE)])
    g_in, g_out = _group_io(group)
    glass = _coloured(group, "ShaderNodeBsdfGlass", g_in, (-200, 100))
    _distribution(glass, "BECKMANN")
    set_input(glass, CRYSTAL_ROUGHNESS, "Roughness")
    set_input(glass, CRYSTAL_IOR, "IOR")
    transparent = _coloured(group, "ShaderNodeBsdfTransparent", g_in, (-200, -100))
    light_path = new_node(group, "ShaderNodeLightPath", (-650, 300))
    depth = new_node(group, "ShaderNodeValue", (-650, -100))
    depth.outputs[0].default_value = CRYSTAL_DEPTH
    deeper = _math(group, "GREATER_THAN", (-400, 100))
    link(group, socket(light_path.outputs, "Ray Depth"), deeper.inputs[0])
    link(group, depth.outputs[0], deeper.inputs[1])
    rays = _math(group, "MAXIMUM", (-400, 350))
    link(group, socket(light_path.outputs, "Is Shadow Ray"), rays.inputs[0])
    link(group, socket(light_path.outputs, "Is Reflection Ray"), rays.inputs[1])
    factor = _math(group, "MAXIMUM", (-150, 300))
    link(group, rays.outputs[0], factor.inputs[0])
    link(group, deeper.outputs[0], factor.inputs[1])
    mix = new_node(group, "ShaderNodeMixShader", (200, 0))
    link(group, factor.outputs[0], mix.inputs[0])
    link(group, glass.outputs[0], mix.inputs[1])
    link(group, transparent.outputs[0], mix.inputs[2])
    link(group, mix.outputs[0], socket(g_out.inputs, "Shader"))
    return group


GROUP_BUILDERS = {"MyMetal": _metal_group, "Rubber": _rubber_group, "Crystal": _crystal_group}


def _material(name: str, group: Any, owner: str) -> Any:
    material = tagged(bpy.data.materials.new(f"IdentBox {name}"), owner)
    material.use_fake_user = True  # unused in one view, yet kept when the .blend is saved
    tree: Any = node_tree(material)
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
