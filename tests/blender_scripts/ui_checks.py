"""The UI in the real Blender, one scene worked through in order: properties mirror the
settings, every panel draws for every preset with only what exists, problems are said in the
panel with Render Dataset disabled, and the operators behind the buttons do their work.
tests/test_ui.py runs main() once and checks each named value it returns."""

from __future__ import annotations

import os
import pathlib
import sys
import types
from collections.abc import Callable
from typing import Any

import bpy
import numpy as np

import identbox
from identbox import panels
from identbox.dataset.writing.writer import write_latents
from identbox.model.constants import OBJECT_SIZE
from identbox.operators.presets import user_presets
from identbox.presets import load_preset, preset_names, with_published_look
from identbox.properties import settings_of
from identbox.sampling import sample_latents
from identbox.sampling.pose import scene_state
from identbox.scene.preview import set_preview_samples
from identbox.settings.cube import CubeSettings
from identbox.settings.kinds import kind_of, panel_kinds
from identbox.settings.pairs import DatasetSettings
from identbox.settings.panel import (
    cube_settings_from_props,
    job_settings_from_props,
    loads_into_panel,
    settings_from_props,
    settings_to_props,
)

Result = dict[str, Any]
# (function, args, kwargs, the layout's state when called: enabled, alert, ...)
Call = tuple[str, tuple[Any, ...], dict[str, Any], dict[str, Any]]

LAYOUT_FUNCTIONS = set(bpy.types.UILayout.bl_rna.functions.keys())
LAYOUT_PROPERTIES = set(bpy.types.UILayout.bl_rna.properties.keys())
problems: list[str] = []
# draw_item's `self`: these lists draw nothing from it.
NO_LIST: Any = None
calls: list[Call] = []


class OperatorProps:
    """What layout.operator returns: setting a property the operator lacks is a problem."""

    _rna: Any

    def __init__(self, idname: str) -> None:
        module, name = idname.split(".")
        self._rna = getattr(getattr(bpy.ops, module), name).get_rna_type()

    def __setattr__(self, key: str, value: object) -> None:
        if key != "_rna" and key not in self._rna.properties:
            problems.append(f"operator property {key} does not exist")
        object.__setattr__(self, key, value)


class Layout:
    """Records calls; every method and attribute must exist on the real UILayout."""

    state: dict[str, Any]

    def __init__(self, parent: Layout | None = None) -> None:
        object.__setattr__(self, "state", dict(parent.state) if parent else {"enabled": True})

    def __setattr__(self, key: str, value: object) -> None:
        if key not in LAYOUT_PROPERTIES:
            problems.append(f"UILayout has no attribute {key}")
        self.state[key] = value

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name not in LAYOUT_FUNCTIONS:
            problems.append(f"UILayout has no function {name}")

        def call(*args: Any, **kwargs: Any) -> Any:
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


def draw_everything(props: Any) -> None:
    """Every IdentBox panel, preset header and list row, drawn into the recorder."""
    context = types.SimpleNamespace(scene=bpy.context.scene)
    for cls in panels.classes:
        for method in ("draw", "draw_header_preset"):
            if hasattr(cls, method) and cls.__name__.startswith("IDENTBOX_PT"):
                getattr(cls, method)(types.SimpleNamespace(layout=Layout()), context)
    for edge in props.edges:
        panels.IDENTBOX_UL_edges.draw_item(NO_LIST, context, Layout(), props, edge, 0, props,
                                           "active_edge", 0, 0)
    for index, view in enumerate(props.views):
        panels.IDENTBOX_UL_views.draw_item(NO_LIST, context, Layout(), props, view, 0, props,
                                           "active_view", index, 0)


def redraw(props: Any) -> None:
    """A fresh recording of everything the panels draw now."""
    calls.clear()
    draw_everything(props)


def render_enabled() -> list[bool]:
    """Whether each Render Dataset button drawn was enabled."""
    return [c[3]["enabled"] for c in calls
            if c[0] == "operator" and c[1][0] == "identbox.render_dataset"]


def alert_labels() -> list[str | None]:
    """The labels drawn in red: the panel's error messages."""
    return [c[2].get("text") for c in calls if c[0] == "label" and c[3].get("alert")]


def alert_text() -> str:
    """The panel's error messages as one string."""
    return " ".join(text or "" for text in alert_labels())


def error_of(call: Callable[[], object], done: str) -> str:
    """The operator's ERROR report, or `done` when it ran without one."""
    try:
        call()
        return done
    except RuntimeError as error:
        return str(error)


