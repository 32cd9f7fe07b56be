"""Pairs with an intervention and Sequence mode in the real Blender's panel: settings round
trips, problems said in their sub-panel, the preview stepping through frames, and Render
Dataset writing what the command line writes. tests/test_ui.py checks each named value."""

from __future__ import annotations

import importlib.util
import json
import pathlib
import sys
from typing import Any

import bpy
import numpy as np
from panel_recorder import Call, draw, labels

import identbox
from identbox import panels
from identbox.cli import main as cli
from identbox.panels.base import settings_problem
from identbox.presets import load_preset, preset_names
from identbox.settings.kinds import kind_of, settings_from_dict
from identbox.settings.panel import job_settings_from_props, show_in_props

Result = dict[str, Any]


def texts(drawn: list[Call]) -> list[str]:
    """The text of every label drawn, "" for a label without one."""
    return [t or "" for t in labels(drawn)]


def round_trip(settings: Any, props: Any) -> list[Any]:
    """The mode the settings put the panel in, and whether the panel gives them back."""
    show_in_props(settings, props)
    return [props.mode, job_settings_from_props(props) == settings]


def round_trips(props: Any, out: Result) -> Any:
    """Every bundled preset with an intervention or of the sequence kind, and settings
    written here, come back unchanged. Returns the pairs settings with an intervention."""
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
    out["pairs"] = [*round_trip(pairs, props), props.intervention.groups]
    fixed = pairs.replace(intervention=pairs.intervention.__class__(
        targets="fixed", groups=(("rot_alpha",),)))
    out["pairs_fixed"] = round_trip(fixed, props)
    out["pairs_off"] = round_trip(settings_from_dict({"name": "plain"}), props)
    sequence = settings_from_dict({
        "kind": "sequence", "name": "seq", "description": "d", "n_shapes": 7, "n_frames": 40,
        "n_episodes": 2, "n_independent": 4, "n_triplets": 3, "intervention_probability": 0.2,
        "instantaneous": True, "seed": 5,
        "object_types": ["teapot", "cube", "sphere", "meshes/bunny.obj", "cone", "monkey",
                         "cylinder"], "scene": {"hue_mapping": "legacy"},
        "render": {"resolution": 16, "samples": 1}})
    out["sequence"] = [*round_trip(sequence, props), props.sequence.shape_3,
                       props.sequence.file_3]
    single = settings_from_dict({"kind": "sequence", "single_target": True, "n_frames": 9})
    out["single"] = round_trip(single, props)
    return pairs


def sub_panels_and_problems(props: Any, out: Result, root: str, pairs: Any) -> None:
    """Every sub-panel in Sequence mode draws only what exists (the Objects-mode panels hide).
    A problem is one line naming the setting and what is allowed, in the Sequence sub-panel;
    an intervention's group with a wrong name, in its sub-panel."""
    out["shown"] = sorted(cls.__name__ for cls in panels.classes if cls.__name__.startswith(
        "IDENTBOX_PT") and (not hasattr(cls, "poll") or cls.poll(bpy.context)))
    out["sequence_fields"] = [c[1][1] for c in draw(panels.IDENTBOX_PT_sequence)
                              if c[0] == "prop"]
    props.directory = root + "/panel"
    props.sequence.n_frames, props.sequence.n_episodes = 5000000, 3
    problem = settings_problem(props)
    out["frames_problem"] = ([problem.where, problem.message,
                              " ".join(texts(draw(panels.IDENTBOX_PT_sequence)))]
                             if problem else None)
    show_in_props(pairs, props)
    props.intervention.groups = "pos_x, bogus; hue_object"
    problem = settings_problem(props)
    out["groups_problem"] = [problem.where, problem.message] if problem else None
    out["intervention_error_drawn"] = " ".join(texts(draw(panels.IDENTBOX_PT_intervention)))


