"""The Render panel's Load Render Preset buttons in the real Blender: the buttons drawn, the
settings each preset loads, and Render Dataset's render preset menu."""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

import bpy

import identbox
from identbox import panels
from identbox.presets import load_render_preset, render_preset_names
from identbox.settings.render import RENDER_SPECS

buttons: list[list[str]] = []


class Button:
    """What layout.operator returns: records the `name` it is given."""

    seen: list[str]

    def __init__(self, idname: str, text: str) -> None:
        object.__setattr__(self, "seen", [idname, text])

    def __setattr__(self, key: str, value: Any) -> None:
        if key == "name":
            buttons.append([*self.seen, value])


class Layout:
    """operator() gives a Button; row(), prop(), label(), ...: another layout."""

    def operator(self, idname: str, text: str = "", **kwargs: Any) -> Button:
        return Button(idname, text)

    def __getattr__(self, name: str) -> Callable[..., Layout]:
        return lambda *args, **kwargs: Layout()


def loads(props: Any, name: str) -> bool:
    """Whether the render preset's button put every one of its settings in the panel."""
    bpy.ops.identbox.load_render_preset(name=name)
    preset = load_render_preset(name)
    return all(abs(getattr(props.render, s.name) - getattr(preset, s.name)) < 1e-6
               if isinstance(getattr(preset, s.name), float)
               else getattr(props.render, s.name) == getattr(preset, s.name)
               for s in RENDER_SPECS)


def main(args: list[str]) -> dict[str, Any]:
    """The preset names, the buttons drawn, what each loads, and the menu's entries."""
    identbox.register()
    props = bpy.context.scene.identbox
    panel: Any = types.SimpleNamespace(layout=Layout())  # draw's `self`: only its layout
    panels.IDENTBOX_PT_render.draw(panel, types.SimpleNamespace(scene=bpy.context.scene))
    loaded = {name: loads(props, name) for name in render_preset_names()}
    rna = bpy.ops.identbox.render_dataset.get_rna_type()
    menu = rna.properties["render_preset"].enum_items
    result = {"names": render_preset_names(), "buttons": buttons, "loaded": loaded,
              "menu": [(item.identifier, item.name, item.description) for item in menu]}
    identbox.unregister()
    return result
