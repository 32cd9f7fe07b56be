"""Blender properties made from the settings' own limits, so ranges and texts live in one place."""

from typing import Any

from bpy.props import FloatProperty, IntProperty

from ..limits import Limit


def limit_property(limit: Limit, **overrides: Any) -> Any:
    """An Int/FloatProperty with the limit's label, description, default and range."""
    options: dict[str, Any] = {
        "name": limit.label,
        "description": limit.description,
        "default": limit.default,
        **overrides,
    }
    if limit.is_integer:
        return IntProperty(min=int(limit.minimum), max=int(limit.maximum), **options)
    return FloatProperty(min=limit.minimum, max=limit.maximum, **options)
