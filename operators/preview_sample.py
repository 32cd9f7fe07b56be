"""Preview Sample: show one view of one sample in the IdentBox scene, exactly as rendered."""

from typing import TYPE_CHECKING

import bpy
from bpy.props import IntProperty

from ..errors import USER_ERRORS, SettingsError, describe
from ..scene.preview import show_any_sample
from ..settings.panel import job_settings_from_props
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
        index = props.sample_index if self.index < 0 else self.index
        view = props.preview_view if self.view == 0 else self.view
        try:
            settings = job_settings_from_props(props)
            if view > settings.n_views:  # a number above the views is refused, not clamped
                raise SettingsError("view", view, f"a view from 1 to {settings.n_views} (the "
                                    f"settings have {settings.n_views} views)")
            show_any_sample(context, settings, index, view, props)
        except USER_ERRORS as error:
            self.report({"ERROR"}, describe(error))
            return {"CANCELLED"}
        self.report({"INFO"}, f"Showing pair {index}, view {view}")
        return {"FINISHED"}
