"""The UI in the real Blender (bpy wheel, background): properties mirror the settings, every
panel draws for every preset using only properties and operators that exist, and Render
Dataset is disabled while the settings are invalid."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from conftest import run_blender

pytestmark = [pytest.mark.blender, pytest.mark.every_blender]

UI_CHECKS = """
import json, sys, types
import bpy
import identbox
from identbox.presets import load_preset, preset_names
from identbox.settings.pairs import DatasetSettings
from identbox.settings.panel import job_settings_from_props, settings_from_props, settings_to_props
from identbox import panels

identbox.register()
props = bpy.context.scene.identbox
result = {"defaults_equal": settings_from_props(props) == DatasetSettings(), "presets": {},
          "problems": []}

LAYOUT_FUNCTIONS = set(bpy.types.UILayout.bl_rna.functions.keys())
LAYOUT_PROPERTIES = set(bpy.types.UILayout.bl_rna.properties.keys())
problems = result["problems"]
calls = []


class OperatorProps:
    def __init__(self, idname):
        module, name = idname.split(".")
        self._rna = getattr(getattr(bpy.ops, module), name).get_rna_type()
    def __setattr__(self, key, value):
        if key != "_rna" and key not in self._rna.properties:
            problems.append(f"operator property {key} does not exist")
        object.__setattr__(self, key, value)


class Layout:
    # Records calls; every method and attribute must exist on the real UILayout.
    def __init__(self, parent=None):
        object.__setattr__(self, "state", dict(parent.state) if parent else {"enabled": True})
    def __setattr__(self, key, value):
        if key not in LAYOUT_PROPERTIES:
            problems.append(f"UILayout has no attribute {key}")
        self.state[key] = value
    def __getattr__(self, name):
        if name not in LAYOUT_FUNCTIONS:
            problems.append(f"UILayout has no function {name}")
        def call(*args, **kwargs):
            calls.append((name, args, kwargs, dict(self.state)))
            if name in ("row", "column", "box", "split", "column_flow", "grid_flow"):
                return Layout(self)
            if name == "prop" and args[1] not in args[0].bl_rna.properties:
                problems.append(f"{type(args[0]).__name__} has no property {args[1]}")
            if name == "operator":
                try:
                    return OperatorProps(args[0])
                except (AttributeError, KeyError):
                    problems.append(f"no operator {args[0]}")
            if name == "menu" and not hasattr(bpy.types, args[0]):
                problems.append(f"no menu {args[0]}")
            if name == "template_list":
                for data, prop in ((args[2], args[3]), (args[4], args[5])):
                    if prop not in data.bl_rna.properties:
                        problems.append(f"template_list: no property {prop}")
            return None
        return call


def draw_everything():
    context = types.SimpleNamespace(scene=bpy.context.scene)
    for cls in panels.classes:
        for method in ("draw", "draw_header_preset"):
            if hasattr(cls, method) and cls.__name__.startswith("IDENTBOX_PT"):
                getattr(cls, method)(types.SimpleNamespace(layout=Layout()), context)
    for edge in props.edges:
        panels.IDENTBOX_UL_edges.draw_item(None, context, Layout(), props, edge, 0, props,
                                           "active_edge", 0, 0)
    for index, view in enumerate(props.views):
        panels.IDENTBOX_UL_views.draw_item(None, context, Layout(), props, view, 0, props,
                                           "active_view", index, 0)

# One button gives the published look: the same dataset, drawn as published.
from identbox.presets import with_published_look
bpy.ops.identbox.load_preset(name="positions_hues_rotations")
bpy.ops.identbox.use_published_look()
result["published_look"] = (settings_from_props(props)
                            == with_published_look(load_preset("positions_hues_rotations")))

from identbox.settings.kinds import kind_of
from identbox.settings.panel import TO_PROPS
for name in preset_names():
    if kind_of(load_preset(name)).name not in TO_PROPS:  # a kind the panel does not edit yet
        continue
    bpy.ops.identbox.load_preset(name=name)
    result["presets"][name] = job_settings_from_props(props) == load_preset(name)
    result.setdefault("modes", {})[name] = props.mode
    for mode in ("PAIRS", "OBJECTS", "SEQUENCE", "CUBE"):
        props.mode = mode
        for running in (False, True):
            props.progress.running = running
            calls.clear()
            draw_everything()
    props.progress.running = False
    props.mode = "PAIRS"
result["camera_panel"] = props.camera.enabled and props.camera.type  # three_views_camera's
bpy.ops.identbox.load_preset(name="rotations_positions_hues")  # two views, no camera block
result["camera_panel_off"] = props.camera.enabled
result["cube_panel_drawn"] = any(c[0] == "operator" and c[1][0] == "identbox.render_cube"
                                 for c in calls) or None
# A text view: its words, templates and the previewed sentence drawn with what exists.
props.views[1].modality = "text"
props.active_view, props.preview_view = 1, 2  # the list counts from 0, View from 1
calls.clear()
draw_everything()
for index, template in enumerate(props.views[1].templates):
    panels.IDENTBOX_UL_templates.draw_item(None, None, Layout(), props.views[1], template, 0,
                                           props.views[1], "active_template", index, 0)
result["text_view_drawn"] = sorted({c[1][1] for c in calls if c[0] == "prop"
                                    and c[1][1].startswith(("describe_", "text"))})
props.views[1].modality = "image"  # the checks below count view 2's images

# Invalid settings: the error is shown and Render Dataset is disabled.
props.positions.marginal_low = 0.5
props.positions.marginal_high = 0.2
calls.clear()
draw_everything()
render_rows = [c for c in calls if c[0] == "operator" and c[1][0] == "identbox.render_dataset"]
result["render_enabled_when_invalid"] = [c[3]["enabled"] for c in render_rows]
result["error_labels"] = [c[2].get("text") for c in calls
                          if c[0] == "label" and c[3].get("alert")]
props.positions.marginal_low = -1.0
# A folder relative to an unsaved file is caught in the panel, not after Render.
calls.clear()
draw_everything()
result["render_enabled_unsaved_folder"] = [c[3]["enabled"] for c in calls
                                           if c[0] == "operator"
                                           and c[1][0] == "identbox.render_dataset"]
result["folder_error"] = [c[2].get("text") for c in calls
                          if c[0] == "label" and c[3].get("alert")]
import pathlib
busy = pathlib.Path(sys.argv[1] + "_busy")
busy.mkdir(parents=True)
(busy / "thesis.tex").write_text("mine")
props.directory = str(busy)
calls.clear()
draw_everything()
result["busy_folder_error"] = " ".join(c[2].get("text") or "" for c in calls
                                       if c[0] == "label" and c[3].get("alert"))
