"""Thin bpy operators: each converts its properties to plain settings and calls plain code."""

from ..registration import register_classes, unregister_classes
from .render_dataset import IDENTBOX_OT_render_dataset
from .sample_latents import IDENTBOX_OT_sample_latents

classes = (IDENTBOX_OT_sample_latents, IDENTBOX_OT_render_dataset)


def register() -> None:
    """Register this package's classes."""
    register_classes(classes)


def unregister() -> None:
    """Unregister this package's classes."""
    unregister_classes(classes)
