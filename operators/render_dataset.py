"""Render Dataset: modal from the panel (one pair per timer tick, the viewport showing it,
progress in the panel, the status bar and the cursor; Esc or Cancel stops after the current
pair), and run to completion in background mode or from scripts."""

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import bpy

from ..errors import DatasetError, SettingsError
from ..headless import render_in_process
from ..render_loop import Progress, RenderJob
from ..scene.preview import show_scene
from ..scene.renderer import BlenderPairRenderer
from .job_properties import RenderJobProperties, scene_props

if TYPE_CHECKING:
    from bpy.stub_internal.rna_enums import OperatorReturnItems

TICK_SECONDS = 0.01


def show_progress(progress_props: Any, progress: Progress, message: str) -> None:
    """Copy a Progress into the panel's progress properties."""
    progress_props.done = progress.done
    progress_props.total = progress.total
    progress_props.fraction = 100.0 * progress.fraction
    progress_props.rate = progress.pairs_per_second
    eta = progress.eta_seconds
    progress_props.eta = "--:--" if eta is None else time.strftime("%H:%M:%S", time.gmtime(eta))
    progress_props.message = message


def redraw_all(context: Any) -> None:
    """Ask every area of every window to redraw (panel, viewport, status bar)."""
    for window in context.window_manager.windows:
        for area in window.screen.areas:
            area.tag_redraw()


class IDENTBOX_OT_render_dataset(RenderJobProperties, bpy.types.Operator):
    """Sample the latents (once) and render the dataset's image pairs; re-running resumes"""

    bl_idname = "identbox.render_dataset"
    bl_label = "Render Dataset"
    bl_options = {"REGISTER"}

    _timer: Any = None
    _job: Any = None
    _renderer: Any = None
    _progress: Any = None

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        scene = context.scene
        return scene is not None and not scene.identbox.progress.running  # type: ignore[attr-defined]

    def execute(self, context: bpy.types.Context) -> "set[OperatorReturnItems]":
        try:
            settings = self.job_settings(context)
            options = self.run_options(context)
            out = self.job_directory(context)
            progress = render_in_process(settings, out, options, log=print)
        except (SettingsError, DatasetError, RuntimeError) as error:
            self.report({"ERROR"}, str(error))
            return {"CANCELLED"}
        self.report({"INFO"}, f"{progress.done}/{progress.total} pairs complete in {out}")
        return {"FINISHED"}

    def invoke(self, context: bpy.types.Context,
               event: bpy.types.Event) -> "set[OperatorReturnItems]":
        if bpy.app.background:
            return self.execute(context)
        try:
            settings = self.job_settings(context)
            options = self.run_options(context)
            out: Path = self.job_directory(context)
            self._renderer = BlenderPairRenderer(settings, options.device, log=print)
            self._job = RenderJob(settings, out, options)
        except (SettingsError, DatasetError, RuntimeError) as error:
            self.report({"ERROR"}, str(error))
            return {"CANCELLED"}
        scene = self._renderer.handles.scene
        show_scene(context, self._renderer.handles, scene_props(context))  # pairs as they render
        props = scene.identbox
        self._progress = props.progress
        self._progress.running = True
        self._progress.cancel_requested = False
        self._progress.output = str(out)
        show_progress(self._progress, self._job.progress(), "Rendering")
        wm = context.window_manager
        assert wm is not None
        self._timer = wm.event_timer_add(TICK_SECONDS, window=context.window)
        wm.modal_handler_add(self)
        wm.progress_begin(0, max(1, self._job.progress().total))
        return {"RUNNING_MODAL"}

    def modal(self, context: bpy.types.Context,
              event: bpy.types.Event) -> "set[OperatorReturnItems]":
        if event.type == "ESC":
            self._progress.cancel_requested = True
            return {"RUNNING_MODAL"}
        if event.type != "TIMER":
            return {"PASS_THROUGH"}
        if self._progress.cancel_requested or self._job.finished:
            return self._finish(context)
        try:
            self._job.render_next(self._renderer)
        except Exception as error:  # never leave the panel stuck in "running"
            self.report({"ERROR"}, str(error))
            return self._finish(context, failed=str(error))
        progress = self._job.progress()
        show_progress(self._progress, progress, "Rendering")
        assert context.window_manager is not None
        context.window_manager.progress_update(progress.done)
        if context.workspace is not None:
            context.workspace.status_text_set(f"IdentBox: {progress.line()}  (Esc: stop)")
        redraw_all(context)
        return {"RUNNING_MODAL"}

    def _finish(self, context: Any, failed: str | None = None) -> "set[OperatorReturnItems]":
        wm = context.window_manager
        wm.event_timer_remove(self._timer)
        wm.progress_end()
        if context.workspace is not None:
            context.workspace.status_text_set(None)
        progress = self._job.progress()
        if failed:
            message = f"Failed: {failed}"
        elif self._job.finished:
            message = f"Done: {progress.done}/{progress.total} pairs in {self._job.root}"
        else:
            message = (f"Stopped at {progress.done}/{progress.total} pairs; "
                       "Render Dataset again resumes")
        show_progress(self._progress, progress, message)
        self._progress.running = False
        self._progress.cancel_requested = False
        redraw_all(context)
        self.report({"WARNING" if failed or not self._job.finished else "INFO"}, message)
        return {"CANCELLED"} if failed else {"FINISHED"}


class IDENTBOX_OT_cancel_render(bpy.types.Operator):
    """Stop the running Render Dataset after the pair it is drawing (resumable)"""

    bl_idname = "identbox.cancel_render"
    bl_label = "Cancel"
    bl_options = {"REGISTER"}

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        scene = context.scene
        return scene is not None and scene.identbox.progress.running  # type: ignore[attr-defined]

    def execute(self, context: bpy.types.Context) -> "set[OperatorReturnItems]":
        scene_props(context).progress.cancel_requested = True
        return {"FINISHED"}
