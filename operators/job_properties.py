"""Operator properties that describe a dataset job, shared by Sample Latents and Render Dataset.

Ranges, defaults and texts come from the settings' own limits; `job_settings` turns the
properties into the one plain DatasetSettings.
"""

import dataclasses
from pathlib import Path

import bpy
from bpy.props import EnumProperty, StringProperty

from ..errors import SettingsError
from ..presets import (
    DEFAULT_PRESET,
    DEFAULT_RENDER_PRESET,
    load_preset,
    load_render_preset,
    preset_descriptions,
    render_preset_names,
)
from ..render_settings import RESOLUTION, SAMPLES
from ..settings import N_PAIRS, SEED, DatasetSettings
from .props import limit_property


def _preset_items() -> list[tuple[str, str, str]]:
    return [(name, name, text) for name, text in preset_descriptions().items()]


def resolve_output_folder(path: str) -> Path:
    """An absolute folder from a Blender path ('//' means next to the saved .blend file)."""
    if not path.strip():
        raise SettingsError("directory", path, "an output folder")
    if path.startswith("//") and not bpy.data.filepath:
        raise SettingsError("directory", path, "an absolute folder, or save the .blend file "
                            "first ('//' is relative to it)")
    return Path(bpy.path.abspath(path))


class DatasetJobProperties:
    """Mixin: preset (or settings file), pairs, seed and output folder."""

    preset: EnumProperty(  # type: ignore[valid-type]
        name="Preset", description="Dataset preset", items=_preset_items(),
        default=DEFAULT_PRESET)
    settings_file: StringProperty(  # type: ignore[valid-type]
        name="Settings File", subtype="FILE_PATH",
        description="A settings JSON or manifest.json; when set, used instead of the preset")
    n_pairs: limit_property(N_PAIRS)  # type: ignore[valid-type]
    seed: limit_property(SEED)  # type: ignore[valid-type]
    directory: StringProperty(  # type: ignore[valid-type]
        name="Output Folder", subtype="DIR_PATH", default="//identbox_dataset",
        description="Dataset folder: factors/, samples/ and manifest.json go here")

    def job_settings(self) -> DatasetSettings:
        """The dataset settings these properties describe."""
        source = bpy.path.abspath(self.settings_file) if self.settings_file else self.preset
        return load_preset(source).replace(n_pairs=self.n_pairs, seed=self.seed)


class RenderJobProperties(DatasetJobProperties):
    """Mixin: the dataset job plus render preset and overrides (0: the preset's value)."""

    render_preset: EnumProperty(  # type: ignore[valid-type]
        name="Render Preset", default=DEFAULT_RENDER_PRESET,
        items=[(n, n.title(), f"The {n} render settings") for n in render_preset_names()],
        description="fast: 128 px, 32 samples; published: 224 px, 512 samples, denoised")
    resolution: limit_property(RESOLUTION, default=0, min=0,  # type: ignore[valid-type]
                               description=RESOLUTION.description + " (0: the render preset's)")
    samples: limit_property(SAMPLES, default=0, min=0,  # type: ignore[valid-type]
                            description=SAMPLES.description + " (0: the render preset's)")

    def job_settings(self) -> DatasetSettings:
        """Dataset settings with the render preset and any overrides applied."""
        render = load_render_preset(self.render_preset)
        overrides = {name: value for name, value in (("resolution", self.resolution),
                                                     ("samples", self.samples)) if value}
        render = dataclasses.replace(render, **overrides)
        return super().job_settings().replace(render=render)
