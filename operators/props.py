"""Blender properties made from the settings' own limits, so ranges and texts live in one place."""

from typing import Any

from bpy.props import EnumProperty, FloatProperty, IntProperty

from ..limits import Choice, Limit


def limit_property(limit: Limit, **overrides: Any) -> Any:
    """An Int/FloatProperty with the limit's label, description, default and range."""
    kind = int if limit.is_integer else float
    options: dict[str, Any] = {
        "name": limit.label,
        "description": limit.description,
        "default": limit.default,
        "min": kind(limit.minimum),
        "max": kind(limit.maximum),
        **overrides,
    }
    return IntProperty(**options) if limit.is_integer else FloatProperty(**options)


def choice_property(choice: Choice) -> Any:
    """An EnumProperty with the choice's options, label and description."""
    return EnumProperty(name=choice.label, description=choice.description,
                        default=choice.default,
                        items=[(option, option.title(), option) for option in choice.options])