props.directory = "/proc/identbox"  # a folder that cannot be written: not "Ready"
calls.clear()
draw_everything()
result["unwritable_folder_error"] = " ".join(c[2].get("text") or "" for c in calls
                                             if c[0] == "label" and c[3].get("alert"))
result["render_enabled_unwritable"] = [c[3]["enabled"] for c in calls if c[0] == "operator"
                                       and c[1][0] == "identbox.render_dataset"]
props.directory = sys.argv[1] + "_valid"
calls.clear()
draw_everything()
result["render_enabled_when_valid"] = [c[3]["enabled"] for c in calls
                                       if c[0] == "operator"
                                       and c[1][0] == "identbox.render_dataset"]
result["estimate_labels"] = [c[2].get("text") for c in calls
                             if c[0] == "label" and "images, about" in (c[2].get("text") or "")]
result["time_labels"] = [c[2].get("text") for c in calls
                         if c[0] == "label" and (c[2].get("text") or "").startswith("About ")]
# A folder holding a dataset of other settings: said before Render (as its refusal was);
# one of the same settings is resumed.
from identbox.dataset.writer import write_latents
from identbox.settings.panel import job_settings_from_props as panel_settings
for name, seed in (("_other", props.seed + 1), ("_same", props.seed)):
    write_latents(panel_settings(props).replace(seed=seed), pathlib.Path(sys.argv[1] + name))
    props.directory = sys.argv[1] + name
    calls.clear()
    draw_everything()
    result["held" + name] = [" ".join(c[2].get("text") or "" for c in calls
                                      if c[0] == "label" and c[3].get("alert")),
                             [c[3]["enabled"] for c in calls if c[0] == "operator"
                              and c[1][0] == "identbox.render_dataset"]]
# The preview's sample count reaches the scene the viewport draws (the evaluated copy).
from identbox.scene.preview import set_preview_samples
tagged = bpy.data.scenes.new("Tag test")
tagged.render.engine = "CYCLES"
graph = tagged.view_layers[0].depsgraph
graph.update()
set_preview_samples(tagged, 3)
graph.update()
result["preview_samples_evaluated"] = graph.scene_eval.cycles.preview_samples
bpy.data.scenes.remove(tagged)
# The last run's message and its buttons, only while the panel shows that run's folder.
props.progress.message, props.progress.output = "Done: 3/3 pairs", sys.argv[1] + "_same"
result["last_run"] = []
for name in ("_same", "_other"):
    props.directory = sys.argv[1] + name
    calls.clear()
    draw_everything()
    result["last_run"].append([any(c[0] == "label" and c[2].get("text") == "Done: 3/3 pairs"
                                   for c in calls),
                               any(c[0] == "operator" and c[1][0] == "identbox.validate_dataset"
                                   for c in calls)])
# Objects that cannot be placed at this resolution: said in the panel, Render disabled.
bpy.ops.identbox.load_preset(name="clevr_like")
props.render.resolution = 48
calls.clear()
draw_everything()
result["render_enabled_unplaceable"] = [c[3]["enabled"] for c in calls
                                        if c[0] == "operator"
                                        and c[1][0] == "identbox.render_dataset"]
result["placement_error"] = " ".join(c[2].get("text") or "" for c in calls
                                     if c[0] == "label" and c[3].get("alert"))
bpy.ops.identbox.load_preset(name="hues_positions_rotations")

# Round trip of every setting through the real properties.
custom = DatasetSettings.from_dict({
    "name": "custom", "n_pairs": 77, "seed": 9,
    "blocks": {"positions": {"type": "view_specific",
                             "view_roles": ["pos_x", "pos_y", "pos_z"]},
               "hues": {"type": "style", "change_probability": 0.25,
                        "marginal": {"kind": "normal", "std": 0.5},
                        "conditional": {"kind": "uniform", "half_width": 0.3}}},
    "causal_edges": [{"parent": "hue_spot", "child": "hue_object", "strength": 0.4}],
    "scene": {"hue_mapping": "legacy", "view1_material": "Crystal"},
    "render": {"resolution": 96, "samples": 7, "file_format": "JPEG", "jpeg_quality": 80}})
settings_to_props(custom, props)
result["custom_round_trip"] = settings_from_props(props) == custom

# User presets: saved as JSON in Blender's user presets folder, listed, loaded, removed.
from identbox.operators.presets import user_presets
bpy.ops.identbox.add_preset(name="my preset")
result["user_presets"] = sorted(user_presets())
settings_to_props(DatasetSettings(), props)
bpy.ops.identbox.load_preset(name="my_preset")
result["user_preset_round_trip"] = settings_from_props(props) == custom.replace(name="my_preset")
bpy.ops.identbox.remove_preset(name="my_preset")
result["user_presets_after_remove"] = sorted(user_presets())

# The preview slider puts that sample into the IdentBox scene.
from identbox.model.constants import OBJECT_SIZE
from identbox.sampling.pose import scene_state
from identbox.sampling import sample_latents
props.sample_index = 5
props.preview_view = 2
result["scene_after_preview"] = bpy.context.scene.name
teapot = bpy.data.scenes["IdentBox"].objects["IdentBox Teapot"]
expected = scene_state(sample_latents(custom.replace(name="my_preset")).latents2[5], OBJECT_SIZE)
result["preview_location"] = [list(teapot.location), list(expected.object_location)]
result["preview_material"] = teapot.data.materials[0].name
# Objects mode: a multi-object preset in the panel, rendered from it with masks.
import pathlib
# The preview showed the IdentBox scene, which points back at the user's scene: the panel
# there shows (and edits) the same settings, never a copy.
from identbox.properties import settings_of
result["home"] = getattr(bpy.context.scene.identbox_home, "name", None)
result["same_settings"] = settings_of(bpy.context) == props
# A preview keeps the causal edges (it once emptied them by copying the settings onto
# themselves).
bpy.ops.identbox.load_preset(name="part2_causal")
bpy.ops.identbox.preview_sample(index=2, view=1)
props.sample_index = 3
result["part2_after_preview"] = job_settings_from_props(settings_of(bpy.context)) == load_preset(
    "part2_causal")
# While a render runs, the preview controls leave the scene alone.
teapot = bpy.data.scenes["IdentBox"].objects["IdentBox Teapot"]  # rebuilt: other scene settings
before = list(teapot.location)
props.progress.running = True
props.sample_index = 7
result["preview_frozen_while_running"] = list(teapot.location) == before
props.progress.running = False
props = settings_of(bpy.context)
bpy.ops.identbox.load_preset(name="objects_content_2")
props.multi.masks = True
props.n_pairs = 2
props.render.resolution = 48
props.multi.min_pixels = 5  # 48 px is small: the default 50 px cannot be placed (fails fast)
props.render.samples = 2
props.directory = sys.argv[1] + "_objects"
bpy.ops.identbox.render_dataset()
objects_root = pathlib.Path(sys.argv[1] + "_objects")
result["objects_files"] = sorted(str(p.relative_to(objects_root))
                                 for p in objects_root.rglob("*.png"))
