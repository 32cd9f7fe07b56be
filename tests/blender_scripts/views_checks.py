"""The Views sub-panel's list in the real Blender: + and - within 2 to 16 views, each view's
name and material, presets filling the list and given back, the preview of any view, and
Render Dataset writing every view. tests/test_ui.py checks each named value main() returns."""

from __future__ import annotations

import json
import os
import pathlib
from collections.abc import Callable
from typing import Any

import bpy

import identbox
from identbox.dataset import read_manifest
from identbox.model.constants import OBJECT_SIZE
from identbox.operators.presets import user_preset_dir
from identbox.panels.base import settings_problem
from identbox.presets import has_published_look, load_preset
from identbox.sampling.pose import scene_state
from identbox.settings.pairs import DatasetSettings
from identbox.settings.panel import job_settings_from_props

Result = dict[str, Any]


def listed(props: Any) -> list[list[str]]:
    """The list as the panel shows it: name, modality and material of each view."""
    return [[v.name, v.modality, v.material] for v in props.views]


def refused(call: Callable[[], set[str]]) -> list[str] | str:
    """The operator's result, or its ERROR report."""
    try:
        return sorted(call())
    except RuntimeError as error:
        return str(error).strip()


def add_edit_remove(props: Any, out: Result) -> None:
    """A new scene: an empty list stands for the two default views; + adds the next default;
    edits reach the settings; - removes the selected view, never fewer than 2 or over 16."""
    out["fresh"] = [len(props.views), job_settings_from_props(props) == DatasetSettings()]
    out["add"] = sorted(bpy.ops.identbox.view_add())
    out["added"] = listed(props)
    out["modes"] = {}
    for mode in ("PAIRS", "OBJECTS"):
        props.mode = mode
        settings: Any = job_settings_from_props(props)
        out["modes"][mode] = [settings.n_views, len(settings.views)]  # all defaults: no list
    props.mode = "PAIRS"
    # Edit view 3; view 2's material is also the scene's, as --view2-material gives it.
    props.views[2].name = "top"
    props.views[2].material = "Crystal"
    props.views[1].material = "MyMetal"
    edited: Any = job_settings_from_props(props)
    out["edited"] = [[v.name, v.material] for v in edited.views]
    out["edited_scene"] = [edited.scene.view1_material, edited.scene.view2_material]
    props.views[1].name = "a b"
    problem = settings_problem(props)
    out["bad_name"] = [problem.where, problem.message] if problem else None
    props.views[1].name = "m2"
    props.active_view = 0
    out["remove"] = sorted(bpy.ops.identbox.view_remove())
    out["after_remove"] = [v.name for v in props.views]
    out["remove_last_two"] = refused(bpy.ops.identbox.view_remove)
    while len(props.views) < 16:
        bpy.ops.identbox.view_add()
    out["sixteen"] = [v.name for v in props.views]
    out["add_seventeenth"] = refused(bpy.ops.identbox.view_add)
    sixteen: Any = job_settings_from_props(props)
    out["n_views_16"] = sixteen.n_views


def presets_fill_the_list(props: Any, out: Result) -> Any:
    """Presets with a views list, or only n_views, fill the list; the panel gives them back.
    Returns the three-view preset left in the panel."""
    folder = user_preset_dir(create=True)
    with_list = {"name": "with_list", "n_pairs": 6, "scene": {"view2_material": "Crystal"},
                 "views": [{"name": "m1"}, {"name": "side", "material": "Rubber"},
                           {"name": "top", "material": "MyMetal"}]}
    (folder / "with_list.json").write_text(json.dumps(with_list))
    (folder / "four.json").write_text(json.dumps({"name": "four", "n_views": 4}))
    bpy.ops.identbox.load_preset(name="four")
    out["four"] = [listed(props),
                   job_settings_from_props(props) == load_preset(str(folder / "four.json"))]
    bpy.ops.identbox.load_preset(name="with_list")
    preset: Any = load_preset(str(folder / "with_list.json"))
    out["with_list"] = [listed(props), props.scene_options.view2_material,
                        job_settings_from_props(props) == preset]
    bpy.ops.identbox.add_preset(name="mine")  # written from the panel: round trip
    out["mine"] = load_preset(str(folder / "mine.json")) == preset.replace(name="mine")
    bpy.ops.identbox.load_preset(name="hues_positions_rotations")
    out["back_to_two"] = listed(props)
    bpy.ops.identbox.load_preset(name="mine")
    out["mine_loaded"] = job_settings_from_props(props) == preset.replace(name="mine")
    return preset


def preview_any_view(props: Any, out: Result, preset: Any) -> None:
    """The preview's view follows the list: view 3 of sample 4 in the scene."""
    props.sample_index = 4
    props.preview_view = 3
    teapot = bpy.data.scenes["IdentBox"].objects["IdentBox Teapot"]
    row = preset.sample().latents(3)[4]
    out["view3_location"] = [list(teapot.location),
                             list(scene_state(row, OBJECT_SIZE).object_location)]
    out["view3_material"] = teapot.data.materials[0].name
    out["view2_row_differs"] = bool((preset.sample().latents(2)[4] != row).any())
    props.preview_view = 9  # above the views: the last one
    out["preview_view_clamped"] = props.preview_view
    out["preview_op"] = sorted(bpy.ops.identbox.preview_sample(index=1, view=3))
    out["preview_op_5"] = refused(lambda: bpy.ops.identbox.preview_sample(index=1, view=5))
    bpy.ops.identbox.back_to_scene()


def published_look_and_render(props: Any, out: Result, root: str) -> None:
    """Published Look gives every view its published material (view 1 MyMetal, later ones
    Rubber); Render Dataset from the panel writes every view, and the manifest lists them."""
    bpy.ops.identbox.use_published_look()
    out["published"] = [[v.name, v.material] for v in props.views]
    published: Any = job_settings_from_props(props)
    out["published_look"] = has_published_look(published)
    props.views[2].material = "Crystal"
    props.n_pairs = 2
    props.render.resolution = 16
    props.render.samples = 1
    props.directory = os.path.join(root, "three")
    bpy.ops.identbox.render_dataset()
    out["folders"] = sorted(os.listdir(os.path.join(props.directory, "samples")))
    manifest = read_manifest(pathlib.Path(props.directory) / "manifest.json")
    out["manifest_views"] = manifest["settings"]["views"]


def main(args: list[str]) -> Result:
    """Every check in order (each step leaves the list the next expects); args[0] is the
    folder the dataset is written under."""
    identbox.register()
    props = bpy.context.scene.identbox
    out: Result = {}
    add_edit_remove(props, out)
    preset = presets_fill_the_list(props, out)
    preview_any_view(props, out, preset)
    published_look_and_render(props, out, args[0])
    identbox.unregister()
    return out
