"""Dataset presets in the panel: the bundled ones, and the user's own saved as JSON files in
Blender's user presets folder (scripts/presets/identbox), in the same format as the bundled."""

import dataclasses
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import bpy
from bpy.props import StringProperty

from ..dataset.files.manifest import read_manifest
from ..dataset.writing.writer import dataset_differences
from ..errors import DatasetError, SettingsError, describe
from ..presets import (
    PRESET_DIR,
    PUBLISHED,
    load_preset,
    load_render_preset,
    load_scene_preset,
    preset_descriptions,
    preset_names,
)
from ..scene.render_setup import denoisers_here
from ..settings.denoising import denoiser_offered
from ..settings.kinds import kind_of
from ..settings.panel import (
    job_settings_from_props,
    scene_and_render_to_props,
    show_in_props,
)
from ..settings.render import RENDER_SPECS, RenderSettings
from .job_properties import scene_props

if TYPE_CHECKING:
    from bpy.stub_internal.rna_enums import OperatorReturnItems

PRESET_SUBDIR = "presets/identbox"


def render_here(render: RenderSettings) -> tuple[RenderSettings, str]:
    """Render settings as this Blender can run them (a denoiser it lacks becomes None), with
    the note to report when something changed."""
    denoiser, note = denoiser_offered(render.denoiser, denoisers_here(),
                                      f"Blender {bpy.app.version_string}")
    return dataclasses.replace(render, denoiser=denoiser), note


def manifest_tooltip(path: Path, props: Any) -> str:
    """Load Its Settings' tooltip: whose settings, and every one that differs from the
    panel's (the panel's message only counts them)."""
    head = f"Load the settings of the dataset in {path.parent} into the panel"
    try:
        theirs = read_manifest(path).get("settings") or {}
        ours = job_settings_from_props(props).to_dict()
    except (SettingsError, DatasetError, OSError):
        return head
    differences = dataset_differences(ours, theirs)
    return head + ("; it differs in: " + "; ".join(differences) if differences else "")


def user_preset_dir(create: bool = False) -> Path:
    """Where the user's presets live (in Blender's user scripts folder)."""
    return Path(bpy.utils.user_resource("SCRIPTS", path=PRESET_SUBDIR, create=create))


def user_presets() -> dict[str, Path]:
    """The user's presets by name."""
    folder = user_preset_dir()
    return {p.stem: p for p in sorted(folder.glob("*.json"))} if folder.is_dir() else {}


class IDENTBOX_OT_load_preset(bpy.types.Operator):
    """Load a dataset preset into the panel's settings"""

    bl_idname = "identbox.load_preset"
    bl_label = "Load Preset"
    bl_options = {"REGISTER", "UNDO"}

    name: StringProperty(name="Preset", description="Bundled or user preset name")  # type: ignore[valid-type]

    @classmethod
    def description(cls, context: bpy.types.Context, properties: Any) -> str:
        """The tooltip in the preset menu: what the preset is."""
        if properties.name in user_presets():
            return f"Your preset {properties.name} ({user_presets()[properties.name]})"
        if properties.name.endswith(".json") and properties.name not in preset_names():
            return manifest_tooltip(Path(properties.name), scene_props(context))
        return preset_descriptions().get(properties.name, cls.__doc__ or "")

    def execute(self, context: bpy.types.Context) -> "set[OperatorReturnItems]":
        source = user_presets().get(self.name)
        try:
            settings = load_preset(str(source) if source else self.name)
        except SettingsError as error:
            self.report({"ERROR"}, str(error))
            return {"CANCELLED"}
        note = ""
        if kind_of(settings).render_settings:
            render, note = render_here(settings.render)
            settings = settings.replace(render=render)
        try:
            show_in_props(settings, scene_props(context))
        except SettingsError as error:
            self.report({"ERROR"}, str(error))
            return {"CANCELLED"}
        if note:
            self.report({"WARNING"}, note)
        return {"FINISHED"}


