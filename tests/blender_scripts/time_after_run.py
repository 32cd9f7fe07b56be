"""The panel's time estimate after a run at other settings: a run at 64 px and 8 samples
drew 10 pairs/s; the panel then shows 224 px at 512 samples (it once said 'About 00:00:05'
for that, the small run's rate as it stood)."""

from __future__ import annotations

from typing import Any

import bpy
from panel_recorder import draw, labels

import identbox
from identbox.operators.modal_job import rough_seconds_per_item
from identbox.panels.dataset import IDENTBOX_PT_progress


def time_label() -> str | None:
    return next((text for text in labels(draw(IDENTBOX_PT_progress))
                 if text and text.startswith("About ")), None)


def main(args: list[str]) -> dict[str, Any]:
    identbox.register()
    props = bpy.context.scene.identbox
    props.directory = args[0]
    props.n_pairs = 50
    props.render.resolution, props.render.samples = 64, 8
    before_any_run = time_label()
    progress = props.progress  # what Render Dataset leaves after such a run
    progress.unit, progress.rate = "pairs", 10.0
    progress.rough_per_item = rough_seconds_per_item(props)
    same_settings = time_label()
    props.render.resolution, props.render.samples = 224, 512
    outcome = {"before_any_run": before_any_run, "same_settings": same_settings,
               "bigger": time_label()}
    identbox.unregister()
    return outcome
