"""Fixed scene values of the 3DIdent family (reference 3dident.md section 1)."""

from __future__ import annotations

CAMERA_LOCATION = (8.0, 0.0, 8.0)
CAMERA_TARGET = (0.0, 0.0, 0.0)
CAMERA_LENS_MM = 35.0
CAMERA_SENSOR_MM = 50.0
CAMERA_CLIP = (0.1, 100.0)

SUN_STRENGTH = 0.5
SUN_ANGLE = 0.2  # radians
AREA_LOCATION = (0.0, 0.0, 7.0)
AREA_POWER_W = 50.0
AREA_SIZE = 1.0

SPOT_POWER_W = 3000.0
SPOT_CONE = 35.0  # degrees
SPOT_BLEND = 0.1
SPOT_SOFT_SIZE = 0.5
SPOT_RADIUS = 4.0  # spotlight circle radius around the z axis
SPOT_HEIGHT = 6.0  # plus the object's max dimension

GROUND_SIZE = 1500.0
OBJECT_SCALE = 1.5
TEAPOT_MAX_DIMENSION = 2.96  # unscaled mesh; 4.44 after OBJECT_SCALE, as published

OBJECT_SATURATION = 1.0
SPOT_SATURATION = 0.8
GROUND_SATURATION = 0.6

MATERIALS = ("MyMetal", "Rubber", "Crystal")

DEPTH_RANGE = 100.0  # depth maps: world units (metres) of the 16-bit range; farther clips
