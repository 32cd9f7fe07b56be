"""Thin bpy operators: each converts its properties to plain settings and calls plain code."""

from ..registration import register_classes, unregister_classes
from .dataset_tools import (
    IDENTBOX_OT_contact_sheet,
    IDENTBOX_OT_open_output,
    IDENTBOX_OT_plot_latents,
    IDENTBOX_OT_validate_dataset,
)
from .misc import (
    IDENTBOX_OT_back_to_scene,
    IDENTBOX_OT_edge_add,
    IDENTBOX_OT_edge_remove,
    IDENTBOX_OT_template_add,
    IDENTBOX_OT_template_remove,
    IDENTBOX_OT_validate_settings,
    IDENTBOX_OT_view_add,
    IDENTBOX_OT_view_remove,
)
from .presets import (
    IDENTBOX_MT_presets,
    IDENTBOX_OT_add_preset,
    IDENTBOX_OT_load_preset,
    IDENTBOX_OT_load_render_preset,
    IDENTBOX_OT_remove_preset,
    IDENTBOX_OT_use_published_look,
)
from .preview_sample import IDENTBOX_OT_preview_sample, IDENTBOX_OT_step_frame
from .render_cube import IDENTBOX_OT_play_cube_labels, IDENTBOX_OT_render_cube
from .render_dataset import IDENTBOX_OT_cancel_render, IDENTBOX_OT_render_dataset
from .sample_latents import IDENTBOX_OT_sample_latents

classes = (
    IDENTBOX_OT_sample_latents,
    IDENTBOX_OT_render_dataset,
    IDENTBOX_OT_cancel_render,
    IDENTBOX_OT_render_cube,
    IDENTBOX_OT_play_cube_labels,
    IDENTBOX_OT_preview_sample,
    IDENTBOX_OT_step_frame,
    IDENTBOX_OT_load_preset,
    IDENTBOX_OT_load_render_preset,
    IDENTBOX_OT_use_published_look,
    IDENTBOX_OT_add_preset,
    IDENTBOX_OT_remove_preset,
    IDENTBOX_MT_presets,
    IDENTBOX_OT_edge_add,
    IDENTBOX_OT_edge_remove,
    IDENTBOX_OT_view_add,
    IDENTBOX_OT_view_remove,
    IDENTBOX_OT_template_add,
    IDENTBOX_OT_template_remove,
    IDENTBOX_OT_back_to_scene,
    IDENTBOX_OT_validate_settings,
    IDENTBOX_OT_open_output,
    IDENTBOX_OT_validate_dataset,
    IDENTBOX_OT_contact_sheet,
    IDENTBOX_OT_plot_latents,
)


def register() -> None:
    """Register this package's classes."""
    register_classes(classes)


def unregister() -> None:
    """Unregister this package's classes."""
    unregister_classes(classes)
