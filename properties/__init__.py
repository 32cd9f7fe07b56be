"""The scene's IdentBox settings (`scene.identbox`): property groups mirroring DatasetSettings.

Every name, default, range and description comes from the settings' own limits and choices.
"""

import bpy

from ..registration import register_classes, unregister_classes
from .groups import (
    BLOCK_GROUPS,
    IDENTBOX_PG_cube,
    IDENTBOX_PG_edge,
    IDENTBOX_PG_objects,
    IDENTBOX_PG_progress,
    IDENTBOX_PG_render,
    IDENTBOX_PG_scene_options,
    IDENTBOX_PG_settings,
)

classes = (*BLOCK_GROUPS.values(), IDENTBOX_PG_edge, IDENTBOX_PG_render, IDENTBOX_PG_scene_options,
           IDENTBOX_PG_progress, IDENTBOX_PG_cube, IDENTBOX_PG_objects, IDENTBOX_PG_settings)


def register() -> None:
    """Register the groups and attach them to every scene as `scene.identbox`."""
    register_classes(classes)
    bpy.types.Scene.identbox = bpy.props.PointerProperty(  # type: ignore[attr-defined,func-returns-value]
        type=IDENTBOX_PG_settings, name="IdentBox", description="IdentBox dataset settings")


def unregister() -> None:
    """Detach from scenes, then unregister the groups."""
    del bpy.types.Scene.identbox  # type: ignore[attr-defined]
    unregister_classes(classes)
