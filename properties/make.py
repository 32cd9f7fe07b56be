"""Blender properties made from the settings' limits and choices: ranges and texts live once."""

from typing import Any, Literal

import bpy
from bpy.props import EnumProperty, FloatProperty, IntProperty, StringProperty

from ..limits import Choice, Limit

# Blender 4.5+ warns when a "//" path reaches a path property without this option (4.2 lacks both).
BLEND_RELATIVE_SINCE = (4, 5, 0)


def limit_property(limit: Limit, bounds: str = "", **overrides: Any) -> Any:
    """An Int/FloatProperty with the limit's label, description, default and range (as hard
    bounds, or with bounds="soft_" as soft ones only)."""
    kind = int if limit.is_integer else float
    options: dict[str, Any] = {
        "name": limit.label,
        "description": limit.description,
        "default": limit.default,
        f"{bounds}min": kind(limit.minimum),
        f"{bounds}max": kind(limit.maximum),
        **overrides,
    }
    return IntProperty(**options) if limit.is_integer else FloatProperty(**options)


def argument_property(limit: Limit) -> Any:
    """An operator argument for a limit: its range only as soft bounds, so a value outside it
    reaches the settings' own check and is refused with a message instead of being clamped
    (`render_dataset(resolution=0)` must not render 8 px)."""
    return limit_property(limit, bounds="soft_")


def choice_property(choice: Choice, default: str | None = None,
                    offered: tuple[str, ...] | None = None, **options: Any) -> Any:
    """An EnumProperty with the choice's options (those `offered`, where this Blender lacks
    some), label and description (options: more of EnumProperty's arguments, such as
    update)."""
    items = [(option, choice.label_of(option), f"{choice.label}: {choice.label_of(option)}")
             for option in choice.options if offered is None or option in offered]
    return EnumProperty(name=choice.label, description=choice.description,
                        default=default or choice.default, items=items, **options)


def path_property(subtype: Literal["FILE_PATH", "DIR_PATH"], **options: Any) -> Any:
    """A FILE_PATH or DIR_PATH StringProperty that may be relative to the .blend ('//'):
    IdentBox resolves it with bpy.path.abspath."""
    if bpy.app.version >= BLEND_RELATIVE_SINCE:
        options["options"] = {"PATH_SUPPORTS_BLEND_RELATIVE"}
    return StringProperty(subtype=subtype, **options)


def spec_property(spec: Limit | Choice, offered: tuple[str, ...] | None = None) -> Any:
    """The property for a limit or a choice (of the options `offered` here)."""
    if isinstance(spec, Choice):
        return choice_property(spec, offered=offered)
    return limit_property(spec)
