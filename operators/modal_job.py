"""The modal side of a render job (pairs or cube frames), shared by Render Dataset and Render
Cube: items in timer ticks sized by what a redraw costs, the viewport showing them, progress
in the panel, the status bar and the cursor; Esc or Cancel stops after the current item. In
background mode or from scripts, execute() runs the whole job at once."""

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import bpy

from ..console import quiet_stdout
from ..errors import USER_ERRORS, SettingsError, describe
from ..render.estimates import estimate
from ..render.loop import ImageJob, Progress
from ..render.workers import WorkerGroup
from ..scene.preview import leave_identbox_scene, show_scene
from ..scene.thumbnail import show_last_item
from ..settings.panel import panel_settings, run_options_from_props
from .job_properties import scene_props

if TYPE_CHECKING:
    from bpy.stub_internal.rna_enums import OperatorReturnItems

TICK_SECONDS = 0.01
TICK_BUDGET = 0.2  # least seconds of rendering per timer event (a fast display's every tick)
REDRAW_SHARE = 0.15  # the window's redraws between ticks keep to about this share of a run
BUDGET_GROWTH = 5.0  # a tick at most this many times the last: the first items show soon
MAX_TICK_BUDGET = 4.0  # however slow the display, Esc and the panel answer within about this
VIEWPORT_SECONDS = 1.0  # the panel's thumbnail shows the latest item at most this often
FAILURES = (*USER_ERRORS, RuntimeError)


def show_progress(progress_props: Any, progress: Progress, message: str) -> None:
    """Copy a Progress into the panel's progress properties."""
    progress_props.done = progress.done
    progress_props.total = progress.total
    progress_props.fraction = 100.0 * progress.fraction
    progress_props.rate = progress.pairs_per_second
    eta = progress.eta_seconds
    progress_props.eta = "--:--" if eta is None else time.strftime("%H:%M:%S", time.gmtime(eta))
    progress_props.message = message


def tick_budget(budget: float, between: float) -> float:
    """Seconds of rendering for the next timer event, from the last one's and the seconds the
    window spent between the two (redrawing it: each item drawn changes the scene, which tags
    the 3D viewport, so every tick costs one redraw whatever the loop asks). The budget holds
    that redraw to REDRAW_SHARE of the run: on a fast display a redraw takes milliseconds and
    ticks stay TICK_BUDGET; on a software-GL one (Xvfb, a remote desktop, a login node), where
    it takes half a second or more, they grow (BUDGET_GROWTH times a tick, up to
    MAX_TICK_BUDGET), so the window's rate stays near the headless one, where ticks of
    TICK_BUDGET ran at 0.4 of it or less. They shrink again as soon as redraws get cheaper."""
    wanted = between * (1.0 - REDRAW_SHARE) / REDRAW_SHARE
    return max(TICK_BUDGET, min(wanted, BUDGET_GROWTH * budget, MAX_TICK_BUDGET))


def rough_seconds_per_item(props: Any) -> float:
    """The rough model's seconds per item at the panel's settings (0 when they are invalid):
    kept with the run's measured rate, so the next estimate can carry it to other settings."""
    try:
        job = estimate(panel_settings(props), run_options_from_props(props))
    except SettingsError:
        return 0.0
    return job.rough_seconds_per_item


def redraw_all(context: Any) -> None:
    """Ask every area of every window to redraw (panel, viewport, status bar)."""
    for window in context.window_manager.windows:
        for area in window.screen.areas:
            area.tag_redraw()


def redraw_panels(context: Any, viewport: bool) -> None:
    """Redraw the sidebars (the progress), and the 3D viewports only when asked (the items
    drawn tag them too: tick_budget sizes the ticks by what that costs)."""
    for window in context.window_manager.windows:
        for area in window.screen.areas:
            if area.type != "VIEW_3D":
                continue
            for region in area.regions:
                if region.type == "UI" or (viewport and region.type == "WINDOW"):
                    region.tag_redraw()


