"""Fixed scene values of the 3DIdent family (reference 3dident.md section 1), as measured from
the original generator's own assets (reference published-scene.md, which wins where they differ)."""

from __future__ import annotations

CAMERA_LOCATION = (8.0, 0.0, 8.0)
CAMERA_TARGET = (0.0, 0.0, 0.0)
CAMERA_LENS_MM = 35.0
CAMERA_SENSOR_MM = 50.0
CAMERA_SENSOR_HEIGHT_MM = 18.0  # unused with sensor fit AUTO on square images; as published
# The published clip end was 100: views through the camera block's ranges see ground farther
# than that (up to 386 units over the lowest built-in ground), and the published camera saw
# past it too over a shape file's lower ground. Nothing nearer changes.
CAMERA_CLIP = (0.1, 1000.0)

SUN_STRENGTH = 0.5
SUN_ANGLE = 0.1993  # radians (full angular diameter)
AREA_LOCATION = (0.0, 0.0, 7.0)
AREA_POWER_W = 50.0
AREA_SIZE = 1.0

SPOT_POWER_W = 3000.0
SPOT_CONE = 35.0  # degrees
SPOT_BLEND = 0.1
SPOT_SOFT_SIZE = 0.5
SPOT_RADIUS = 4.0  # spotlight circle radius around the z axis
SPOT_HEIGHT = 6.0  # plus the object's max dimension

# Side of the square ground plane: wide enough that any ray that reaches the ground before the
# clip end lands on the plane (half the side >= the clip end), so no view sees the world.
GROUND_SIZE = 2.0 * CAMERA_CLIP[1]
OBJECT_SCALE = 1.5

# The published teapot mesh (before OBJECT_SCALE): the Utah teapot lying diagonally, its spout
# along local (+x, -y), 4.0836 long along the spout; its bounding box (2.9614 x 2.9614 x 1.9993)
# is centred at TEAPOT_BOX_CENTRE from the object's origin.
TEAPOT_LENGTH = 4.0836
TEAPOT_AZIMUTH_DEG = -45.0
TEAPOT_BOX_CENTRE = (0.0786, -0.0786, 0.0929)
TEAPOT_MAX_DIMENSION = 2.9614
TEAPOT_RESOLUTION = 10  # quads per patch edge: the original's 3,242 vertices (we make 3,241)
TEAPOT_SMOOTH_ANGLE_DEG = 30.0  # the original's auto smooth
# The number the generator places everything by (object z offset, ground, spotlight height).
OBJECT_SIZE = TEAPOT_MAX_DIMENSION * OBJECT_SCALE

OBJECT_SATURATION = 1.0
SPOT_SATURATION = 0.8
GROUND_SATURATION = 0.6

MATERIALS = ("MyMetal", "Rubber", "Crystal")

DEPTH_RANGE = 100.0  # depth maps: world units (metres) of the 16-bit range; farther clips
