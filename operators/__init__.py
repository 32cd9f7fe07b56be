"""Thin bpy operators: each converts its properties to plain settings and calls plain code."""

import bpy

from .sample_latents import IDENTBOX_OT_sample_latents

classes = (IDENTBOX_OT_sample_latents,)



def register() -> None:
    """Register the classes in order."""
    for cls in classes:
        bpy.utils.register_class(cls)


def unregister() -> None:
    """Unregister in reverse order."""
    for cls in reversed(classes):
        bpy.utils.unregister_class(cls)
