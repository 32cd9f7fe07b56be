"""Add Preset names the panel's settings after the preset; the folder rendered just before
with the same settings stays theirs (it was refused: 'a different dataset, name: ...')."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import bpy

import identbox
from identbox.dataset.writing.writer import write_latents
from identbox.panels.base import settings_problem
from identbox.settings.panel import pair_settings_from_props


def main(args: list[str]) -> dict[str, Any]:
    """args[0]: an output folder."""
    identbox.register()
    props = bpy.context.scene.identbox
    props.directory = args[0]
    props.n_pairs = 3
    write_latents(pair_settings_from_props(props), Path(args[0]))  # as a run leaves it
    before = settings_problem(props)
    added = sorted(bpy.ops.identbox.add_preset(name="my_teapots"))
    outcome = {"before": before, "added": added, "name": props.name,
               "after": settings_problem(props)}
    identbox.unregister()
    return outcome