def presets_in_every_mode(props: Any, result: Result) -> None:
    """The published look, then each preset the panel edits: loaded, read back, and drawn in
    every mode while idle and while running."""
    # One button gives the published look: the same dataset, drawn as published.
    bpy.ops.identbox.load_preset(name="positions_hues_rotations")
    bpy.ops.identbox.use_published_look()
    result["published_look"] = (settings_from_props(props)
                                == with_published_look(load_preset("positions_hues_rotations")))
    for name in preset_names():
        if not loads_into_panel(kind_of(load_preset(name))):  # a kind the panel does not edit
            continue
        bpy.ops.identbox.load_preset(name=name)
        result["presets"][name] = job_settings_from_props(props) == load_preset(name)
        result.setdefault("modes", {})[name] = props.mode
        for mode in [k.panel.mode for k in panel_kinds() if k.panel is not None]:
            props.mode = mode
            for running in (False, True):
                props.progress.running = running
                redraw(props)
        props.progress.running = False
        props.mode = "PAIRS"
    result["camera_panel"] = props.camera.enabled and props.camera.type  # three_views_camera's
    bpy.ops.identbox.load_preset(name="rotations_positions_hues")  # two views, no camera block
    result["camera_panel_off"] = props.camera.enabled
    result["cube_panel_drawn"] = any(c[0] == "operator" and c[1][0] == "identbox.render_cube"
                                     for c in calls) or None


def text_view(props: Any, result: Result) -> None:
    """A text view: its words, templates and the previewed sentence drawn with what exists."""
    props.views[1].modality = "text"
    props.active_view, props.preview_view = 1, 2  # the list counts from 0, View from 1
    redraw(props)
    for index, template in enumerate(props.views[1].templates):
        panels.IDENTBOX_UL_templates.draw_item(NO_LIST, None, Layout(), props.views[1], template, 0,
                                               props.views[1], "active_template", index, 0)
    result["text_view_drawn"] = sorted({c[1][1] for c in calls if c[0] == "prop"
                                        and c[1][1].startswith(("describe_", "text"))})
    props.views[1].modality = "image"  # the checks below count view 2's images


def problems_in_the_panel(props: Any, result: Result, root: str) -> None:
    """Invalid settings and unusable folders: said in the panel, Render Dataset disabled."""
    props.positions.marginal_low = 0.5
    props.positions.marginal_high = 0.2
    redraw(props)
    result["render_enabled_when_invalid"] = render_enabled()
    result["error_labels"] = alert_labels()
    props.positions.marginal_low = -1.0
    # A folder relative to an unsaved file is caught in the panel, not after Render.
    redraw(props)
    result["render_enabled_unsaved_folder"] = render_enabled()
    result["folder_error"] = alert_labels()
    busy = pathlib.Path(root + "_busy")
    busy.mkdir(parents=True)
    (busy / "thesis.tex").write_text("mine")
    props.directory = str(busy)
    redraw(props)
    result["busy_folder_error"] = alert_text()
    props.directory = "/proc/identbox"  # a folder that cannot be written: not "Ready"
    redraw(props)
    result["unwritable_folder_error"] = alert_text()
    result["render_enabled_unwritable"] = render_enabled()
    props.directory = root + "_valid"
    redraw(props)
    result["render_enabled_when_valid"] = render_enabled()
    result["estimate_labels"] = [c[2].get("text") for c in calls if c[0] == "label"
                                 and " images, ~" in (c[2].get("text") or "")]
    result["time_labels"] = [c[2].get("text") for c in calls if c[0] == "label"
                             and (c[2].get("text") or "").startswith("About ")]


def folders_holding_datasets(props: Any, result: Result, root: str) -> None:
    """A folder holding a dataset of other settings: said before Render (as its refusal was);
    one of the same settings is resumed. The last run's message and buttons show only while
    the panel shows that run's folder."""
    for name, seed in (("_other", props.seed + 1), ("_same", props.seed)):
        settings: Any = job_settings_from_props(props)
        write_latents(settings.replace(seed=seed), pathlib.Path(root + name))
        props.directory = root + name
        redraw(props)
        result["held" + name] = [alert_text(), render_enabled()]
    # The preview's sample count reaches the scene the viewport draws (the evaluated copy).
    tagged = bpy.data.scenes.new("Tag test")
    tagged.render.engine = "CYCLES"
    graph = tagged.view_layers[0].depsgraph
    graph.update()
    set_preview_samples(tagged, 3)
    graph.update()
    result["preview_samples_evaluated"] = graph.scene_eval.cycles.preview_samples
    bpy.data.scenes.remove(tagged)
    props.progress.message, props.progress.output = "Done: 3/3 pairs", root + "_same"
    result["last_run"] = []
    for name in ("_same", "_other"):
        props.directory = root + name
        redraw(props)
        result["last_run"].append([any(c[0] == "label" and c[2].get("text") == "Done: 3/3 pairs"
                                       for c in calls),
                                   any(c[0] == "operator"
                                       and c[1][0] == "identbox.validate_dataset"
                                       for c in calls)])


