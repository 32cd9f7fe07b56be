"""Nothing in the Dataset panel moves under the cursor: the mode tabs and every field below
the status keep their rows whether an IdentBox scene is shown (Back to ...) or not, and
whether the status says Ready, a red message with Load Its Settings, or a long one."""

from __future__ import annotations

import types
from typing import Any

import bpy
from panel_recorder import Layout, calls

import identbox
from identbox.dataset.writing.writer import write_latents
from identbox.panels.dataset import IDENTBOX_PT_dataset
from identbox.settings.pairs import DatasetSettings

LINES = ("label", "prop", "prop_enum", "operator", "menu")  # calls that take a place


def rows_before(scene: Any) -> dict[str, int]:
    """Rows drawn before the mode tabs and before Validate Settings, for `scene` shown."""
    calls.clear()
    IDENTBOX_PT_dataset.draw(types.SimpleNamespace(layout=Layout()),  # type: ignore[arg-type]
                             types.SimpleNamespace(scene=scene, region=None))
    rows = [c for c in calls if c[0] in LINES]
    names = [(c[0], c[1][1] if c[0] in ("prop", "prop_enum") else c[1][0] if c[1] else "")
             for c in rows]
    return {"mode": names.index(("prop_enum", "mode")),
            "validate": names.index(("operator", "identbox.validate_settings"))}


def main(args: list[str]) -> dict[str, Any]:
    """args[0]: a folder for the states that need one."""
    identbox.register()
    scene = bpy.context.scene
    props = scene.identbox
    folder = args[0]
    outcome: dict[str, Any] = {}
    props.directory = folder + "/new"
    outcome["ready"] = rows_before(scene)
    write_latents(DatasetSettings(n_pairs=3, seed=9), folder + "/held")
    props.directory = folder + "/held"
    outcome["held_with_load_button"] = rows_before(scene)
    props.directory = folder + "/new"
    props.render.samples = 0  # invalid: said under Render, in red
    outcome["fix_below"] = rows_before(scene)
    props.render.samples = 8
    props.directory = "/proc/" + "very_long_folder_name_" * 6  # a long message, cut
    outcome["long_message"] = rows_before(scene)
    props.directory = folder + "/new"
    bpy.ops.identbox.preview_sample(index=0, view=1)
    shown = bpy.data.scenes["IdentBox"]  # what the window shows after a preview
    outcome["identbox_scene_shown"] = rows_before(shown)
    outcome["home"] = getattr(getattr(shown, "identbox_home", None), "name", None)
    identbox.unregister()
    return outcome
