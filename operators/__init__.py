"""Thin bpy operators: each converts its properties to plain settings and calls plain code."""

import bpy

from .sample_latents import IDENTBOX_OT_sample_latents

classes = (IDENTBOX_OT_sample_latents,)

register, unregister = bpy.utils.register_classes_factory(classes)
