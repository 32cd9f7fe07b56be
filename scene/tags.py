"""Which datablocks IdentBox owns: each is tagged with its owner ('scene' or 'cube'), so a
rebuild deletes exactly what the earlier build of the same scene made."""

from __future__ import annotations

from typing import Any

import bpy

# Not "identbox": on a scene that key holds the settings (Scene.identbox is stored there).
TAG = "identbox_owner"
OLD_TAG = "identbox"  # what files saved by earlier versions carry on objects and materials


def tagged(block: Any, owner: str) -> Any:
    """Mark a datablock as made by `owner`; returns it."""
    block[TAG] = owner
    return block


def owner_of(block: Any) -> str | None:
    """Which IdentBox scene made the datablock, or None if IdentBox did not."""
    owner = block.get(TAG)
    if owner is None and not isinstance(block, bpy.types.Scene):
        owner = block.get(OLD_TAG)
    return owner if isinstance(owner, str) else None


def _collections() -> tuple[Any, ...]:
    data = bpy.data
    return (data.objects, data.meshes, data.lights, data.cameras, data.materials,
            data.node_groups, data.worlds, data.images)


def remove_tagged(owner: str) -> None:
    """Delete every datablock tagged with `owner` (its scene is kept: a window may show it)."""
    for collection in _collections():
        for block in list(collection):
            if owner_of(block) == owner:
                collection.remove(block)


def owned_scene(name: str, owner: str) -> Any:
    """The scene `name`, made (and tagged) if it does not exist yet."""
    scene = bpy.data.scenes.get(name) or bpy.data.scenes.new(name)
    return tagged(scene, owner)


def remove_everything() -> None:
    """Delete all that IdentBox made, its scenes too (the add-on is being disabled); windows
    showing one of its scenes go back to the scene whose settings it showed."""
    if not isinstance(bpy.data, bpy.types.BlendData):  # restricted while Blender starts
        return
    ours = [scene for scene in bpy.data.scenes if owner_of(scene)]
    others = [scene for scene in bpy.data.scenes if not owner_of(scene)]
    window_manager = getattr(bpy.context, "window_manager", None)
    for window in window_manager.windows if window_manager and others else ():
        if window.scene in ours:
            home = getattr(window.scene, "identbox_home", None)
            window.scene = home if home in others else others[0]
    for scene in ours if others else ():  # a file always keeps one scene
        bpy.data.scenes.remove(scene)
    for collection in _collections():
        for block in list(collection):
            if owner_of(block):
                collection.remove(block)
