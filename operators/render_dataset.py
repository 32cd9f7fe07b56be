"""Render Dataset: the render loop of the panel's kind (pairs, or a sequence's frames), modal
from the panel, synchronous from scripts."""

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import bpy

from ..dataset.files.layout import MANIFEST
from ..dataset.writing.writer import check_output_folder
from ..render.headless import identbox_command, make_renderer, render_in_process
from ..render.loop import ImageJob, Progress
from ..render.workers import WORKER_OF
from ..settings.kinds import kind_of
from ..settings.parts import as_job
from ..settings.render import auto_workers
from .job_properties import RenderJobProperties, scene_props
from .modal_job import ModalJob

if TYPE_CHECKING:
    from bpy.stub_internal.rna_enums import OperatorReturnItems


class IDENTBOX_OT_render_dataset(ModalJob, RenderJobProperties, bpy.types.Operator):
    """Sample the latents (once) and render the dataset's images; re-running resumes"""

    bl_idname = "identbox.render_dataset"
    bl_label = "Render Dataset"
    bl_options = {"REGISTER"}
    unit = "pairs"

    def prepare(self, context: Any) -> tuple[ImageJob, Any, Any]:
        settings = self.job_settings(context)
        options = self.run_options(context)
        kind = kind_of(settings)
        self.unit = kind.unit  # pairs, or a sequence's frames
        out = self.job_directory(context)
        check_output_folder(out)  # before the device is chosen and said
        renderer = make_renderer(settings, options.device, print)
        job: ImageJob = as_job(kind.job)(settings, out, options)
        for note in job.notes:
            print(f"IdentBox: {note}")
        scene = renderer.scene
        return job, renderer, scene

    def helper_commands(self, context: Any) -> list[list[str]]:
        """Workers - 1 background Blenders rendering this shard beside the window's loop
        (auto: by the device the window's renderer chose). Each is `render --preset
        manifest.json`, as a SLURM task is; Cancel, Esc or the end stops them."""
        options = self.run_options(context)
        workers = options.workers or auto_workers(self._renderer.device.kind == "GPU")
        root = self._job.root
        argv = ["render", "--preset", str(root / MANIFEST), "--out", str(root),
                "--batch-index", str(options.batch_index), "--n-batches", str(options.n_batches),
                "--device", options.device, "--workers", "1", WORKER_OF, str(os.getpid())]
        # Inside Blender its own binary; with the bpy module (binary_path empty) this Python.
        return [identbox_command(bpy.app.binary_path or None, argv)] * (workers - 1)

    def run_blocking(self, context: Any) -> tuple[Progress, Path]:
        """The whole job in this process (scripts, background mode): Workers is for the
        window's Render Dataset and the command line."""
        out = self.job_directory(context)
        settings = self.job_settings(context)
        self.unit = kind_of(settings).unit
        return render_in_process(settings, out, self.run_options(context), log=print), out


class IDENTBOX_OT_cancel_render(bpy.types.Operator):
    """Stop the running render after the item it is drawing (resumable)"""

    bl_idname = "identbox.cancel_render"
    bl_label = "Cancel"
    bl_options = {"REGISTER"}

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        return context.scene is not None and bool(scene_props(context).progress.running)

    def execute(self, context: bpy.types.Context) -> "set[OperatorReturnItems]":
        scene_props(context).progress.cancel_requested = True
        return {"FINISHED"}
