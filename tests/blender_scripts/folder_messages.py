"""What the panel says of an output folder holding another dataset: one or two short
sentences (it once printed an 18-line dump of raw settings), a Load Its Settings button whose
tooltip has the whole difference, and after loading them the folder is the run's own."""

from __future__ import annotations

from typing import Any

import bpy

import identbox
from identbox.operators.presets import IDENTBOX_OT_load_preset
from identbox.panels.base import settings_problem


def main(args: list[str]) -> dict[str, Any]:
    """args[0]: a folder holding a Pairs dataset (seed 0, 4 pairs)."""
    identbox.register()
    props = bpy.context.scene.identbox
    props.directory = args[0]
    props.n_pairs = 4
    outcome: dict[str, Any] = {}
    for mode, seed in (("OBJECTS", 0), ("PAIRS", 5)):
        props.mode = mode
        props.seed = seed
        problem = settings_problem(props)
        assert problem is not None
        outcome[mode] = {"where": problem.where, "message": problem.message,
                         "load_from": problem.load_from}
    path = outcome["OBJECTS"]["load_from"]
    properties = type("Properties", (), {"name": path})()
    outcome["tooltip"] = IDENTBOX_OT_load_preset.description(bpy.context, properties)
    outcome["loaded"] = sorted(bpy.ops.identbox.load_preset(name=path))
    outcome["after_load"] = {"mode": props.mode, "seed": props.seed, "n_pairs": props.n_pairs,
                             "problem": settings_problem(props)}
    identbox.unregister()
    return outcome