result["validate_dataset"] = sorted(bpy.ops.identbox.validate_dataset())
result["validate_message"] = props.progress.message
bpy.ops.identbox.contact_sheet()
bpy.ops.identbox.plot_latents()
import os
search_path = os.environ.get("PATH", "")
os.environ["PATH"] = ""  # no xdg-open: Blender's path_open only printed a traceback
result["open_without_opener"] = sorted(bpy.ops.identbox.open_output())
os.environ["PATH"] = search_path
result["looks"] = [(objects_root / n).exists() for n in ("contact_sheet.png", "latents.png")]
# Objects mode previews too: the sample's objects where its latents put them.
bpy.ops.identbox.preview_sample(index=1, view=2)
result["objects_preview_scene"] = bpy.context.scene.name
objects_settings = job_settings_from_props(settings_of(bpy.context))
row = objects_settings.sample().latents2[1]
n = objects_settings.n_objects
first = bpy.data.objects["IdentBox Object 0"]
result["objects_preview_xy"] = [list(first.location[:2]), [row[3 + 3 * n], row[3 + 4 * n]]]
# Without Pillow (as in Blender's own Python): validation decodes with Blender's image API,
# the pictures say how to get Pillow.
sys.modules["PIL"] = None
result["validate_without_pillow"] = sorted(bpy.ops.identbox.validate_dataset())
result["validate_without_pillow_message"] = props.progress.message
try:
    bpy.ops.identbox.contact_sheet()
    result["sheet_without_pillow"] = "drawn"
except RuntimeError as error:
    result["sheet_without_pillow"] = str(error)
del sys.modules["PIL"]
(objects_root / "samples" / "m1" / "000001.png").unlink()
try:
    bpy.ops.identbox.validate_dataset()
    result["validate_after_delete"] = "passed"
except RuntimeError as error:
    result["validate_after_delete"] = str(error)
props.mode = "PAIRS"

# Cube mode: settings from the panel, Render Cube (background: runs to completion), playback.
import numpy as np
from identbox.settings.cube import CubeSettings
from identbox.settings.panel import cube_settings_from_props
props = settings_of(bpy.context)
props.mode = "CUBE"
props.cube.step = 3.0
props.cube.sizes = "16 24"
result["cube_settings"] = cube_settings_from_props(props.cube) == CubeSettings(
    step=3.0, sizes=(16, 24))
props.directory = sys.argv[1]
bpy.ops.identbox.render_cube()
result["cube_images"] = sorted(len(list((__import__("pathlib").Path(sys.argv[1]) / "images"
                                         / s).iterdir())) for s in ("16", "24"))
try:  # the pair pictures on a cube dataset: a message, not a KeyError
    bpy.ops.identbox.contact_sheet()
    result["sheet_of_cube"] = "drawn"
except RuntimeError as error:
    result["sheet_of_cube"] = str(error)
props.cube.label_file = sys.argv[1] + "/labels.npy"
props.cube.frame = 7
mesh = bpy.data.meshes["IdentBox Cube"]
seen = np.array([list(v.co) for v in mesh.vertices])
expected = np.load(sys.argv[1] + "/labels.npy")[7, :, :3]
result["playback_matches"] = bool(np.allclose(seen, expected, atol=1e-3))
props.cube.frame = 1000  # beyond the file: said in the panel
calls.clear()
draw_everything()
result["frame_error"] = " ".join(c[2].get("text") or "" for c in calls
                                 if c[0] == "label" and c[3].get("alert"))
props.cube.sizes = "16 x"
try:
    cube_settings_from_props(props.cube)
    result["bad_sizes"] = None
except Exception as error:
    result["bad_sizes"] = str(error)
# Operator arguments out of range are refused with the setting's name, and write nothing.
import os
refused = {}
for op, kwargs in (("sample_latents", {"n_pairs": -1}), ("render_dataset", {"resolution": 0}),
                   ("render_dataset", {"n_batches": 2, "batch_index": 5})):
    folder = sys.argv[1] + f"_refused_{op}_{len(refused)}"
    try:
        getattr(bpy.ops.identbox, op)(directory=folder, preset="hues_positions_rotations",
                                      **kwargs)
        refused[f"{op} {kwargs}"] = "accepted"
    except RuntimeError as error:
        refused[f"{op} {kwargs}"] = str(error) if not os.path.exists(folder) else "wrote files"
result["refused"] = refused
result["back"] = sorted(bpy.ops.identbox.back_to_scene())
result["scene_after_back"] = bpy.context.scene.name
identbox.unregister()
result["unregistered"] = not hasattr(bpy.types.Scene, "identbox")
result["scenes_after_unregister"] = sorted(scene.name for scene in bpy.data.scenes)
result["identbox_objects_after_unregister"] = sorted(
    o.name for o in bpy.data.objects if o.name.startswith("IdentBox"))
