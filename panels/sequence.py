"""The Sequence sub-panel (Sequence mode): the causal model's sequences, and the Preview
sub-panel's frame stepping with the frame's targets."""

from typing import Any

import bpy

from ..errors import SettingsError
from ..properties import settings_of
from ..sampling.citris import SHAPES
from ..settings.panel import MESH_FILE, sequence_settings_from_props
from ..settings.sequence_frames import frame_targets, is_sampled, targets_text
from .base import SequenceModePanel, draw_error, draw_problem, draw_wrapped


class IDENTBOX_PT_sequence(SequenceModePanel, bpy.types.Panel):
    """Model, shapes, length, episodes, independent frames and triplets, interventions,
    variant, seed and hues."""

    bl_label = "Sequence"
    bl_idname = "IDENTBOX_PT_sequence"
    bl_parent_id = "IDENTBOX_PT_dataset"

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        assert layout is not None
        props = settings_of(context)
        sequence = props.sequence
        layout.use_property_split = True
        layout.use_property_decorate = False
        layout.prop(sequence, "model")
        layout.row().prop(sequence, "n_shapes", expand=True)
        column = layout.column(align=True)
        column.prop(sequence, "n_frames")
        column.prop(sequence, "n_episodes")
        column = layout.column(align=True)  # the reference's evaluation sets
        column.prop(sequence, "n_independent", text="Indep.")
        column.prop(sequence, "n_triplets")
        layout.prop(sequence, "seed")
        box = layout.box()
        box.use_property_split = False  # checkboxes the width of the box: labels in full
        box.label(text="Interventions", icon="MODIFIER")
        box.prop(sequence, "single_target")
        if not sequence.single_target:  # one group per step: no probability
            box.prop(sequence, "reference_probability")
            if not sequence.reference_probability:
                box.prop(sequence, "intervention_probability", slider=True)
        box.prop(sequence, "instantaneous")
        box = layout.box()
        box.label(text="Shapes Drawn", icon="MESH_MONKEY")
        for k in range(int(sequence.n_shapes)):
            box.prop(sequence, f"shape_{k}", text=SHAPES[k].title())
            if getattr(sequence, f"shape_{k}") == MESH_FILE:
                box.prop(sequence, f"file_{k}")
        layout.prop(props.scene_options, "hue_mapping", text="Hues")
        draw_problem(layout, context, "sequence")


def draw_frame_preview(layout: Any, props: Any, width: int = 0) -> None:
    """The Preview sub-panel in Sequence mode: Frame with previous / next buttons, and the
    variables intervened on at the frame (once the preview sampled the sequence), wrapped to
    the sidebar's `width`."""
    row = layout.row(align=True)
    row.operator("identbox.step_frame", text="", icon="TRIA_LEFT").step = -1
    row.prop(props.sequence, "frame")
    row.operator("identbox.step_frame", text="", icon="TRIA_RIGHT").step = 1
    layout.operator("identbox.preview_sample", text="Preview Frame", icon="HIDE_OFF")
    try:
        settings = sequence_settings_from_props(props)
    except SettingsError:
        return  # said in the Sequence sub-panel
    frame = props.sequence.frame
    if frame >= settings.frames:
        draw_error(layout, f"Frame {frame}: the sequence has frames 0 to {settings.frames - 1}")
    elif not is_sampled(settings):  # sampling a long sequence in a draw would stall the UI
        draw_wrapped(layout, "Targets: preview to see them", width, icon="INFO")
    else:
        text = targets_text(frame_targets(settings, frame))
        draw_wrapped(layout, f"Targets: {text}", width, icon="MODIFIER")
