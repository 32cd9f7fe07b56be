"""Sample Latents: the same sampling and writing as `python -m identbox sample`, from Blender."""

from typing import TYPE_CHECKING

import bpy

from ..errors import USER_ERRORS, SettingsError, describe
from ..settings.kinds import kind_of
from ..settings.parts import as_sample
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
            kind = kind_of(settings)
            if kind.sample is None:  # its files come with its images
                raise SettingsError("mode", kind.label, "a mode whose factors are written "
                                    "before its images (Render writes this one's)")
            root = self.job_directory(context)
            said = as_sample(kind.sample)(settings, root)
        except USER_ERRORS as error:
            self.report({"ERROR"}, describe(error))
            return {"CANCELLED"}
        self.report({"INFO"}, f"{root}: " + "; ".join(said.splitlines()))
        return {"FINISHED"}
