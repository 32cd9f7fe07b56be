"""The Denoiser menu in the bpy wheel (built with OpenImageDenoise): every denoiser, each
under its own name (the menu once read 'Openimagedenoise' and 'Optix')."""

from __future__ import annotations

from typing import Any

import bpy

import identbox


def main(args: list[str]) -> dict[str, Any]:
    """The menu's (identifier, name) pairs and whether Published Look reported a warning."""
    identbox.register()
    props = bpy.context.scene.identbox
    denoiser = props.render.bl_rna.properties["denoiser"]
    menu = [(item.identifier, item.name) for item in denoiser.enum_items]
    bpy.ops.identbox.use_published_look()
    outcome = {"menu": menu, "after_published_look": props.render.denoiser}
    identbox.unregister()
    return outcome