identbox.register()
result["registered_again"] = hasattr(bpy.context.scene, "identbox")
identbox.unregister()
report(result)
"""


def test_properties_and_panels_for_every_preset(tmp_path: Path) -> None:
    r = run_blender(UI_CHECKS, tmp_path, str(tmp_path / "cube"))
    assert r["problems"] == []
    assert r["defaults_equal"], "the properties' defaults are not DatasetSettings()"
    assert r["presets"] and all(r["presets"].values()), r["presets"]
    assert r["text_view_drawn"] == ["describe_colour", "describe_ground_colour",
                                    "describe_position", "describe_shape",
                                    "describe_spot_colour", "text"]
    assert r["camera_panel"] == "view_specific" and r["camera_panel_off"] is False
    assert r["modes"]["clevr_like"] == "OBJECTS" and r["modes"]["part2_causal"] == "PAIRS"
    assert r["validate_dataset"] == ["FINISHED"] and "0 failed" in r["validate_message"]
    assert r["looks"] == [True, True]
    assert r["objects_preview_scene"] == "IdentBox Objects"
    seen_xy, expected_xy = r["objects_preview_xy"]
    assert seen_xy == pytest.approx(expected_xy, abs=1e-4)
    assert r["validate_without_pillow"] == ["FINISHED"]
    assert r["validate_without_pillow_message"] == r["validate_message"]
    assert r["sheet_without_pillow"] == "drawn"  # numpy draws it: the same in Blender
    assert r["published_look"]
    assert "samples/m1" in r["validate_after_delete"]
    assert r["objects_files"] == [f"{kind}/m{v}/00000{i}.png" for kind in ("masks", "samples")
                                  for v in (1, 2) for i in range(2)]
    assert r["custom_round_trip"]
    assert r["render_enabled_when_invalid"] == [False]
    assert r["render_enabled_unsaved_folder"] == [False]
    assert any("save the .blend" in (t or "") or "save" in (t or "")
               for t in r["folder_error"]), r["folder_error"]
    assert "not empty and holds no IdentBox dataset" in r["busy_folder_error"]
    assert r["open_without_opener"] == ["CANCELLED"]  # with a warning saying where it is
    message, enabled = r["held_other"]
    assert "holds a different dataset" in message and "seed:" in message and enabled == [False]
    assert r["held_same"] == ["", [True]]
    assert r["last_run"] == [[True, True], [False, False]]
    assert r["preview_samples_evaluated"] == 3  # not Cycles' default of 1024
    assert "/proc is not a folder you can write" in r["unwritable_folder_error"]
    assert r["render_enabled_unwritable"] == [False]
    assert r["render_enabled_when_valid"] == [True]
    assert r["estimate_labels"] == ["2,000 images, about 49.2 MB"]
    assert len(r["time_labels"]) == 1 and r["time_labels"][0].endswith("(rough)")
    assert r["render_enabled_unplaceable"] == [False]
    assert "could be placed" in r["placement_error"], r["placement_error"]
    said = " ".join(text or "" for text in r["error_labels"])  # in the panel's words
    assert "Positions, View 1, Low 0.5: needs" in said, r["error_labels"]
    assert r["unregistered"] and r["registered_again"]
    assert r["user_presets"] == ["my_preset"] and r["user_presets_after_remove"] == []
    assert r["user_preset_round_trip"]
    seen, expected = r["preview_location"]
    assert seen == pytest.approx(expected, abs=1e-3)
    assert r["preview_material"] == "IdentBox Rubber"  # view 2 of the custom settings
    assert r["scene_after_preview"] == "IdentBox"
    assert r["home"] == "Scene" and r["same_settings"]
    assert r["part2_after_preview"]
    assert r["preview_frozen_while_running"]
    refused = r["refused"]
    assert "n_pairs" in refused["sample_latents {'n_pairs': -1}"]
    assert "resolution" in refused["render_dataset {'resolution': 0}"]
    assert "batch_index" in refused["render_dataset {'n_batches': 2, 'batch_index': 5}"]
    assert r["back"] == ["FINISHED"] and r["scene_after_back"] == "Scene"
    assert r["scenes_after_unregister"] == ["Scene"]
    assert r["identbox_objects_after_unregister"] == []
    assert r["cube_settings"] and r["cube_images"] == [27, 27]
    assert "identbox-cube/1" in r["sheet_of_cube"] and "image pairs" in r["sheet_of_cube"]
    assert r["playback_matches"]
    assert "Frame 1000: the file has frames 0 to 26" in r["frame_error"], r["frame_error"]
    assert "cube.sizes" in r["bad_sizes"]


def test_validate_settings_checks_the_settings_of_the_panels_mode(tmp_path: Path) -> None:
    """Objects mode's settings are what Validate Settings checks there (it once checked the
    Pairs settings in every mode)."""
    result = run_blender("""
import sys
import bpy, identbox
from identbox.sampling.multi import OBJECT_TYPES
identbox.register()
props = bpy.context.scene.identbox
props.directory = sys.argv[1]
for kind in OBJECT_TYPES:  # no object type at all: invalid Objects settings only
    setattr(props.multi, f"type_{kind}", False)
outcome = {}
for mode in ("PAIRS", "OBJECTS", "CUBE"):
    props.mode = mode
    try:
        outcome[mode] = sorted(bpy.ops.identbox.validate_settings())
    except RuntimeError as error:  # the operator's ERROR report
        outcome[mode] = str(error)
identbox.unregister()
report(outcome)
""", tmp_path, str(tmp_path / "out"))
    assert result["PAIRS"] == ["FINISHED"] and result["CUBE"] == ["FINISHED"], result
    assert "object_types" in result["OBJECTS"], result


def test_every_render_preset_has_a_button_and_a_menu_entry(tmp_path: Path) -> None:
    """The Render panel draws one Load Render Preset button per bundled render preset
    (published_fast among them), each loads its settings, and Render Dataset's render preset
    menu lists them all."""
    result = run_blender("""
import types
import bpy, identbox
from identbox import panels
from identbox.presets import load_render_preset, render_preset_names
from identbox.settings.render import RENDER_SPECS
identbox.register()
props = bpy.context.scene.identbox
buttons = []
class Button:  # what layout.operator returns: records the `name` it is given
    def __init__(self, idname, text):
        object.__setattr__(self, "seen", [idname, text])
    def __setattr__(self, key, value):
        if key == "name":
            buttons.append([*self.seen, value])
class Layout:
    def operator(self, idname, text="", **kwargs):
        return Button(idname, text)
    def __getattr__(self, name):  # row(), prop(), label(), ...: another layout
        return lambda *args, **kwargs: Layout()
panels.IDENTBOX_PT_render.draw(types.SimpleNamespace(layout=Layout()),
                               types.SimpleNamespace(scene=bpy.context.scene))
loaded = {}
for name in render_preset_names():
    bpy.ops.identbox.load_render_preset(name=name)
    preset = load_render_preset(name)
    loaded[name] = all(abs(getattr(props.render, s.name) - getattr(preset, s.name)) < 1e-6
                       if isinstance(getattr(preset, s.name), float)
                       else getattr(props.render, s.name) == getattr(preset, s.name)
                       for s in RENDER_SPECS)
menu = bpy.ops.identbox.render_dataset.get_rna_type().properties["render_preset"].enum_items
report({"names": render_preset_names(), "buttons": buttons, "loaded": loaded,
        "menu": [(item.identifier, item.name, item.description) for item in menu]})
identbox.unregister()
""", tmp_path)
    names = result["names"]
    assert "published_fast" in names
    assert [b for b in result["buttons"] if b[0] == "identbox.load_render_preset"] == [
        ["identbox.load_render_preset", name.replace("_", " ").title(), name] for name in names]
    assert result["loaded"] == {name: True for name in names}
    menu = {identifier: (label, description) for identifier, label, description in result["menu"]}
    assert list(menu) == names
    assert menu["published_fast"] == ("Published Fast", "224 px, 32 samples, denoised")


VIEWS_CHECKS = """
import json, os, sys
import bpy, identbox
from identbox.dataset import read_manifest
from identbox.model.constants import OBJECT_SIZE
from identbox.operators.presets import user_preset_dir
from identbox.panels.base import settings_problem
from identbox.presets import has_published_look, load_preset
from identbox.sampling.pose import scene_state
from identbox.settings.pairs import DatasetSettings
from identbox.settings.panel import job_settings_from_props
identbox.register()
props = bpy.context.scene.identbox
out = {}

def listed():
    return [[v.name, v.modality, v.material] for v in props.views]

def refused(call):
    try:
        return sorted(call())
    except RuntimeError as error:  # the operator's ERROR report
        return str(error).strip()

