"""Preview Sample: show one view of one sample (in Sequence mode one frame) in the IdentBox
scene, exactly as rendered; Step Frame: the sequence's previous or next frame."""

from typing import TYPE_CHECKING, Any

import bpy
from bpy.props import IntProperty

from ..errors import USER_ERRORS, SettingsError, describe
from ..scene.preview import show_any_sample, show_sequence_frame
from ..settings.kinds import SEQUENCE_MODE
from ..settings.panel import pair_settings_from_props, sequence_settings_from_props
from ..settings.views import N_VIEWS
from .job_properties import scene_props

if TYPE_CHECKING:
    from bpy.stub_internal.rna_enums import OperatorReturnItems


class IDENTBOX_OT_preview_sample(bpy.types.Operator):
    """Put a sample of the current settings into the IdentBox scene and look through its camera"""

    bl_idname = "identbox.preview_sample"
    bl_label = "Preview Sample"
    bl_options = {"REGISTER", "UNDO"}

    index: IntProperty(  # type: ignore[valid-type]
        name="Sample", min=-1, default=-1, description="Pair index (-1: the panel's slider)")
    view: IntProperty(  # type: ignore[valid-type]
        name="View", min=0, soft_max=N_VIEWS.maximum, default=0,
        description="1 to the number of views (0: the panel's choice)")

    def execute(self, context: bpy.types.Context) -> "set[OperatorReturnItems]":
        props = scene_props(context)
        if props.progress.running:  # rebuilding the scene would pull it from under the render
            self.report({"WARNING"}, "Preview waits until the render stops")
            return {"CANCELLED"}
        if props.mode == SEQUENCE_MODE:
            return self._show_frame(context, props)
        index = props.sample_index if self.index < 0 else self.index
        view = props.preview_view if self.view == 0 else self.view
        note = ""
        try:
            settings = pair_settings_from_props(props)
            if view > settings.n_views:  # a number above the views is refused, not clamped
                raise SettingsError("view", view, f"a view from 1 to {settings.n_views} (the "
                                    f"settings have {settings.n_views} views)")
            n_pairs = settings.n_pairs
            if index >= n_pairs and self.index >= 0:
                self.report({"ERROR"}, f"Sample {index} is beyond the {n_pairs} pairs "
                            f"(0 to {n_pairs - 1})")
                return {"CANCELLED"}
            if index >= n_pairs:  # the panel's Sample, left past a lowered Pairs: follow it
                note = f"Sample {index} is beyond the {n_pairs} pairs: "
                index = props.sample_index = n_pairs - 1
            show_any_sample(context, settings, index, view, props)
        except USER_ERRORS as error:
            self.report({"ERROR"}, describe(error))
            return {"CANCELLED"}
        self.report({"INFO"}, f"{note}Showing pair {index}, view {view}")
        return {"FINISHED"}

    def _show_frame(self, context: bpy.types.Context, props: Any) -> "set[OperatorReturnItems]":
        """Sequence mode: the frame `index` names (-1: the panel's Frame)."""
        frame = props.sequence.frame if self.index < 0 else self.index
        try:
            show_sequence_frame(context, sequence_settings_from_props(props), frame, props)
        except USER_ERRORS as error:
            self.report({"ERROR"}, describe(error))
            return {"CANCELLED"}
        self.report({"INFO"}, f"Showing frame {frame}")
        return {"FINISHED"}


class IDENTBOX_OT_step_frame(bpy.types.Operator):
    """Show the sequence's previous or next frame in the viewport"""

    bl_idname = "identbox.step_frame"
    bl_label = "Step Frame"
    bl_options = {"REGISTER", "UNDO"}

    step: IntProperty(name="Step", default=1,  # type: ignore[valid-type]
                      description="Frames to move: 1 the next, -1 the previous")

    @classmethod
    def description(cls, context: bpy.types.Context, properties: Any) -> str:
        """The tooltip: which way the button steps."""
        return "Show the previous frame" if properties.step < 0 else "Show the next frame"

    def execute(self, context: bpy.types.Context) -> "set[OperatorReturnItems]":
        props = scene_props(context)
        if props.progress.running:
            self.report({"WARNING"}, "Preview waits until the render stops")
            return {"CANCELLED"}
        try:
            settings = sequence_settings_from_props(props)
        except SettingsError as error:
            self.report({"ERROR"}, describe(error))
            return {"CANCELLED"}
        frame = max(0, min(props.sequence.frame + self.step, settings.frames - 1))
        props.sequence.frame = frame  # its update shows the frame
        self.report({"INFO"}, f"Frame {frame} of {settings.frames}")
        return {"FINISHED"}
