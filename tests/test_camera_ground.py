"""No view sees the world background: through every camera the camera block allows, the rays
through the image's corners (they point farther than any other) reach the ground within the
clip end, and the ground plane reaches that far. Checked in plain numbers over the corners of the
ranges and the lowest ground any kind stands on, and in Blender, where the ground made emissive
shows no dark pixel."""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import run_blender

from identbox.model.camera import camera_poses, farthest_ground_hit
from identbox.model.constants import CAMERA_CLIP, GROUND_SIZE, OBJECT_SIZE
from identbox.model.shapes import largest_dimension
from identbox.sampling.multi import OBJECT_TYPES
from identbox.sampling.pose import OBJECTS_GROUND_Z
from identbox.sampling.rig import PUBLISHED_DISTANCE, PUBLISHED_ELEVATION, RIG_FACTORS

SCALES = {f.name: f.scale for f in RIG_FACTORS}
# Each kind's lowest ground: pairs one teapot size down, Objects at a fixed height, the
# published kinds one shape size down (the largest built-in shape's).
GROUNDS = {"pairs": -OBJECT_SIZE, "objects": OBJECTS_GROUND_Z,
           "published kinds": -max(largest_dimension(kind) or 0.0 for kind in OBJECT_TYPES)}


def corner_cameras(elevation_scale: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Azimuth, elevation and distance at every corner of the camera ranges (eight azimuths)."""
    azimuths = np.linspace(-math.pi, math.pi, 8, endpoint=False)
    grid = np.array([(a, PUBLISHED_ELEVATION + e * elevation_scale,
                      PUBLISHED_DISTANCE + d * SCALES["cam_distance"])
                     for a in azimuths for e in (-1, 1) for d in (-1, 1)])
    return grid[:, 0], grid[:, 1], grid[:, 2]


def farthest(elevation_scale: float) -> float:
    poses = camera_poses(*corner_cameras(elevation_scale))
    return max(float(farthest_ground_hit(poses, z).max()) for z in GROUNDS.values())


def test_every_camera_of_the_ranges_sees_only_ground() -> None:
    assert CAMERA_CLIP[1] <= GROUND_SIZE / 2  # a ray that reaches the ground lands on it
    reach = farthest(SCALES["cam_elevation"])
    assert reach < CAMERA_CLIP[1], f"a corner ray reaches the ground {reach:.0f} units away"
    # The published camera over the published ground: the clip end it had (100) was enough.
    published = camera_poses(np.array([0.0]), np.array([PUBLISHED_ELEVATION]),
                             np.array([PUBLISHED_DISTANCE]))
    assert farthest_ground_hit(published, -OBJECT_SIZE)[0] < 100.0


def test_the_check_fails_for_the_range_that_saw_the_void() -> None:
    """45 +- 15 degrees (the range before): at 30 degrees the image's top looks above the
    horizon (docs/camera_views.png had a black band in three of its 18 images)."""
    assert farthest(math.radians(15.0)) == math.inf
    assert farthest(math.radians(10.0)) == math.inf  # 35 degrees: just above it


GROUND_SCRIPT = """
import os
import sys
import numpy as np
import bpy
from identbox.presets import load_preset
from identbox.settings.objects import sample_pairs
from identbox.settings.render import RenderSettings
from identbox.sampling.rig import RIG_FACTORS
from identbox.scene.renderer import BlenderPairRenderer
clip_end = float(sys.argv[1])
settings = load_preset("three_views_camera").replace(
    n_pairs=1, render=RenderSettings(resolution=48, samples=2, denoiser="none"))
row = np.array(sample_pairs(settings).raws[0][0]) * 0.0
start = len(row) - 3  # the camera block's three columns end the row
scales = {f.name: f.scale for f in RIG_FACTORS}
renderer = BlenderPairRenderer(settings, device="cpu")
handles = renderer.handles
glow = bpy.data.materials.new("Glowing ground")
glow.use_nodes = True
nodes = glow.node_tree.nodes
nodes.clear()
emission = nodes.new("ShaderNodeEmission")
output = nodes.new("ShaderNodeOutputMaterial")
glow.node_tree.links.new(emission.outputs[0], output.inputs["Surface"])
darkest = []
for azimuth in np.linspace(-np.pi, np.pi, 4, endpoint=False):
    for distance in (-1.0, 1.0):
        row[start:] = (azimuth, -scales["cam_elevation"], distance * scales["cam_distance"])
        renderer.show(row, 1)
        handles.ground.material_slots[0].material = glow
        for hidden in (handles.teapot, handles.spot):
            hidden.hide_render = True
        handles.scene.camera.data.clip_end = clip_end
        handles.scene.render.filepath = os.path.abspath(f"corner_{len(darkest)}.png")
        bpy.ops.render.render(write_still=True, scene=handles.scene.name)
        pixels = np.array(bpy.data.images.load(handles.scene.render.filepath).pixels[:])
        darkest.append(float(pixels.reshape(-1, 4)[:, :3].max(axis=1).min()))
report({"darkest": darkest})
"""


@pytest.mark.blender
def test_a_glowing_ground_fills_every_corner_view(tmp_path) -> None:
    """The lowest, farthest cameras of the range (the image's top nearest the horizon), the
    ground emissive and the teapot and spotlight hidden: every pixel is ground."""
    found = run_blender(GROUND_SCRIPT, tmp_path, str(CAMERA_CLIP[1]))
    assert min(found["darkest"]) > 0.5, found["darkest"]
    # The clip end the published scene had: these cameras see past it (a black band).
    before = run_blender(GROUND_SCRIPT, tmp_path, "100")
    assert min(before["darkest"]) < 0.01, before["darkest"]
