"""The Views sub-panel says Crystal draws almost black at 0 bounces (as published), and stops
saying it once Bounces is raised."""

from __future__ import annotations

from typing import Any

import bpy
from panel_recorder import draw, labels

import identbox
from identbox.panels.dataset import IDENTBOX_PT_views
from identbox.settings.panel import default_views_of, views_to_props


def said(phrase: str) -> bool:
    return any(phrase in (text or "") for text in labels(draw(IDENTBOX_PT_views)))


def main(args: list[str]) -> dict[str, Any]:
    identbox.register()
    props = bpy.context.scene.identbox
    views_to_props(default_views_of(props), props)  # the two default views
    props.active_view = 1
    props.views[1].material = "Crystal"
    props.render.max_bounces = 0
    at_zero = said("almost black")
    props.render.max_bounces = 4
    outcome = {"at_zero": at_zero, "at_four": said("almost black")}
    identbox.unregister()
    return outcome
