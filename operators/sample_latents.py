"""Sample Latents: the same sampling and writing as `python -m identbox sample`, from Blender."""

from pathlib import Path
from typing import TYPE_CHECKING

import bpy
from bpy.props import EnumProperty, StringProperty

from ..dataset.writer import write_latents
from ..errors import DatasetError, SettingsError
from ..presets import DEFAULT_PRESET, load_preset, preset_descriptions
from ..settings import N_PAIRS, SEED
from .props import limit_property

if TYPE_CHECKING:
    from bpy.stub_internal.rna_enums import OperatorReturnItems


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


class IDENTBOX_OT_sample_latents(bpy.types.Operator):
    """Sample the latents of a dataset once and write them with its manifest"""

    bl_idname = "identbox.sample_latents"
    bl_label = "Sample Latents"
    bl_options = {"REGISTER"}

    preset: EnumProperty(  # type: ignore[valid-type]
        name="Preset", description="Dataset preset to sample", items=_preset_items(),
        default=DEFAULT_PRESET)
    settings_file: StringProperty(  # type: ignore[valid-type]
        name="Settings File", subtype="FILE_PATH",
        description="A settings JSON or manifest.json; when set, used instead of the preset")
    n_pairs: limit_property(N_PAIRS)  # type: ignore[valid-type]
    seed: limit_property(SEED)  # type: ignore[valid-type]
    directory: StringProperty(  # type: ignore[valid-type]
        name="Output Folder", subtype="DIR_PATH", default="//identbox_dataset",
        description="Dataset folder: factors/, samples/ and manifest.json go here")

    def execute(self, context: bpy.types.Context) -> "set[OperatorReturnItems]":
        try:
            source = bpy.path.abspath(self.settings_file) if self.settings_file else self.preset
            settings = load_preset(source).replace(n_pairs=self.n_pairs, seed=self.seed)
            result = write_latents(settings, resolve_output_folder(self.directory))
        except (SettingsError, DatasetError) as error:
            self.report({"ERROR"}, str(error))
            return {"CANCELLED"}
        verb = "Kept" if result.status == "unchanged" else "Wrote"
        self.report({"INFO"}, f"{verb} latents of {settings.n_pairs} pairs in {result.root}")
        return {"FINISHED"}

    def invoke(self, context: bpy.types.Context,
               event: bpy.types.Event) -> "set[OperatorReturnItems]":
        assert context.window_manager is not None
        return context.window_manager.invoke_props_dialog(self)
