"""What Validate Settings says in each mode of the real Blender's panel, with no object type
chosen: only Objects mode's settings are then invalid (it once checked Pairs in every mode)."""

from __future__ import annotations

from typing import Any

import bpy

import identbox
from identbox.sampling.multi import OBJECT_TYPES


def main(args: list[str]) -> dict[str, Any]:
    """Each mode's Validate Settings result, or its ERROR report; args[0]: the output folder."""
    identbox.register()
    props = bpy.context.scene.identbox
    props.directory = args[0]
    for kind in OBJECT_TYPES:  # no object type at all: invalid Objects settings only
        setattr(props.multi, f"type_{kind}", False)
    outcome: dict[str, Any] = {}
    for mode in ("PAIRS", "OBJECTS", "CUBE"):
        props.mode = mode
        try:
            outcome[mode] = sorted(bpy.ops.identbox.validate_settings())
        except RuntimeError as error:  # the operator's ERROR report
            outcome[mode] = str(error)
    identbox.unregister()
    return outcome
