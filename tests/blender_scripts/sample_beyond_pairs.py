"""Sample left past a lowered Pairs: the preview follows it to the last pair (it once said
'sample_index = 3 is not allowed'); a Sample named beyond the pairs is said in those words."""

from __future__ import annotations

from typing import Any

import bpy

import identbox


def main(args: list[str]) -> dict[str, Any]:
    identbox.register()
    props = bpy.context.scene.identbox
    props.n_pairs = 5
    props.sample_index = 3
    props.n_pairs = 2
    outcome: dict[str, Any] = {"preview": sorted(bpy.ops.identbox.preview_sample())}
    outcome["sample_index"] = props.sample_index
    try:
        outcome["named"] = sorted(bpy.ops.identbox.preview_sample(index=3))
    except RuntimeError as error:  # Blender raises the operator's ERROR report
        outcome["named"] = str(error)
    identbox.unregister()
    return outcome