class ModalJob:
    """Mixin for an Operator: subclasses give `prepare` (job, renderer, scene to show),
    `run_blocking` (the whole job, headless) and `unit` (what one item is called)."""

    unit = "pairs"
    _timer: Any = None
    _job: Any = None
    _renderer: Any = None
    _progress: Any = None
    _viewport_shown = 0.0
    _budget = TICK_BUDGET
    _tick_end: float | None = None
    _last_item: int | None = None
    _helpers: WorkerGroup | None = None

    def prepare(self, context: Any) -> tuple[ImageJob, Any, Any]:
        """Build the renderer and the job (writing labels/latents first)."""
        raise NotImplementedError

    def helper_commands(self, context: Any) -> list[list[str]]:
        """Background worker processes to start beside the modal loop on the same shard (the
        Workers setting, less this process); none unless a subclass says so."""
        return []

    def run_blocking(self, context: Any) -> tuple[Progress, Path]:
        """Render every pending item now."""
        raise NotImplementedError

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        scene = context.scene
        return scene is not None and not scene_props(context).progress.running

    def execute(self, context: bpy.types.Context) -> "set[OperatorReturnItems]":
        try:
            progress, out = self.run_blocking(context)
        except FAILURES as error:
            self.report({"ERROR"}, describe(error))  # type: ignore[attr-defined]
            return {"CANCELLED"}
        self.report({"INFO"}, f"{progress.done}/{progress.total} {self.unit} complete in {out}")  # type: ignore[attr-defined]
        return {"FINISHED"}

    def invoke(self, context: bpy.types.Context,
               event: bpy.types.Event) -> "set[OperatorReturnItems]":
        if bpy.app.background:
            return self.execute(context)
        try:
            self._job, self._renderer, scene = self.prepare(context)
        except FAILURES as error:
            self.report({"ERROR"}, describe(error))  # type: ignore[attr-defined]
            return {"CANCELLED"}
        props = scene_props(context)
        try:
            commands = self.helper_commands(context)
            self._helpers = WorkerGroup(commands) if commands else None
        except FAILURES as error:
            self.report({"ERROR"}, describe(error))  # type: ignore[attr-defined]
            return {"CANCELLED"}
        show_scene(context, scene, props)  # items as they render
        self._progress = props.progress
        self._progress.rough_per_item = rough_seconds_per_item(props)
        self._progress.running = True
        self._progress.cancel_requested = False
        self._progress.output = str(self._job.root)
        self._progress.unit = self.unit
        show_progress(self._progress, self._job.progress(), "Rendering")
        wm = context.window_manager
        assert wm is not None
        self._timer = wm.event_timer_add(TICK_SECONDS, window=context.window)
        wm.modal_handler_add(self)  # type: ignore[arg-type]  # self is the Operator too
        wm.progress_begin(0, max(1, self._job.progress().total))
        self._budget, self._tick_end = TICK_BUDGET, None  # the first items show soon
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
        tick_start = time.perf_counter()
        if self._tick_end is not None:
            self._budget = tick_budget(self._budget, tick_start - self._tick_end)
        try:
            with quiet_stdout():  # no "Fra: ... Saved: '.000001.png.tmp'" lines per image
                while True:  # as many items as fit in the tick's budget
                    item = self._job.render_next(self._renderer)
                    if item is None:  # the helpers draw the rest: look again next tick
                        break
                    self._last_item = item
                    if (self._job.finished or self._progress.cancel_requested
                            or time.perf_counter() - tick_start > self._budget):
                        break
        except Exception as error:  # never leave the panel stuck in "running"
            self.report({"ERROR"}, describe(error))  # type: ignore[attr-defined]
            return self._finish(context, failed=describe(error))
        progress = self._job.progress()
        show_progress(self._progress, progress, "Rendering")
        assert context.window_manager is not None
        context.window_manager.progress_update(progress.done)
        if context.workspace is not None:
            context.workspace.status_text_set(
                f"IdentBox: {progress.line(self.unit)}  (Esc: stop)")
        now = time.perf_counter()
        last = self._last_item
        show_item = last is not None and (self._job.finished
                                          or now - self._viewport_shown >= VIEWPORT_SECONDS)
        if show_item and last is not None:
            self._viewport_shown = now
            show_last_item(self._job.paths(last)[0])
        if self._job.finished:  # done now, not after one more redraw of the window
            return self._finish(context)
        redraw_panels(context, viewport=show_item)
        self._tick_end = time.perf_counter()
        return {"RUNNING_MODAL"}

    def _finish(self, context: Any, failed: str | None = None) -> "set[OperatorReturnItems]":
        if self._helpers is not None:  # asked to stop: each drops the image it draws
            for line in self._helpers.newly_failed():
                print(f"IdentBox: {line}")
            self._helpers.stop()
            self._helpers = None
        wm = context.window_manager
        wm.event_timer_remove(self._timer)
        wm.progress_end()
        if context.workspace is not None:
            context.workspace.status_text_set(None)
        progress = self._job.progress()
        if failed:
            message = f"Failed: {failed}"
        elif self._job.finished:
            message = f"Done: {progress.done}/{progress.total} {self.unit} in {self._job.root}"
        else:
            message = (f"Stopped at {progress.done}/{progress.total} {self.unit}; "
                       "render again to resume")
        show_progress(self._progress, progress, message)
        if failed and context.window is not None:  # not the run's scene, grey in solid shading:
            leave_identbox_scene(context)  # the user's own, as they left it
        self._progress.running = False
        self._progress.cancel_requested = False
        redraw_all(context)
        self.report({"WARNING" if failed or not self._job.finished else "INFO"}, message)  # type: ignore[attr-defined]
        return {"CANCELLED"} if failed else {"FINISHED"}
