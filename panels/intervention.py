"""The Intervention sub-panel (Pairs mode): view 2 as view 1 after do(targets := values)."""

import bpy

from ..properties import settings_of
from ..settings.interventions import RANDOM
from .base import PairsModePanel, draw_problem, draw_wrapped


class IDENTBOX_PT_intervention(PairsModePanel, bpy.types.Panel):
    """Mode, how targets are drawn, their probability and groups; off by default."""

    bl_label = "Intervention"
    bl_idname = "IDENTBOX_PT_intervention"
    bl_parent_id = "IDENTBOX_PT_dataset"
    bl_options = {"DEFAULT_CLOSED"}

    def draw_header(self, context: bpy.types.Context) -> None:
        layout = self.layout
        assert layout is not None
        layout.prop(settings_of(context).intervention, "enabled", text="")

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        assert layout is not None
        intervention = settings_of(context).intervention
        layout.use_property_split = True
        layout.use_property_decorate = False
        column = layout.column()
        column.enabled = intervention.enabled
        modes = column.row(align=True)  # two buttons the panel's width: a menu beside a
        modes.use_property_split = False  # label cut "Counterfactual" at the default width
        modes.prop(intervention, "mode", expand=True)
        column.prop(intervention, "targets")
        if intervention.targets == RANDOM:
            column.prop(intervention, "probability", slider=True, text="P(target)")
        column.prop(intervention, "groups")
        draw_wrapped(column, "Every block content: do() replaces their rules",
                     getattr(getattr(context, "region", None), "width", 0), icon="INFO")
        if intervention.enabled:
            draw_problem(layout, context, "intervention")
