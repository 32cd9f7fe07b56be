"""Render Cube and Play Cube Labels: the cube pose mode from the panel."""

from pathlib import Path
from typing import TYPE_CHECKING, Any

import bpy
from bpy.props import IntProperty

from ..errors import USER_ERRORS, describe
from ..render.cube_loop import CubeJob
from ..render.headless import render_in_process
from ..render.loop import Progress
from ..scene.cube import CubeRenderer
from ..scene.cube_playback import play_frame
from ..settings.panel import cube_settings_from_props, run_options_from_props
from .job_properties import resolve_output_folder, scene_props
from .modal_job import ModalJob

if TYPE_CHECKING:
    from bpy.stub_internal.rna_enums import OperatorReturnItems


class IDENTBOX_OT_render_cube(ModalJob, bpy.types.Operator):
    """Render the cube for the panel's rotations at every size, with cLPR labels; resumable"""

    bl_idname = "identbox.render_cube"
    bl_label = "Render Cube"
    bl_options = {"REGISTER"}
    unit = "frames"

    def _job_parts(self, context: Any) -> tuple[Any, Any, Path]:
        props = scene_props(context)
        return (cube_settings_from_props(props.cube), run_options_from_props(props),
                resolve_output_folder(props.directory))

    def prepare(self, context: Any) -> tuple[CubeJob, Any, Any]:
        settings, options, out = self._job_parts(context)
        renderer = CubeRenderer(settings, options.device, log=print)
        return CubeJob(settings, out, options), renderer, renderer.scene

    def run_blocking(self, context: Any) -> tuple[Progress, Path]:
        settings, options, out = self._job_parts(context)
        return render_in_process(settings, out, options, log=print), out


class IDENTBOX_OT_play_cube_labels(bpy.types.Operator):
    """Show one row of a cube label file on the cube, in the viewport"""

    bl_idname = "identbox.play_cube_labels"
    bl_label = "Play Cube Labels"
    bl_options = {"REGISTER", "UNDO"}

    frame: IntProperty(name="Frame", min=-1, default=-1,  # type: ignore[valid-type]
                       description="Label row (-1: the panel's Frame)")

    def execute(self, context: bpy.types.Context) -> "set[OperatorReturnItems]":
        props = scene_props(context)
        frame = props.cube.frame if self.frame < 0 else self.frame
        try:
            frames = play_frame(context, props.cube.label_file, frame, props)
        except (*USER_ERRORS, ValueError) as error:  # ValueError: not a .npy file
            self.report({"ERROR"}, describe(error))
            return {"CANCELLED"}
        self.report({"INFO"}, f"Frame {frame} of {frames}")
        return {"FINISHED"}
