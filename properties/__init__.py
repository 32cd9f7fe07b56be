"""The scene's IdentBox settings (`scene.identbox`): property groups mirroring DatasetSettings.

Every name, default, range and description comes from the settings' own limits and choices.
The settings live on the scene the user works in, once: IdentBox's own scenes (shown while
previewing and rendering) point back at it (`scene.identbox_home`) instead of holding copies,
so the panel, the operators and the renderer read one source whichever scene is shown.
"""

from typing import Any

import bpy

from ..registration import register_classes, unregister_classes
from ..scene.preview import home_scene
from .groups import (
    BLOCK_GROUPS,
    IDENTBOX_PG_cube,
    IDENTBOX_PG_edge,
    IDENTBOX_PG_intervention,
    IDENTBOX_PG_objects,
    IDENTBOX_PG_progress,
    IDENTBOX_PG_render,
    IDENTBOX_PG_scene_options,
    IDENTBOX_PG_sequence,
    IDENTBOX_PG_settings,
    IDENTBOX_PG_template,
    IDENTBOX_PG_view,
)

classes = (*BLOCK_GROUPS.values(), IDENTBOX_PG_edge, IDENTBOX_PG_template, IDENTBOX_PG_view,
           IDENTBOX_PG_render, IDENTBOX_PG_scene_options, IDENTBOX_PG_progress, IDENTBOX_PG_cube,
           IDENTBOX_PG_objects, IDENTBOX_PG_intervention, IDENTBOX_PG_sequence,
           IDENTBOX_PG_settings)


def register() -> None:
    """Register the groups and attach them to every scene as `scene.identbox`."""
    register_classes(classes)
    bpy.types.Scene.identbox = bpy.props.PointerProperty(  # type: ignore[attr-defined,func-returns-value]
        type=IDENTBOX_PG_settings, name="IdentBox", description="IdentBox dataset settings")
    bpy.types.Scene.identbox_home = bpy.props.PointerProperty(  # type: ignore[attr-defined,func-returns-value]
        type=bpy.types.Scene, name="IdentBox Home",
        description="The scene whose IdentBox settings this IdentBox scene shows")


def unregister() -> None:
    """Detach from scenes, then unregister the groups."""
    del bpy.types.Scene.identbox_home  # type: ignore[attr-defined]
    del bpy.types.Scene.identbox  # type: ignore[attr-defined]
    unregister_classes(classes)


def settings_of(context: Any) -> Any:
    """The IdentBox settings the context's scene shows (the one source of truth)."""
    return home_scene(context.scene).identbox