# A new scene: an empty list stands for the two default views; + adds the next default.
out["fresh"] = [len(props.views), job_settings_from_props(props) == DatasetSettings()]
out["add"] = sorted(bpy.ops.identbox.view_add())
out["added"] = listed()
out["modes"] = {}
for mode in ("PAIRS", "OBJECTS"):
    props.mode = mode
    settings = job_settings_from_props(props)
    out["modes"][mode] = [settings.n_views, len(settings.views)]  # all defaults: no list
props.mode = "PAIRS"
# Edit view 3; view 2's material is also the scene's, as --view2-material gives it.
props.views[2].name = "top"
props.views[2].material = "Crystal"
props.views[1].material = "MyMetal"
settings = job_settings_from_props(props)
out["edited"] = [[v.name, v.material] for v in settings.views]
out["edited_scene"] = [settings.scene.view1_material, settings.scene.view2_material]
props.views[1].name = "a b"
problem = settings_problem(props)
out["bad_name"] = [problem.where, problem.message]
props.views[1].name = "m2"
# Remove the selected view; never fewer than 2, never more than 16.
props.active_view = 0
out["remove"] = sorted(bpy.ops.identbox.view_remove())
out["after_remove"] = [v.name for v in props.views]
out["remove_last_two"] = refused(bpy.ops.identbox.view_remove)
while len(props.views) < 16:
    bpy.ops.identbox.view_add()
out["sixteen"] = [v.name for v in props.views]
out["add_seventeenth"] = refused(bpy.ops.identbox.view_add)
out["n_views_16"] = job_settings_from_props(props).n_views

# Presets with a views list, or only n_views, fill the list; the panel gives them back.
folder = user_preset_dir(create=True)
with_list = {"name": "with_list", "n_pairs": 6, "scene": {"view2_material": "Crystal"},
             "views": [{"name": "m1"}, {"name": "side", "material": "Rubber"},
                       {"name": "top", "material": "MyMetal"}]}
(folder / "with_list.json").write_text(json.dumps(with_list))
(folder / "four.json").write_text(json.dumps({"name": "four", "n_views": 4}))
bpy.ops.identbox.load_preset(name="four")
out["four"] = [listed(), job_settings_from_props(props) == load_preset(str(folder / "four.json"))]
bpy.ops.identbox.load_preset(name="with_list")
preset = load_preset(str(folder / "with_list.json"))
out["with_list"] = [listed(), props.scene_options.view2_material,
                    job_settings_from_props(props) == preset]
bpy.ops.identbox.add_preset(name="mine")  # written from the panel: round trip
out["mine"] = load_preset(str(folder / "mine.json")) == preset.replace(name="mine")
bpy.ops.identbox.load_preset(name="hues_positions_rotations")
out["back_to_two"] = listed()
bpy.ops.identbox.load_preset(name="mine")
out["mine_loaded"] = job_settings_from_props(props) == preset.replace(name="mine")

# The preview's view follows the list: view 3 of sample 4 in the scene.
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

# Published Look: every view's material as published (view 1 MyMetal, later ones Rubber).
bpy.ops.identbox.use_published_look()
out["published"] = [[v.name, v.material] for v in props.views]
out["published_look"] = has_published_look(job_settings_from_props(props))

# Render Dataset from the panel writes every view, and the manifest lists them.
props.views[2].material = "Crystal"
props.n_pairs = 2
props.render.resolution = 16
props.render.samples = 1
props.directory = os.path.join(sys.argv[1], "three")
bpy.ops.identbox.render_dataset()
out["folders"] = sorted(os.listdir(os.path.join(props.directory, "samples")))
manifest = read_manifest(__import__("pathlib").Path(props.directory) / "manifest.json")
out["manifest_views"] = manifest["settings"]["views"]
identbox.unregister()
report(out)
"""


def test_the_views_list_reaches_the_settings_the_preview_and_the_files(tmp_path: Path) -> None:
    """The Views sub-panel's list: + and - (2 to 16 views, refused with a message beyond),
    name, modality and material per view; presets fill it and the panel gives them back; the
    preview shows any view; Render Dataset writes every view."""
    r = run_blender(VIEWS_CHECKS, tmp_path, str(tmp_path))
    assert r["fresh"] == [0, True]
    assert r["add"] == ["FINISHED"]
    assert r["added"] == [["m1", "image", "MyMetal"], ["m2", "image", "Rubber"],
                          ["m3", "image", "Rubber"]]
    assert r["modes"] == {"PAIRS": [3, 0], "OBJECTS": [3, 0]}
    assert r["edited"] == [["m1", "MyMetal"], ["m2", "MyMetal"], ["top", "Crystal"]]
    assert r["edited_scene"] == ["MyMetal", "MyMetal"]
    assert r["bad_name"][0] == "views"
    assert r["bad_name"][1].startswith("View 2, Name 'a b': needs a name of letters"), r
    assert r["remove"] == ["FINISHED"] and r["after_remove"] == ["m2", "top"]
    assert r["remove_last_two"] == "Error: Cannot remove a view: a sample has at least 2 views"
    assert r["sixteen"] == ["m2", "top", *(f"m{k}" for k in range(3, 17))]
    assert r["add_seventeenth"] == "Error: Cannot add a view: a sample has at most 16 views"
    assert r["n_views_16"] == 16
    assert r["four"] == [[["m1", "image", "MyMetal"]] + [[f"m{k}", "image", "Rubber"]
                                                        for k in (2, 3, 4)], True]
    assert r["with_list"] == [[["m1", "image", "MyMetal"], ["side", "image", "Rubber"],
                               ["top", "image", "MyMetal"]], "Crystal", True]
    assert r["mine"] and r["mine_loaded"]
    assert r["back_to_two"] == [["m1", "image", "MyMetal"], ["m2", "image", "Rubber"]]
    seen, expected = r["view3_location"]
    assert seen == pytest.approx(expected, abs=1e-3)
    assert r["view3_material"] == "IdentBox MyMetal" and r["view2_row_differs"]
    assert r["preview_view_clamped"] == 3
    assert r["preview_op"] == ["FINISHED"]
    assert r["preview_op_5"] == ("Error: view = 5 is not allowed: a view from 1 to 3 (the "
                                 "settings have 3 views)")
    assert r["published"] == [["m1", "MyMetal"], ["side", "Rubber"], ["top", "Rubber"]]
    assert r["published_look"]
    assert r["folders"] == ["m1", "m2", "m3"]
    assert r["manifest_views"] == [{"name": "m1", "modality": "image", "material": "MyMetal"},
                                   {"name": "side", "modality": "image", "material": "Rubber"},
                                   {"name": "top", "modality": "image", "material": "Crystal"}]


# What a panel draws, recorded: draw(panel) -> [(function, args, kwargs), ...] (a script's
# own `types` and `bpy` are in scope).
PANEL_RECORDER = """
calls = []


