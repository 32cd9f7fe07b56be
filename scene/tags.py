"""Which datablocks IdentBox owns: each is tagged with its owner ('scene' or 'cube'), so a
rebuild deletes exactly what the earlier build of the same scene made."""

from __future__ import annotations

from typing import Any

import bpy

TAG = "identbox"


def tagged(block: Any, owner: str) -> Any:
    """Mark a datablock as made by `owner`; returns it."""
    block[TAG] = owner
    return block


def remove_tagged(owner: str) -> None:
    """Delete every datablock tagged with `owner`."""
    data = bpy.data
    collections: tuple[Any, ...] = (data.objects, data.meshes, data.lights, data.cameras,
                                    data.materials, data.node_groups, data.worlds)
    for collection in collections:
        for block in list(collection):
            if block.get(TAG) == owner:
                collection.remove(block)
