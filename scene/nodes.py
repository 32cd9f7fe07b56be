"""Node helpers that work from Blender 3.4 to 5.x, where node and socket names moved."""

from __future__ import annotations

import contextlib
from typing import Any

import bpy

# In 4.0 the Glossy BSDF absorbed the Anisotropic one (keeping the idname
# ShaderNodeBsdfAnisotropic) and the Velvet BSDF became the Sheen BSDF's Ashikhmin model.
GLOSSY_ANISOTROPIC = ("ShaderNodeBsdfAnisotropic", "ShaderNodeBsdfGlossy")
GLOSSY = ("ShaderNodeBsdfGlossy", "ShaderNodeBsdfAnisotropic")  # 3.x: the plain Glossy BSDF
SHEEN = ("ShaderNodeBsdfSheen", "ShaderNodeBsdfVelvet")


# From 5.0 materials and worlds always use nodes; setting use_nodes is deprecated (gone in 6.0).
NODES_ALWAYS_ON = (5, 0, 0)


def node_tree(block: Any) -> Any:
    """A material's or world's node tree, switching nodes on where that is still a setting."""
    if bpy.app.version < NODES_ALWAYS_ON:
        block.use_nodes = True
    return block.node_tree


def new_node(tree: Any, idnames: str | tuple[str, ...], location: tuple[float, float]) -> Any:
    """The first node type this Blender knows from `idnames`."""
    names = (idnames,) if isinstance(idnames, str) else idnames
    for idname in names:
        if hasattr(bpy.types, idname):  # asking for an unknown type prints an error
            node = tree.nodes.new(idname)
            node.location = location
            return node
    raise RuntimeError(f"this Blender has none of the node types {names}")


def socket(sockets: Any, *names: str) -> Any:
    """The first socket matching a name or identifier (names changed between versions)."""
    for name in names:
        for item in sockets:
            if item.identifier == name or item.name == name:
                return item
    raise KeyError(f"no socket named any of {names}; have {[s.name for s in sockets]}")


def set_input(node: Any, value: Any, *names: str) -> None:
    """Set an input's default value if this version has it (e.g. Anisotropy on 3.4 and 4.x)."""
    with contextlib.suppress(KeyError):
        socket(node.inputs, *names).default_value = value


def link(tree: Any, output: Any, input_: Any) -> None:
    """Connect two sockets."""
    tree.links.new(output, input_)


def new_group(name: str, inputs: list[tuple[str, str, Any]]) -> Any:
    """A shader node group with the given (name, socket type, default) inputs and a Shader output,
    using the 4.0+ interface API or the 3.x inputs/outputs lists."""
    group: Any = bpy.data.node_groups.new(name, "ShaderNodeTree")
    if hasattr(group, "interface"):
        for input_name, socket_type, default in inputs:
            item = group.interface.new_socket(input_name, in_out="INPUT", socket_type=socket_type)
            item.default_value = default
            item.hide_value = input_name == "Normal"  # unlinked: the surface's own normal
        group.interface.new_socket("Shader", in_out="OUTPUT", socket_type="NodeSocketShader")
    else:
        for input_name, socket_type, default in inputs:
            item = group.inputs.new(socket_type, input_name)
            item.default_value = default
            item.hide_value = input_name == "Normal"
        group.outputs.new("NodeSocketShader", "Shader")
    return group
