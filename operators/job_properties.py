"""Operator properties that describe a dataset job, shared by Sample Latents and Render Dataset.

Ranges, defaults and texts come from the settings' own limits; `job_settings` turns the
properties into the one plain DatasetSettings.
"""

import dataclasses
from pathlib import Path
from typing import Any

import bpy
from bpy.props import BoolProperty, EnumProperty

from ..errors import SettingsError
from ..presets import (
    DEFAULT_PRESET,
    DEFAULT_RENDER_PRESET,
    load_preset,
    load_render_preset,
    pair_preset_names,
    preset_descriptions,
    render_preset_label,
    render_preset_names,
    render_preset_summary,
    render_presets_text,
    with_published_look,
)
from ..properties import settings_of
from ..properties.make import argument_property, choice_property, path_property
from ..scene.blend_shapes import read_blend_object
from ..settings.contract import PairKindSettings
from ..settings.pairs import N_PAIRS, SEED
from ..settings.panel import job_settings_from_props
from ..settings.render import (
    BATCH_INDEX,
    DEVICE,
    N_BATCHES,
    RESOLUTION,
    SAMPLES,
    WORKERS,
    RunOptions,
)
from ..settings.sequence import SequenceSettings
from ..settings.shape_files import with_shape_files


def _preset_items() -> list[tuple[str, str, str]]:
    descriptions = preset_descriptions()
    return [(name, name, descriptions[name]) for name in pair_preset_names()]


def resolve_output_folder(path: str) -> Path:
    """An absolute folder from a Blender path ('//' means next to the saved .blend file)."""
    if not path.strip():
        raise SettingsError("directory", path, "an output folder")
    if path.startswith("//") and not bpy.data.filepath:
        raise SettingsError("directory", path, "an absolute folder, or save the .blend file "
                            "first ('//' is relative to it)")
    return Path(bpy.path.abspath(path))


class DatasetJobProperties:
    """Mixin: preset (or settings file), pairs, seed and output folder. What the caller does
    not set comes from the scene's IdentBox settings (what the panel shows)."""

    preset: EnumProperty(  # type: ignore[valid-type]
        name="Preset", description="Dataset preset (default: the panel's settings)",
        items=_preset_items(), default=DEFAULT_PRESET)
    settings_file: path_property(  # type: ignore[valid-type]
        "FILE_PATH", name="Settings File",
        description="A settings JSON or manifest.json; when set, used instead of the preset")
    n_pairs: argument_property(N_PAIRS)  # type: ignore[valid-type]
    seed: argument_property(SEED)  # type: ignore[valid-type]
    directory: path_property(  # type: ignore[valid-type]
        "DIR_PATH", name="Output Folder", default="//identbox_dataset",
        description="Dataset folder: factors/, samples/ and manifest.json go here")

    def given(self, name: str) -> bool:
        """Whether the caller set this property (else the scene's settings decide)."""
        return bool(self.properties.is_property_set(name))  # type: ignore[attr-defined]

    def job_settings(self, context: bpy.types.Context) -> PairKindSettings | SequenceSettings:
        """The dataset: a preset or settings file if given, else the panel's settings; then
        the pairs and seed if given."""
        settings: PairKindSettings | SequenceSettings
        if self.given("settings_file") and self.settings_file:
            settings = load_preset(bpy.path.abspath(self.settings_file))
        elif self.given("preset"):
            settings = load_preset(self.preset)
        else:
            settings = job_settings_from_props(scene_props(context))
        changes = {name: getattr(self, name) for name in ("n_pairs", "seed") if self.given(name)}
        settings = settings.replace(**changes) if changes else settings
        return with_shape_files(settings, read_blend_object)  # bad mesh files: before writing

    def job_directory(self, context: bpy.types.Context) -> Path:
        """The output folder, absolute."""
        given = self.directory if self.given("directory") else scene_props(context).directory
        return resolve_output_folder(given)


class RenderJobProperties(DatasetJobProperties):
    """Mixin: the dataset job, its render settings and this run's device and shard."""

    published: BoolProperty(  # type: ignore[valid-type]
        name="Published Look", default=False,
        description="Draw as the published 3DIdentBox data: legacy hue colours, MyMetal and "
                    "Rubber, and the published render settings")
    render_preset: EnumProperty(  # type: ignore[valid-type]
        name="Render Preset", default=DEFAULT_RENDER_PRESET,
        items=[(n, render_preset_label(n), render_preset_summary(n))
               for n in render_preset_names()],
        description=render_presets_text())
    resolution: argument_property(RESOLUTION)  # type: ignore[valid-type]
    samples: argument_property(SAMPLES)  # type: ignore[valid-type]
    device: choice_property(DEVICE)  # type: ignore[valid-type]
    batch_index: argument_property(BATCH_INDEX)  # type: ignore[valid-type]
    n_batches: argument_property(N_BATCHES)  # type: ignore[valid-type]
    workers: argument_property(WORKERS)  # type: ignore[valid-type]

    def job_settings(self, context: bpy.types.Context) -> PairKindSettings | SequenceSettings:
        """The dataset, with the published look, the render preset and single render settings
        if given."""
        settings = super().job_settings(context)
        if self.published:
            settings = with_published_look(settings)
        render = (load_render_preset(self.render_preset) if self.given("render_preset")
                  else settings.render)
        overrides = {n: getattr(self, n) for n in ("resolution", "samples") if self.given(n)}
        render = dataclasses.replace(render, **overrides)
        return settings.replace(render=render)

    def run_options(self, context: bpy.types.Context) -> RunOptions:
        """Device, shard and workers: given, else the panel's."""
        props = scene_props(context)
        value = {n: getattr(self if self.given(n) else props, n)
                 for n in ("device", "batch_index", "n_batches", "workers")}
        return RunOptions(**value)


def scene_props(context: bpy.types.Context) -> Any:
    """The IdentBox settings the context's scene shows (its own, or its home scene's)."""
    return settings_of(context)
