"""Sample Latents: the same sampling and writing as `python -m identbox sample`, from Blender."""

from typing import TYPE_CHECKING

import bpy

from ..dataset.writer import write_latents
from ..errors import DatasetError, SettingsError
from .job_properties import DatasetJobProperties, resolve_output_folder

if TYPE_CHECKING:
    from bpy.stub_internal.rna_enums import OperatorReturnItems


class IDENTBOX_OT_sample_latents(DatasetJobProperties, bpy.types.Operator):
    """Sample the latents of a dataset once and write them with its manifest"""

    bl_idname = "identbox.sample_latents"
    bl_label = "Sample Latents"
    bl_options = {"REGISTER"}

    def execute(self, context: bpy.types.Context) -> "set[OperatorReturnItems]":
        try:
            settings = self.job_settings()
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