class Layout:  # records what a panel draws
    def __getattr__(self, name):
        def call(*args, **kwargs):
            calls.append((name, args, kwargs))
            made = name in ("row", "column", "box", "split")
            return Layout() if made else types.SimpleNamespace()
        return call
    def __setattr__(self, key, value):
        pass


def draw(panel):
    calls.clear()
    panel.draw(types.SimpleNamespace(layout=Layout()),
               types.SimpleNamespace(scene=bpy.context.scene))
    return list(calls)
"""


TEXT_CHECKS = """
import json, os, pathlib, sys, types
import bpy, identbox
from identbox import panels
from identbox.operators.presets import user_preset_dir
from identbox.panels.base import settings_problem
from identbox.presets import load_preset
from identbox.sampling.text import MULTIMODAL_TEMPLATES
from identbox.settings.objects import sample_pairs
from identbox.settings.panel import job_settings_from_props
from identbox.dataset.writer import text_of
identbox.register()
props = bpy.context.scene.identbox
out = {}
""" + PANEL_RECORDER + """

def labels(drawn):
    return [c[2].get("text") for c in drawn if c[0] == "label"]


# A preset with a text view: its words (in their own order) and templates fill the panel.
text = {"modality": "text", "text": {"describe": ["position", "ground_colour", "shape"],
                                     "templates": ["{SHAPE} at the {YPOS}-{XPOS}, on {GROUND}.",
                                                   "On {GROUND}: a {SHAPE}, {YPOS}-{XPOS}."]}}
preset = {"name": "with_text", "n_pairs": 12, "seed": 4, "views": [{}, {"name": "words", **text}]}
folder = user_preset_dir(create=True)
(folder / "with_text.json").write_text(json.dumps(preset))
bpy.ops.identbox.load_preset(name="with_text")
props.directory = os.path.join(sys.argv[1], "text")  # a folder that can take the run
expected = load_preset(str(folder / "with_text.json"))
view = props.views[1]
out["loaded"] = [view.modality, [w for w in ("shape", "colour", "position", "ground_colour",
                                             "spot_colour") if getattr(view, "describe_" + w)],
                 [t.text for t in view.templates]]
out["round_trip"] = job_settings_from_props(props) == expected
bpy.ops.identbox.add_preset(name="mine")  # written from the panel, loaded again: equal
bpy.ops.identbox.load_preset(name="mine")
out["mine"] = job_settings_from_props(props) == expected.replace(name="mine")
out["list_row"] = []
for index, item in enumerate(props.views):
    calls.clear()
    panels.IDENTBOX_UL_views.draw_item(None, None, Layout(), props, item, 0, props, "active_view",
                                       index, 0)
    out["list_row"].append(labels(calls)[-1])

# The Views sub-panel: checkboxes and the templates list for a text view, material otherwise.
props.active_view = 1
drawn = draw(panels.IDENTBOX_PT_views)
out["text_fields"] = [c[1][1] for c in drawn if c[0] == "prop"]
out["templates_list"] = [[c[1][0], c[1][3], c[1][5]] for c in drawn if c[0] == "template_list"]
out["template_ops"] = [c[1][0] for c in drawn if c[0] == "operator" and "template" in c[1][0]]
props.active_view = 0
out["image_fields"] = [c[1][1] for c in draw(panels.IDENTBOX_PT_views) if c[0] == "prop"]
props.active_view = 1

# Edits: a word unchecked leaves templates with a placeholder too many: said in Views.
view.describe_ground_colour = False
problem = settings_problem(props)
out["error"] = [problem.where, problem.message]
out["error_drawn"] = " ".join(t or "" for t in labels(draw(panels.IDENTBOX_PT_views)))
for template in view.templates:
    template.text = template.text.replace(", on {GROUND}", "").replace("On {GROUND}: ", "")
out["fixed"] = settings_problem(props) is None
view.describe_spot_colour = True  # checked now: after the preset's words
view.templates[0].text = "A {SHAPE} at the {YPOS}-{XPOS} under a {SPOT} light."
view.templates[1].text = "Under {SPOT} light, {YPOS}-{XPOS}: a {SHAPE}."
settings = job_settings_from_props(props)
out["edited"] = [list(settings.views[1].text.describe), list(settings.views[1].text.templates)]
view.active_template = 1
bpy.ops.identbox.template_add()
out["added"] = [t.text for t in view.templates]
view.active_template = 0
bpy.ops.identbox.template_remove()
out["removed"] = [t.text for t in view.templates]
bpy.ops.identbox.template_remove()
try:
    bpy.ops.identbox.template_remove()
    out["remove_last"] = "removed"
except RuntimeError as error:
    out["remove_last"] = str(error).strip()

# A view made a text view gets Multimodal3DIdent's words and templates.
bpy.ops.identbox.view_add()
props.views[2].modality = "text"
third = job_settings_from_props(props).views[2]
out["new_text_view"] = [list(third.text.describe), list(third.text.templates)
                        == list(MULTIMODAL_TEMPLATES)]

# The Preview sub-panel shows the previewed sample's sentence in a text view.
props.sample_index = 7
props.preview_view = 3
settings = job_settings_from_props(props)
sentence = text_of(settings, sample_pairs(settings).latents(3), 3).lines[7]
out["preview_label"] = [" ".join(t or "" for t in labels(draw(panels.IDENTBOX_PT_preview))),
                        sentence]
out["preview_scene"] = bpy.context.scene.name
props.preview_view = 1
out["preview_image_labels"] = labels(draw(panels.IDENTBOX_PT_preview))

# Render Dataset writes the panel's sentences.
props.n_pairs, props.render.resolution, props.render.samples = 3, 16, 1
bpy.ops.identbox.render_dataset()
root = pathlib.Path(props.directory)
out["files"] = sorted(str(p.relative_to(root / "samples"))
                      for p in (root / "samples").rglob("*"))
out["sentences"] = (root / "samples/m2/sentences.txt").read_text().splitlines()
# Objects mode: which objects a text view says, and their order, to and from a preset.
each = {"kind": "multi", "name": "said_each", "n_pairs": 6, "n_objects": 3, "views": [
    {}, {"modality": "text", "text": {"describe": ["shape"], "templates": ["A {SHAPE}."],
                                      "objects": "each", "order": "left_to_right"}}]}
(folder / "said_each.json").write_text(json.dumps(each))
bpy.ops.identbox.load_preset(name="said_each")
props.active_view = 1
said_each = load_preset(str(folder / "said_each.json"))
out["objects_text"] = [props.views[1].text_objects, props.views[1].text_order,
                       job_settings_from_props(props) == said_each,
                       [c[1][1] for c in draw(panels.IDENTBOX_PT_views)
                        if c[0] == "prop" and c[1][1].startswith("text_")]]
