"""After loading a preset and switching mode, the dataset is no longer named after the preset
of the other mode (it kept 'part2_causal' in Objects mode); a name of the user's own stays."""

from __future__ import annotations

from typing import Any

import bpy

import identbox


def main(args: list[str]) -> dict[str, Any]:
    identbox.register()
    props = bpy.context.scene.identbox
    outcome: dict[str, Any] = {}
    bpy.ops.identbox.load_preset(name="part2_causal")
    outcome["pairs_preset"] = props.name
    props.mode = "OBJECTS"
    outcome["in_objects"] = props.name
    bpy.ops.identbox.load_preset(name="clevr_like")
    outcome["objects_preset"] = props.name
    props.mode = "PAIRS"
    outcome["in_pairs"] = props.name
    props.name = "my_study"
    props.mode = "OBJECTS"
    outcome["own_name_kept"] = props.name
    identbox.unregister()
    return outcome