def unplaceable_objects(props: Any, result: Result) -> None:
    """Objects that cannot be placed at this resolution: said in the panel, Render disabled."""
    bpy.ops.identbox.load_preset(name="clevr_like")
    props.render.resolution = 48
    redraw(props)
    result["render_enabled_unplaceable"] = render_enabled()
    result["placement_error"] = alert_text()
    bpy.ops.identbox.load_preset(name="hues_positions_rotations")


def round_trips(props: Any, result: Result) -> DatasetSettings:
    """Every setting through the real properties, and a user preset saved as JSON in Blender's
    user presets folder, listed, loaded and removed. Returns the settings left in the panel."""
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
    bpy.ops.identbox.add_preset(name="my preset")
    result["user_presets"] = sorted(user_presets())
    settings_to_props(DatasetSettings(), props)
    bpy.ops.identbox.load_preset(name="my_preset")
    mine = custom.replace(name="my_preset")
    result["user_preset_round_trip"] = settings_from_props(props) == mine
    bpy.ops.identbox.remove_preset(name="my_preset")
    result["user_presets_after_remove"] = sorted(user_presets())
    return mine


def previews(props: Any, result: Result, shown: DatasetSettings) -> None:
    """The preview slider puts that sample into the IdentBox scene, whose panel edits the
    user's scene's settings; a preview keeps causal edges and stays still while rendering."""
    props.sample_index = 5
    props.preview_view = 2
    result["scene_after_preview"] = bpy.context.scene.name
    teapot = bpy.data.scenes["IdentBox"].objects["IdentBox Teapot"]
    expected = scene_state(sample_latents(shown).latents2[5], OBJECT_SIZE)
    result["preview_location"] = [list(teapot.location), list(expected.object_location)]
    result["preview_material"] = teapot.data.materials[0].name
    # The preview showed the IdentBox scene, which points back at the user's scene: the panel
    # there shows (and edits) the same settings, never a copy.
    result["home"] = getattr(bpy.context.scene.identbox_home, "name", None)
    result["same_settings"] = settings_of(bpy.context) == props
    # A preview keeps the causal edges (it once emptied them by copying the settings onto
    # themselves).
    bpy.ops.identbox.load_preset(name="part2_causal")
    bpy.ops.identbox.preview_sample(index=2, view=1)
    props.sample_index = 3
    result["part2_after_preview"] = (job_settings_from_props(settings_of(bpy.context))
                                     == load_preset("part2_causal"))
    # While a render runs, the preview controls leave the scene alone.
    teapot = bpy.data.scenes["IdentBox"].objects["IdentBox Teapot"]  # rebuilt: other settings
    before = list(teapot.location)
    props.progress.running = True
    props.sample_index = 7
    result["preview_frozen_while_running"] = list(teapot.location) == before
    props.progress.running = False