def targets_said(lines: list[str]) -> list[str]:
    """The Targets text, whose words the panel wraps over several labels, as one line."""
    start = next((k for k, line in enumerate(lines) if line.startswith("Targets")), None)
    if start is None:
        return []
    said = [lines[start]]
    for line in lines[start + 1:]:
        if not line or line.startswith(("Preview", "Frame")) or not said[-1].endswith(","):
            break
        said.append(line)
    return [" ".join(said)]


def preview_stepping(props: Any, out: Result, root: str) -> Any:
    """Each frame's latents row on the object, and its targets said; the last frame stays.
    Returns the small sequence settings left in the panel."""
    tiny = settings_from_dict({"kind": "sequence", "name": "tiny", "n_frames": 3,
                               "n_independent": 1, "n_triplets": 1,
                               "intervention_probability": 0.6, "seed": 3,
                               "render": {"resolution": 16, "samples": 1}})
    show_in_props(tiny, props)
    props.directory = root + "/panel"
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
                     "targets": targets_said(texts(draw(panels.IDENTBOX_PT_preview)))})
    out["stepped"] = seen
    out["expected"] = [[float(row[columns.index(n)]) for n in ("pos_x", "pos_y", "pos_z",
                                                               "rot_alpha", "rot_beta")]
                       for row in trajectory]
    bpy.ops.identbox.step_frame(step=1)  # past the last frame: it stays there
    out["after_last"] = props.sequence.frame
    out["preview_ops"] = [[c[1][0], c[1][0] == "identbox.step_frame"]
                          for c in draw(panels.IDENTBOX_PT_preview) if c[0] == "operator"]
    return tiny


def render_and_pictures(props: Any, out: Result, root: str, tiny: Any) -> None:
    """Render Dataset from the panel, and the command line with the same settings; the
    picture buttons on a sequence: its contact sheet; its latents with matplotlib, and
    without it (Blender's own Python) drawn with numpy alone."""
    columns = list(tiny.causal_model().names)
    bpy.ops.identbox.render_dataset()
    panel_root = pathlib.Path(props.directory)
    preset = pathlib.Path(root) / "tiny.json"
    preset.write_text(json.dumps(tiny.to_dict()))
    out["cli_status"] = cli(["render", "--preset", str(preset), "--out", root + "/cli"])
    cli_root = pathlib.Path(root) / "cli"
    out["manifests_equal"] = (json.loads((panel_root / "manifest.json").read_text())
                              == json.loads((cli_root / "manifest.json").read_text()))
    out["images"] = sorted(str(p.relative_to(panel_root)) for p in panel_root.rglob("*.png"))
    targets = np.load(panel_root / "factors" / "interventions.npy")
    out["written_targets"] = [[columns[k] for k in np.flatnonzero(row)] for row in targets]
    out["estimate"] = [t for t in texts(draw(panels.IDENTBOX_PT_progress)) if "images" in t]
    out["sequence_sheet"] = sorted(bpy.ops.identbox.contact_sheet())
    if importlib.util.find_spec("matplotlib") is not None:  # the every_blender venvs have none
        out["sequence_plot"] = sorted(bpy.ops.identbox.plot_latents())
        (panel_root / "latents.png").unlink()
    else:
        out["sequence_plot"] = "no matplotlib here"
    sys.modules["matplotlib"] = None  # type: ignore[assignment]
    try:
        bpy.ops.identbox.plot_latents()
        out["plot_without_matplotlib"] = "drawn"
    except RuntimeError as error:
        out["plot_without_matplotlib"] = str(error)
    out["plot_left"] = (panel_root / "latents.png").exists()


def main(args: list[str]) -> Result:
    """Every check in order (each step leaves the panel the next expects); args[0] is the
    folder the datasets are written under."""
    identbox.register()
    props = bpy.context.scene.identbox
    out: Result = {}
    pairs = round_trips(props, out)
    sub_panels_and_problems(props, out, args[0], pairs)
    tiny = preview_stepping(props, out, args[0])
    render_and_pictures(props, out, args[0], tiny)
    identbox.unregister()
    return out
