"""Cube Playback shows what the rendered images have: a hidden node's dot is hidden in the
viewport as in the render (Playback drew dots of hidden nodes)."""

from __future__ import annotations

from typing import Any

import numpy as np

import identbox
from identbox.scene.cube import CubeScene


def main(args: list[str]) -> dict[str, Any]:
    identbox.register()
    cube = CubeScene()
    corners = np.array([[x, y, z] for x in (-1, 1) for y in (-1, 1) for z in (-1, 1)], float)
    visible = np.array([True, False] * 4)
    cube.show(corners, visible)
    outcome = {"render": [not dot.hide_render for dot in cube.dots],
               "viewport": [not dot.hide_viewport for dot in cube.dots],
               "visible": visible.tolist()}
    identbox.unregister()
    return outcome
