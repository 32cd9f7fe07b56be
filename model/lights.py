"""Light values that depend on the Blender version drawing them, so every version gives the
published brightness."""

from __future__ import annotations

import math

from .constants import AREA_POWER_W

# Blender 4.0 changed an area light's power-to-radiance factor from 1/4 to 1/pi
# (blender/blender#109404): the same watts are 4/pi brighter there than in the 2.9x and 3.x
# that drew the published images.
AREA_RADIANCE_CHANGE = (4, 0, 0)


def area_power_w(blender_version: tuple[int, ...]) -> float:
    """The area light's power that gives the published 50 W look in this Blender."""
    if tuple(blender_version[:3]) >= AREA_RADIANCE_CHANGE:
        return AREA_POWER_W * math.pi / 4.0
    return AREA_POWER_W
