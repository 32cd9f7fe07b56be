"""A text view in the real Blender's panel: its words and templates edited in the Views
sub-panel, its problems said there, the previewed sentence in the Preview sub-panel, and the
sentences Render Dataset writes. tests/test_ui.py checks each named value main() returns."""

from __future__ import annotations

import json
import os
import pathlib
from typing import Any

import bpy
from panel_recorder import Layout, calls, draw, labels

import identbox
from identbox import panels
from identbox.dataset.writing.writer import text_of
from identbox.operators.presets import user_preset_dir
from identbox.panels.base import settings_problem
from identbox.presets import load_preset
from identbox.sampling.text import MULTIMODAL_TEMPLATES
from identbox.settings.objects import sample_pairs
from identbox.settings.panel import job_settings_from_props

Result = dict[str, Any]
# draw_item's `self`: the list draws nothing from it.
NO_LIST: Any = None


def a_preset_with_text(props: Any, out: Result, root: str, folder: pathlib.Path) -> None:
    """A preset with a text view: its words (in their own order) and templates fill the
    panel, and come back unchanged."""
    text = {"modality": "text",
            "text": {"describe": ["position", "ground_colour", "shape"],
                     "templates": ["{SHAPE} at the {YPOS}-{XPOS}, on {GROUND}.",
                                   "On {GROUND}: a {SHAPE}, {YPOS}-{XPOS}."]}}
    preset = {"name": "with_text", "n_pairs": 12, "seed": 4,
              "views": [{}, {"name": "words", **text}]}
    (folder / "with_text.json").write_text(json.dumps(preset))
    bpy.ops.identbox.load_preset(name="with_text")
    props.directory = os.path.join(root, "text")  # a folder that can take the run
    expected: Any = load_preset(str(folder / "with_text.json"))
    view = props.views[1]
    out["loaded"] = [view.modality,
                     [w for w in ("shape", "colour", "position", "ground_colour", "spot_colour")
                      if getattr(view, "describe_" + w)],
                     [t.text for t in view.templates]]
    out["round_trip"] = job_settings_from_props(props) == expected
    bpy.ops.identbox.add_preset(name="mine")  # written from the panel, loaded again: equal
    bpy.ops.identbox.load_preset(name="mine")
    out["mine"] = job_settings_from_props(props) == expected.replace(name="mine")
    out["list_row"] = []
    for index, item in enumerate(props.views):
        calls.clear()
        panels.IDENTBOX_UL_views.draw_item(NO_LIST, None, Layout(), props, item, 0, props,
                                           "active_view", index, 0)
        out["list_row"].append(labels(calls)[-1])


def the_views_sub_panel(props: Any, out: Result) -> None:
    """Checkboxes and the templates list for a text view, material otherwise."""
    props.active_view = 1
    drawn = draw(panels.IDENTBOX_PT_views)
    out["text_fields"] = [c[1][1] for c in drawn if c[0] == "prop"]
    out["templates_list"] = [[c[1][0], c[1][3], c[1][5]] for c in drawn
                             if c[0] == "template_list"]
    out["template_ops"] = [c[1][0] for c in drawn
                           if c[0] == "operator" and "template" in c[1][0]]
    props.active_view = 0
    out["image_fields"] = [c[1][1] for c in draw(panels.IDENTBOX_PT_views) if c[0] == "prop"]
    props.active_view = 1


def edits(props: Any, out: Result) -> None:
    """A word unchecked leaves templates with a placeholder too many: said in Views; words
    and templates edited, added and removed (never the last)."""
    view = props.views[1]
    view.describe_ground_colour = False
    problem = settings_problem(props)
    out["error"] = [problem.where, problem.message] if problem else None
    out["error_drawn"] = " ".join(t or "" for t in labels(draw(panels.IDENTBOX_PT_views)))
    for template in view.templates:
        template.text = template.text.replace(", on {GROUND}", "").replace("On {GROUND}: ", "")
    out["fixed"] = settings_problem(props) is None
    view.describe_spot_colour = True  # checked now: after the preset's words
    view.templates[0].text = "A {SHAPE} at the {YPOS}-{XPOS} under a {SPOT} light."
    view.templates[1].text = "Under {SPOT} light, {YPOS}-{XPOS}: a {SHAPE}."
    settings: Any = job_settings_from_props(props)
    out["edited"] = [list(settings.views[1].text.describe),
                     list(settings.views[1].text.templates)]
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


def preview_and_render(props: Any, out: Result) -> None:
    """A view made a text view gets Multimodal3DIdent's words and templates; the Preview
    sub-panel shows the previewed sample's sentence; Render Dataset writes the sentences."""
    bpy.ops.identbox.view_add()
    props.views[2].modality = "text"
    settings: Any = job_settings_from_props(props)
    third = settings.views[2]
    out["new_text_view"] = [list(third.text.describe), list(third.text.templates)
                            == list(MULTIMODAL_TEMPLATES)]
    props.sample_index = 7
    props.preview_view = 3
    settings = job_settings_from_props(props)
    sentence = text_of(settings, sample_pairs(settings).latents(3), 3).lines[7]
    out["preview_label"] = [" ".join(t or "" for t in labels(draw(panels.IDENTBOX_PT_preview))),
                            sentence]
    out["preview_scene"] = bpy.context.scene.name
    props.preview_view = 1
    out["preview_image_labels"] = labels(draw(panels.IDENTBOX_PT_preview))
    props.n_pairs, props.render.resolution, props.render.samples = 3, 16, 1
    bpy.ops.identbox.render_dataset()
    root = pathlib.Path(props.directory)
    out["files"] = sorted(str(p.relative_to(root / "samples"))
                          for p in (root / "samples").rglob("*"))
    out["sentences"] = (root / "samples/m2/sentences.txt").read_text().splitlines()


def objects_said(props: Any, out: Result, folder: pathlib.Path) -> None:
    """Objects mode: which objects a text view says, and their order, to and from a preset."""
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


def main(args: list[str]) -> Result:
    """Every check in order (each step leaves the panel the next expects); args[0] is the
    folder the dataset is written under."""
    identbox.register()
    props = bpy.context.scene.identbox
    out: Result = {}
    folder = user_preset_dir(create=True)
    a_preset_with_text(props, out, args[0], folder)
    the_views_sub_panel(props, out)
    edits(props, out)
    preview_and_render(props, out)
    objects_said(props, out, folder)
    identbox.unregister()
    return out
