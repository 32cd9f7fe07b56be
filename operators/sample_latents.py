"""Sample Latents: the same sampling and writing as `python -m identbox sample`, from Blender."""

from typing import TYPE_CHECKING

import bpy

from ..dataset.temporaries import removal_line
from ..dataset.writer import write_latents
from ..errors import USER_ERRORS, SettingsError, describe
from ..settings.kinds import kind_of
from ..settings.sequence import SequenceSettings
from .job_properties import DatasetJobProperties

if TYPE_CHECKING:
    from bpy.stub_internal.rna_enums import OperatorReturnItems


class IDENTBOX_OT_sample_latents(DatasetJobProperties, bpy.types.Operator):
    """Sample the latents of the dataset once and write them with its manifest"""

    bl_idname = "identbox.sample_latents"
    bl_label = "Sample Latents"
    bl_options = {"REGISTER"}

    def execute(self, context: bpy.types.Context) -> "set[OperatorReturnItems]":
        try:
            settings = self.job_settings(context)
            if isinstance(settings, SequenceSettings):  # its latents come with its frames
                raise SettingsError("mode", kind_of(settings).label, "a mode of pairs (Render "
                                    "Dataset writes a sequence's latents with its frames)")
            result = write_latents(settings, self.job_directory(context))
        except USER_ERRORS as error:
            self.report({"ERROR"}, describe(error))
            return {"CANCELLED"}
        verb = "Kept" if result.status == "unchanged" else "Wrote"
        removal = removal_line(result.removed, result.root)
        self.report({"INFO"}, f"{verb} latents of {settings.n_pairs} pairs in {result.root}"
                    + (f"; {removal}" if removal else ""))
        return {"FINISHED"}