identbox.unregister()
report(out)
"""


def test_a_text_view_in_the_panel(tmp_path: Path) -> None:
    """The Views sub-panel edits a text view's words and templates (a preset with one comes
    back unchanged), says what is wrong with a template, and the Preview sub-panel shows the
    previewed sample's sentence."""
    r = run_blender(TEXT_CHECKS, tmp_path, str(tmp_path))
    assert r["loaded"] == ["text", ["shape", "position", "ground_colour"],
                           ["{SHAPE} at the {YPOS}-{XPOS}, on {GROUND}.",
                            "On {GROUND}: a {SHAPE}, {YPOS}-{XPOS}."]]
    assert r["round_trip"] and r["mine"]
    assert r["list_row"] == ["MyMetal", "Text"]
    assert r["text_fields"] == ["name", "modality", "describe_shape", "describe_colour",
                                "describe_position", "describe_ground_colour",
                                "describe_spot_colour", "hue_mapping"]
    assert r["templates_list"] == [["IDENTBOX_UL_views", "views", "active_view"],
                                   ["IDENTBOX_UL_templates", "templates", "active_template"]]
    assert r["template_ops"] == ["identbox.template_add", "identbox.template_remove"]
    assert r["image_fields"] == ["name", "modality", "material", "hue_mapping"]
    where, message = r["error"]
    assert where == "views"
    assert message.startswith("View 2, Text, Template 1 '{SHAPE} at the {YPOS}-{XPOS}, on "
                              "{GROUND}.': needs a sentence with exactly the placeholders "
                              "{SHAPE}, {XPOS}, {YPOS}"), message
    assert "Template 1" in r["error_drawn"] and "{GROUND}" in r["error_drawn"]
    assert r["fixed"]
    assert r["edited"] == [["position", "shape", "spot_colour"],  # the preset's order kept
                           ["A {SHAPE} at the {YPOS}-{XPOS} under a {SPOT} light.",
                            "Under {SPOT} light, {YPOS}-{XPOS}: a {SHAPE}."]]
    assert r["added"][2] == r["added"][1]  # a copy of the selected template, to rephrase
    assert r["removed"] == r["added"][1:]
    assert r["remove_last"] == "Error: Cannot remove the last template: a text view needs one"
    assert r["new_text_view"] == [["shape", "colour", "position"], True]
    assert r["objects_text"] == ["each", "left_to_right", True, ["text_objects", "text_order"]]
    shown, sentence = r["preview_label"]
    assert sentence in shown and '"' in sentence
    assert r["preview_scene"] == "IdentBox"
    assert not any('"' in (t or "") for t in r["preview_image_labels"])
    assert r["files"] == ["m1", "m1/000000.png", "m1/000001.png", "m1/000002.png", "m2",
                          "m2/sentences.txt", "m3", "m3/sentences.txt"]
    assert len(r["sentences"]) == 3 and all("light" in s for s in r["sentences"])


SEQUENCE_CHECKS = """
import json, pathlib, sys, types
import bpy, numpy as np, identbox
from identbox import panels
from identbox.cli import main as cli
from identbox.panels.base import settings_problem
from identbox.presets import load_preset, preset_names
from identbox.settings.kinds import kind_of, settings_from_dict
from identbox.settings.panel import job_settings_from_props, show_in_props
identbox.register()
props = bpy.context.scene.identbox
out = {}
""" + PANEL_RECORDER + """

def texts(drawn):
    return [c[2].get("text") or "" for c in drawn if c[0] == "label"]


def round_trip(settings):
    show_in_props(settings, props)
    return [props.mode, job_settings_from_props(props) == settings]


# Every bundled preset with an intervention or of the sequence kind, and two written here.
out["bundled"] = {}
for name in preset_names():
    preset = load_preset(name)
    if kind_of(preset).name == "sequence" or getattr(preset, "intervention", None):
        bpy.ops.identbox.load_preset(name=name)
        out["bundled"][name] = job_settings_from_props(props) == preset
content = {b: {"type": "content"} for b in ("positions", "rotations", "hues")}
pairs = settings_from_dict({"name": "do_pairs", "blocks": content, "intervention": {
    "mode": "interventional", "targets": "random", "probability": 0.3,
    "groups": [["pos_x", "pos_y"], ["hue_object"]]}})
out["pairs"] = round_trip(pairs) + [props.intervention.groups]
fixed = pairs.replace(intervention=pairs.intervention.__class__(targets="fixed",
                                                                groups=(("rot_alpha",),)))
out["pairs_fixed"] = round_trip(fixed)
out["pairs_off"] = round_trip(settings_from_dict({"name": "plain"}))
sequence = settings_from_dict({
    "kind": "sequence", "name": "seq", "description": "d", "n_shapes": 7, "n_frames": 40,
    "n_episodes": 2, "n_independent": 4, "n_triplets": 3, "intervention_probability": 0.2,
    "instantaneous": True, "seed": 5,
    "object_types": ["teapot", "cube", "sphere", "meshes/bunny.obj", "cone", "monkey",
                     "cylinder"], "scene": {"hue_mapping": "legacy"},
    "render": {"resolution": 16, "samples": 1}})
out["sequence"] = round_trip(sequence) + [props.sequence.shape_3, props.sequence.file_3]
single = settings_from_dict({"kind": "sequence", "single_target": True, "n_frames": 9})
out["single"] = round_trip(single)

# Every sub-panel in Sequence mode draws only what exists (the Objects-mode panels hide).
out["shown"] = sorted(cls.__name__ for cls in panels.classes if cls.__name__.startswith(
    "IDENTBOX_PT") and (not hasattr(cls, "poll") or cls.poll(bpy.context)))
out["sequence_fields"] = [c[1][1] for c in draw(panels.IDENTBOX_PT_sequence) if c[0] == "prop"]

# A problem: one line naming the setting and what is allowed, in the Sequence sub-panel,
# Render Dataset disabled; an intervention's group with a wrong name, in its sub-panel.
props.directory = sys.argv[1] + "/panel"
props.sequence.n_frames, props.sequence.n_episodes = 5000000, 3
problem = settings_problem(props)
out["frames_problem"] = [problem.where, problem.message,
                         " ".join(texts(draw(panels.IDENTBOX_PT_sequence)))]
show_in_props(pairs, props)
props.intervention.groups = "pos_x, bogus; hue_object"
problem = settings_problem(props)
out["groups_problem"] = [problem.where, problem.message]
out["intervention_error_drawn"] = " ".join(texts(draw(panels.IDENTBOX_PT_intervention)))

# Preview stepping: each frame's latents row on the object, and its targets said.
tiny = settings_from_dict({"kind": "sequence", "name": "tiny", "n_frames": 3,
                           "n_independent": 1, "n_triplets": 1,
                           "intervention_probability": 0.6, "seed": 3,
                           "render": {"resolution": 16, "samples": 1}})
show_in_props(tiny, props)
props.directory = sys.argv[1] + "/panel"
trajectory = tiny.trajectory().values[0]
columns = list(tiny.causal_model().names)
seen = []
for frame in range(3):
    if frame == 0:
        bpy.ops.identbox.preview_sample()
    else:
        bpy.ops.identbox.step_frame(step=1)
    scene = bpy.data.scenes["IdentBox Sequence"]
    obj = scene.objects["IdentBox Object"]
    seen.append({"frame": props.sequence.frame, "location": list(obj.location),
                 "rotation": list(obj.rotation_euler)[:2],
                 "targets": [t for t in texts(draw(panels.IDENTBOX_PT_preview))
                             if t.startswith("Targets")]})
out["stepped"] = seen
out["expected"] = [[float(row[columns.index(n)]) for n in ("pos_x", "pos_y", "pos_z",
                                                           "rot_alpha", "rot_beta")]
                   for row in trajectory]
bpy.ops.identbox.step_frame(step=1)  # past the last frame: it stays there
out["after_last"] = props.sequence.frame
out["preview_ops"] = [[c[1][0], c[1][0] == "identbox.step_frame"]
                      for c in draw(panels.IDENTBOX_PT_preview) if c[0] == "operator"]

# Render Dataset from the panel, and the command line with the same settings.
bpy.ops.identbox.render_dataset()
panel_root = pathlib.Path(props.directory)
preset = pathlib.Path(sys.argv[1]) / "tiny.json"
preset.write_text(json.dumps(tiny.to_dict()))
out["cli_status"] = cli(["render", "--preset", str(preset), "--out", sys.argv[1] + "/cli"])
cli_root = pathlib.Path(sys.argv[1]) / "cli"
out["manifests_equal"] = (json.loads((panel_root / "manifest.json").read_text())
                          == json.loads((cli_root / "manifest.json").read_text()))
out["images"] = sorted(str(p.relative_to(panel_root)) for p in panel_root.rglob("*.png"))
targets = np.load(panel_root / "factors" / "interventions.npy")
out["written_targets"] = [[columns[k] for k in np.flatnonzero(row)] for row in targets]
out["estimate"] = [t for t in texts(draw(panels.IDENTBOX_PT_progress)) if "images" in t]
# The picture buttons on a sequence: its contact sheet; its latents with matplotlib, and
# without it (Blender's own Python) a message saying how to get it.
out["sequence_sheet"] = sorted(bpy.ops.identbox.contact_sheet())
import importlib.util
if importlib.util.find_spec("matplotlib") is not None:  # the every_blender venvs have none
    out["sequence_plot"] = sorted(bpy.ops.identbox.plot_latents())
    (panel_root / "latents.png").unlink()
else:
    out["sequence_plot"] = "no matplotlib here"
sys.modules["matplotlib"] = None
try:
    bpy.ops.identbox.plot_latents()
    out["plot_without_matplotlib"] = "drawn"
except RuntimeError as error:
    out["plot_without_matplotlib"] = str(error)
out["plot_left"] = (panel_root / "latents.png").exists()
identbox.unregister()
report(out)
"""