class IDENTBOX_OT_load_render_preset(bpy.types.Operator):
    """Load bundled render settings: fast, published, or published_fast (published quality)"""

    bl_idname = "identbox.load_render_preset"
    bl_label = "Load Render Preset"
    bl_options = {"REGISTER", "UNDO"}

    name: StringProperty(name="Render Preset", default="fast")  # type: ignore[valid-type]

    def execute(self, context: bpy.types.Context) -> "set[OperatorReturnItems]":
        try:
            render = load_render_preset(self.name)
        except SettingsError as error:
            self.report({"ERROR"}, str(error))
            return {"CANCELLED"}
        render, note = render_here(render)
        for spec in RENDER_SPECS:
            setattr(scene_props(context).render, spec.name, getattr(render, spec.name))
        if note:
            self.report({"WARNING"}, note)
        return {"FINISHED"}


class IDENTBOX_OT_use_published_look(bpy.types.Operator):
    """Draw as the published 3DIdentBox data: legacy hues, MyMetal and Rubber, 224 px, 512 spp"""

    bl_idname = "identbox.use_published_look"
    bl_label = "Published Look"
    bl_options = {"REGISTER", "UNDO"}

    def execute(self, context: bpy.types.Context) -> "set[OperatorReturnItems]":
        props = scene_props(context)
        scene = load_scene_preset(PUBLISHED)
        for number, view in enumerate(props.views, start=1):  # names and modalities stay
            view.material = scene.material(number)
        render, note = render_here(load_render_preset(PUBLISHED))
        scene_and_render_to_props(scene, render, props)
        if note:
            self.report({"WARNING"}, note)
        return {"FINISHED"}


class IDENTBOX_OT_add_preset(bpy.types.Operator):
    """Save the panel's settings as a user preset"""

    bl_idname = "identbox.add_preset"
    bl_label = "Add Preset"
    bl_options = {"REGISTER"}

    name: StringProperty(name="Name", description="Preset name")  # type: ignore[valid-type]

    def execute(self, context: bpy.types.Context) -> "set[OperatorReturnItems]":
        name = bpy.path.clean_name(self.name.strip())
        if not name.strip("_") or name in preset_names():
            self.report({"ERROR"}, f"preset name {self.name!r} is empty or a bundled preset's")
            return {"CANCELLED"}
        try:
            settings = job_settings_from_props(scene_props(context)).replace(name=name)
        except SettingsError as error:
            self.report({"ERROR"}, str(error))
            return {"CANCELLED"}
        try:
            path = user_preset_dir(create=True) / f"{name}.json"
            path.write_text(json.dumps(settings.to_dict(), indent=2) + "\n", encoding="utf-8")
        except OSError as error:
            self.report({"ERROR"}, describe(error))
            return {"CANCELLED"}
        scene_props(context).name = name
        self.report({"INFO"}, f"Saved preset {name} to {path}")
        return {"FINISHED"}

    def invoke(self, context: bpy.types.Context,
               event: bpy.types.Event) -> "set[OperatorReturnItems]":
        assert context.window_manager is not None
        return context.window_manager.invoke_props_dialog(self)


class IDENTBOX_OT_remove_preset(bpy.types.Operator):
    """Delete a user preset (bundled presets cannot be removed)"""

    bl_idname = "identbox.remove_preset"
    bl_label = "Remove Preset"
    bl_options = {"REGISTER"}

    name: StringProperty(name="Preset")  # type: ignore[valid-type]

    def invoke(self, context: bpy.types.Context,
               event: bpy.types.Event) -> "set[OperatorReturnItems]":
        assert context.window_manager is not None
        return context.window_manager.invoke_confirm(self, event)

    def execute(self, context: bpy.types.Context) -> "set[OperatorReturnItems]":
        path = user_presets().get(self.name)
        if path is None or path.parent == PRESET_DIR:
            self.report({"ERROR"}, f"{self.name!r} is not a user preset")
            return {"CANCELLED"}
        path.unlink()
        return {"FINISHED"}


class IDENTBOX_MT_presets(bpy.types.Menu):
    """Bundled presets, then the user's"""

    bl_label = "Dataset Presets"
    bl_idname = "IDENTBOX_MT_presets"

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        assert layout is not None
        for name in preset_names():
            layout.operator(IDENTBOX_OT_load_preset.bl_idname, text=name).name = name
        mine = user_presets()
        if mine:
            layout.separator()
            for name in mine:
                row = layout.row(align=True)
                row.operator(IDENTBOX_OT_load_preset.bl_idname, text=name).name = name
                row.operator(IDENTBOX_OT_remove_preset.bl_idname, text="",
                             icon="X").name = name
