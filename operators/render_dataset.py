"""Render Dataset: the shared render loop, run to completion (background mode, scripts)."""

from typing import TYPE_CHECKING

import bpy

from ..errors import DatasetError, SettingsError
from ..headless import render_in_process
from ..render_settings import BATCH_INDEX, DEVICE, N_BATCHES, RunOptions
from .job_properties import RenderJobProperties, resolve_output_folder
from .props import choice_property, limit_property

if TYPE_CHECKING:
    from bpy.stub_internal.rna_enums import OperatorReturnItems


class IDENTBOX_OT_render_dataset(RenderJobProperties, bpy.types.Operator):
    """Sample the latents (once) and render the dataset's image pairs; re-running resumes"""

    bl_idname = "identbox.render_dataset"
    bl_label = "Render Dataset"
    bl_options = {"REGISTER"}

    device: choice_property(DEVICE)  # type: ignore[valid-type]
    batch_index: limit_property(BATCH_INDEX)  # type: ignore[valid-type]
    n_batches: limit_property(N_BATCHES)  # type: ignore[valid-type]

    def execute(self, context: bpy.types.Context) -> "set[OperatorReturnItems]":
        try:
            settings = self.job_settings()
            options = RunOptions(self.device, self.batch_index, self.n_batches)
            out = resolve_output_folder(self.directory)
            progress = render_in_process(settings, out, options, log=print)
        except (SettingsError, DatasetError, RuntimeError) as error:
            self.report({"ERROR"}, str(error))
            return {"CANCELLED"}
        self.report({"INFO"}, f"{progress.done}/{progress.total} pairs complete in {out}")
        return {"FINISHED"}
