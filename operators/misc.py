"""Small panel operators: causal edges, views, a text view's templates, Validate Settings,
Back to Scene."""

from typing import TYPE_CHECKING, Any

import bpy

from ..errors import SettingsError
from ..render.estimates import estimate
from ..scene.preview import leave_identbox_scene
from ..settings.kinds import kind_of
from ..settings.panel import (
    default_views_of,
    panel_settings,
    proposed_edge,
    proposed_template,
    proposed_view,
    run_options_from_props,
    settings_from_props,
    views_to_props,
)
from ..settings.views import N_VIEWS, TEXT
from .job_properties import resolve_output_folder, scene_props

if TYPE_CHECKING:
    from bpy.stub_internal.rna_enums import OperatorReturnItems


class IDENTBOX_OT_edge_add(bpy.types.Operator):
    """Add a causal edge parent -> child"""

    bl_idname = "identbox.edge_add"
    bl_label = "Add Edge"
    bl_options = {"REGISTER", "UNDO"}

    def execute(self, context: bpy.types.Context) -> "set[OperatorReturnItems]":
        props = scene_props(context)
        try:
            edge = proposed_edge(settings_from_props(props))
        except SettingsError as error:
            self.report({"ERROR"}, f"Fix the settings first: {error}")
            return {"CANCELLED"}
        if edge is None:
            self.report({"ERROR"}, "No further edge fits: every one would make a cycle, repeat "
                                   "an edge or start from a factor that is 0 in view 1")
            return {"CANCELLED"}
        item = props.edges.add()
        item.parent, item.child, item.strength = edge.parent, edge.child, edge.strength
        props.active_edge = len(props.edges) - 1
        return {"FINISHED"}


class IDENTBOX_OT_edge_remove(bpy.types.Operator):
    """Remove the selected causal edge"""

    bl_idname = "identbox.edge_remove"
    bl_label = "Remove Edge"
    bl_options = {"REGISTER", "UNDO"}

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        return context.scene is not None and len(scene_props(context).edges) > 0

    def execute(self, context: bpy.types.Context) -> "set[OperatorReturnItems]":
        props = scene_props(context)
        props.edges.remove(props.active_edge)
        props.active_edge = max(0, min(props.active_edge, len(props.edges) - 1))
        return {"FINISHED"}


class IDENTBOX_OT_view_add(bpy.types.Operator):
    """Add a view to every sample (up to 16): the next view's default, which you can edit"""

    bl_idname = "identbox.view_add"
    bl_label = "Add View"
    bl_options = {"REGISTER", "UNDO"}

    def execute(self, context: bpy.types.Context) -> "set[OperatorReturnItems]":
        props = scene_props(context)
        if len(props.views) >= N_VIEWS.maximum:
            self.report({"ERROR"}, f"Cannot add a view: a sample has at most {N_VIEWS.maximum} "
                                   "views")
            return {"CANCELLED"}
        try:
            if not props.views:  # a new scene's list: its two default views come first
                views_to_props(default_views_of(props), props)
            view = proposed_view(props)
        except SettingsError as error:
            self.report({"ERROR"}, f"Fix the settings first: {error}")
            return {"CANCELLED"}
        item = props.views.add()
        item.name, item.modality, item.material = view.name, view.modality, view.material
        props.active_view = len(props.views) - 1
        return {"FINISHED"}


class IDENTBOX_OT_view_remove(bpy.types.Operator):
    """Remove the selected view (a sample keeps at least 2)"""

    bl_idname = "identbox.view_remove"
    bl_label = "Remove View"
    bl_options = {"REGISTER", "UNDO"}

    def execute(self, context: bpy.types.Context) -> "set[OperatorReturnItems]":
        props = scene_props(context)
        if len(props.views) <= N_VIEWS.minimum:
            self.report({"ERROR"}, f"Cannot remove a view: a sample has at least "
                                   f"{N_VIEWS.minimum} views")
            return {"CANCELLED"}
        props.views.remove(props.active_view)
        props.active_view = max(0, min(props.active_view, len(props.views) - 1))
        return {"FINISHED"}


def _text_view(context: bpy.types.Context) -> Any:
    """The Views list's selected view when it is a text view, else None."""
    props = scene_props(context)
    if not 0 <= props.active_view < len(props.views):
        return None
    view = props.views[props.active_view]
    return view if view.modality == TEXT else None


class IDENTBOX_OT_template_add(bpy.types.Operator):
    """Add a template to the selected text view: a copy of the selected one, to rephrase"""

    bl_idname = "identbox.template_add"
    bl_label = "Add Template"
    bl_options = {"REGISTER", "UNDO"}

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        return context.scene is not None and _text_view(context) is not None

    def execute(self, context: bpy.types.Context) -> "set[OperatorReturnItems]":
        view = _text_view(context)
        template = proposed_template(view)
        view.templates.add().text = template
        view.active_template = len(view.templates) - 1
        return {"FINISHED"}


class IDENTBOX_OT_template_remove(bpy.types.Operator):
    """Remove the selected template of the selected text view (it keeps at least one)"""

    bl_idname = "identbox.template_remove"
    bl_label = "Remove Template"
    bl_options = {"REGISTER", "UNDO"}

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        return context.scene is not None and _text_view(context) is not None

    def execute(self, context: bpy.types.Context) -> "set[OperatorReturnItems]":
        view = _text_view(context)
        if len(view.templates) <= 1:
            self.report({"ERROR"}, "Cannot remove the last template: a text view needs one")
            return {"CANCELLED"}
        view.templates.remove(view.active_template)
        view.active_template = max(0, min(view.active_template, len(view.templates) - 1))
        return {"FINISHED"}


class IDENTBOX_OT_validate_settings(bpy.types.Operator):
    """Check the panel's settings and say what is wrong, if anything"""

    bl_idname = "identbox.validate_settings"
    bl_label = "Validate Settings"
    bl_options = {"REGISTER"}

    def execute(self, context: bpy.types.Context) -> "set[OperatorReturnItems]":
        props = scene_props(context)
        try:
            settings = panel_settings(props)  # the mode's settings: Pairs, Objects or Cube
            options = run_options_from_props(props)
            out = resolve_output_folder(props.directory)
            job = estimate(settings, options)
        except SettingsError as error:
            self.report({"ERROR"}, str(error))
            return {"CANCELLED"}
        self.report({"INFO"}, f"Valid ({kind_of(settings).label}): {job.items} {job.unit} in "
                              f"shard {options.batch_index} of {options.n_batches} (from 0), "
                              f"into {out}")
        return {"FINISHED"}


class IDENTBOX_OT_back_to_scene(bpy.types.Operator):
    """Show the scene whose IdentBox settings these are again, its viewport as it was"""

    bl_idname = "identbox.back_to_scene"
    bl_label = "Back to Scene"
    # An undo step: undo loads the scene its step was recorded in, so without one a Ctrl+Z
    # in the user's scene went back to the preview's step and showed the IdentBox scene.
    bl_options = {"REGISTER", "UNDO"}

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        scene = context.scene
        return (context.window is not None and scene is not None
                and getattr(scene, "identbox_home", None) is not None
                and not scene_props(context).progress.running)

    def execute(self, context: bpy.types.Context) -> "set[OperatorReturnItems]":
        home = leave_identbox_scene(context)
        self.report({"INFO"}, f"Back in {home.name}")
        return {"FINISHED"}