def test_interventions_and_sequences_in_the_panel(tmp_path: Path) -> None:
    """Pairs with an intervention and Sequence mode in the panel: presets and settings come
    back unchanged, problems are one line in their sub-panel, the preview steps through the
    frames showing each frame's latents and targets, and Render Dataset writes the manifest
    the command line writes for the same settings."""
    r = run_blender(SEQUENCE_CHECKS, tmp_path, str(tmp_path))
    assert all(r["bundled"].values()), r["bundled"]
    assert r["pairs"] == ["PAIRS", True, "pos_x, pos_y; hue_object"]
    assert r["pairs_fixed"] == ["PAIRS", True] and r["pairs_off"] == ["PAIRS", True]
    assert r["sequence"] == ["SEQUENCE", True, "file", "meshes/bunny.obj"]
    assert r["single"] == ["SEQUENCE", True]
    assert r["shown"] == ["IDENTBOX_PT_dataset", "IDENTBOX_PT_preview", "IDENTBOX_PT_progress",
                          "IDENTBOX_PT_render", "IDENTBOX_PT_sequence"]
    assert r["sequence_fields"] == [
        "model", "n_shapes", "n_frames", "n_episodes", "n_independent", "n_triplets", "seed",
        "single_target",
        "instantaneous", "shape_0", "hue_mapping"]  # single target: no probability
    where, message, drawn = r["frames_problem"]
    assert where == "sequence"
    assert message.startswith("Frames 5000000: needs at most 10,000,000 "), message
    assert "Frames 5000000: needs at most 10,000,000" in drawn
    where, message = r["groups_problem"]
    assert where == "intervention"
    assert message.startswith("Intervention, Group 1 ['pos_x', 'bogus']: needs names of "
                              "factors: pos_x"), message
    assert "Group 1" in r["intervention_error_drawn"]
    stepped, expected = r["stepped"], r["expected"]
    assert [s["frame"] for s in stepped] == [0, 1, 2] and r["after_last"] == 2
    lifts = {round(s["location"][2] - e[2], 4) for s, e in zip(stepped, expected, strict=True)}
    assert len(lifts) == 1  # z: pos_z lifted by half the one shape's size, in every frame
    for shown, values in zip(stepped, expected, strict=True):
        assert shown["location"][:2] == pytest.approx(values[:2], abs=1e-5)
        assert shown["rotation"] == pytest.approx(values[3:5], abs=1e-5)
    assert expected[0] != expected[1] != expected[2]
    written = r["written_targets"]
    assert written[0] == [] and any(written[1:]), written  # p = 0.6: some targets
    assert [s["targets"] for s in stepped] == [
        [f"Targets: {', '.join(names) or 'none'}"] for names in written]
    assert [op for op, _ in r["preview_ops"]] == ["identbox.step_frame", "identbox.step_frame",
                                                  "identbox.preview_sample"]
    assert r["cli_status"] == 0 and r["manifests_equal"]
    assert r["images"] == ["independent/000000.png", "samples/000000.png",
                           "samples/000001.png", "samples/000002.png", "triplets/000000.png"]
    assert r["estimate"] == ["5 images, about 2 KB"]
    assert r["sequence_sheet"] == ["FINISHED"]
    with_matplotlib = importlib.util.find_spec("matplotlib") is not None  # this Python's
    assert r["sequence_plot"] == (["FINISHED"] if with_matplotlib else "no matplotlib here")
    assert "a sequence's latents are drawn with matplotlib" in r["plot_without_matplotlib"]
    assert "-m pip install matplotlib" in r["plot_without_matplotlib"]
    assert not r["plot_left"]