def objects_mode(props: Any, result: Result, root: str) -> None:
    """Objects mode: a multi-object preset in the panel, rendered from it with masks, checked,
    pictured and previewed; without Pillow too."""
    bpy.ops.identbox.load_preset(name="objects_content_2")
    props.multi.masks = True
    props.n_pairs = 2
    props.render.resolution = 48
    props.multi.min_pixels = 5  # 48 px is small: the default 50 px cannot be placed (fails fast)
    props.render.samples = 2
    props.directory = root + "_objects"
    bpy.ops.identbox.render_dataset()
    objects_root = pathlib.Path(root + "_objects")
    result["objects_files"] = sorted(str(p.relative_to(objects_root))
                                     for p in objects_root.rglob("*.png"))
    result["validate_dataset"] = sorted(bpy.ops.identbox.validate_dataset())
    result["validate_message"] = props.progress.message
    bpy.ops.identbox.contact_sheet()
    bpy.ops.identbox.plot_latents()
    search_path = os.environ.get("PATH", "")
    os.environ["PATH"] = ""  # no xdg-open: Blender's path_open only printed a traceback
    result["open_without_opener"] = sorted(bpy.ops.identbox.open_output())
    os.environ["PATH"] = search_path
    result["looks"] = [(objects_root / n).exists() for n in ("contact_sheet.png", "latents.png")]
    # Objects mode previews too: the sample's objects where its latents put them.
    bpy.ops.identbox.preview_sample(index=1, view=2)
    result["objects_preview_scene"] = bpy.context.scene.name
    objects_settings: Any = job_settings_from_props(settings_of(bpy.context))
    row = objects_settings.sample().latents2[1]
    n = objects_settings.n_objects
    first = bpy.data.objects["IdentBox Object 0"]
    result["objects_preview_xy"] = [list(first.location[:2]), [row[3 + 3 * n], row[3 + 4 * n]]]
    # Without Pillow (as in Blender's own Python): validation decodes with Blender's image API,
    # the pictures say how to get Pillow.
    sys.modules["PIL"] = None  # type: ignore[assignment]
    result["validate_without_pillow"] = sorted(bpy.ops.identbox.validate_dataset())
    result["validate_without_pillow_message"] = props.progress.message
    result["sheet_without_pillow"] = error_of(bpy.ops.identbox.contact_sheet, "drawn")
    del sys.modules["PIL"]
    (objects_root / "samples" / "m1" / "000001.png").unlink()
    result["validate_after_delete"] = error_of(bpy.ops.identbox.validate_dataset, "passed")
    props.mode = "PAIRS"


def cube_mode(props: Any, result: Result, root: str) -> None:
    """Cube mode: settings from the panel, Render Cube (background: runs to completion),
    playback of a labels file, and its problems said."""
    props.mode = "CUBE"
    props.cube.step = 3.0
    props.cube.sizes = "16 24"
    result["cube_settings"] = cube_settings_from_props(props.cube) == CubeSettings(
        step=3.0, sizes=(16, 24))
    props.directory = root
    bpy.ops.identbox.render_cube()
    result["cube_images"] = sorted(len(list((pathlib.Path(root) / "images" / s).iterdir()))
                                   for s in ("16", "24"))
    # The pair pictures on a cube dataset: a message, not a KeyError.
    result["sheet_of_cube"] = error_of(bpy.ops.identbox.contact_sheet, "drawn")
    props.cube.label_file = root + "/labels.npy"
    props.cube.frame = 7
    mesh = bpy.data.meshes["IdentBox Cube"]
    seen = np.array([list(v.co) for v in mesh.vertices])
    expected = np.load(root + "/labels.npy")[7, :, :3]
    result["playback_matches"] = bool(np.allclose(seen, expected, atol=1e-3))
    props.cube.frame = 1000  # beyond the file: said in the panel
    redraw(props)
    result["frame_error"] = alert_text()
    props.cube.sizes = "16 x"
    try:
        cube_settings_from_props(props.cube)
        result["bad_sizes"] = None
    except Exception as error:
        result["bad_sizes"] = str(error)


def refusals_and_unregister(result: Result, root: str) -> None:
    """Operator arguments out of range are refused with the setting's name and write nothing;
    Back to Scene; unregister leaves no IdentBox scene or object, and register works again."""
    refused: dict[str, str] = {}
    for op, kwargs in (("sample_latents", {"n_pairs": -1}), ("render_dataset", {"resolution": 0}),
                       ("render_dataset", {"n_batches": 2, "batch_index": 5})):
        folder = root + f"_refused_{op}_{len(refused)}"
        try:
            getattr(bpy.ops.identbox, op)(directory=folder, preset="hues_positions_rotations",
                                          **kwargs)
            refused[f"{op} {kwargs}"] = "accepted"
        except RuntimeError as error:
            refused[f"{op} {kwargs}"] = (str(error) if not os.path.exists(folder)
                                         else "wrote files")
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


def main(args: list[str]) -> Result:
    """Every check in order (each step leaves the scene the next expects); args[0] is a path
    the datasets are written beside."""
    root = args[0]
    identbox.register()
    props = bpy.context.scene.identbox
    result: Result = {"defaults_equal": settings_from_props(props) == DatasetSettings(),
                      "presets": {}, "problems": problems}
    presets_in_every_mode(props, result)
    text_view(props, result)
    problems_in_the_panel(props, result, root)
    folders_holding_datasets(props, result, root)
    unplaceable_objects(props, result)
    shown = round_trips(props, result)
    previews(props, result, shown)
    props = settings_of(bpy.context)
    objects_mode(props, result, root)
    props = settings_of(bpy.context)
    cube_mode(props, result, root)
    refusals_and_unregister(result, root)
    identbox.unregister()
    return result
