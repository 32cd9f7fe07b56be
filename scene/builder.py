"""Build the 3DIdent scene in its own Blender scene, `IdentBox`, from code.

The user's scenes and objects are never touched: everything built here is linked only to the
IdentBox scene and tagged, so rebuilding removes exactly what an earlier build made.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, NamedTuple

import bmesh
import bpy
import mathutils

from ..model import constants as c
from ..model.camera import camera_axes
from ..model.lights import area_power_w
from ..model.teapot import teapot_mesh
from ..settings.render import SceneSettings
from .materials import OWNER, build_materials
from .nodes import node_tree, socket
from .tags import owned_scene, remove_tagged, tagged

SCENE_NAME = "IdentBox"


@dataclass
class SceneHandles:
    """The built scene and the parts that change per sample."""

    scene: Any
    teapot: Any
    ground: Any
    spot: Any
    camera: Any
    sun: Any
    area: Any
    materials: dict[str, Any]
    object_size: float  # the object's largest dimension as published (4.4421)
    settings: SceneSettings


def _tagged(block: Any, owner: str = OWNER) -> Any:
    return tagged(block, owner)


def add_object(scene: Any, name: str, data: Any, owner: str = OWNER) -> Any:
    """A new object named 'IdentBox <name>', tagged and linked to `scene` only."""
    obj = _tagged(bpy.data.objects.new(f"IdentBox {name}", data), owner)
    scene.collection.objects.link(obj)
    return obj


def mesh_data(name: str, vertices: Any, faces: Any, owner: str = OWNER) -> Any:
    """A smooth-shaded mesh with outward normals."""
    data = _tagged(bpy.data.meshes.new(f"IdentBox {name}"), owner)
    data.from_pydata([tuple(v) for v in vertices], [], [list(f) for f in faces])
    bm = bmesh.new()
    bm.from_mesh(data)
    bmesh.ops.recalc_face_normals(bm, faces=list(bm.faces))  # the patch data mixes windings
    bm.to_mesh(data)
    bm.free()
    for polygon in data.polygons:
        polygon.use_smooth = True
    data.update()
    return data


def sharpen_by_angle(data: Any, degrees: float) -> None:
    """Edges sharper than `degrees` shade sharp, the rest smooth: the original's auto smooth
    (a mesh setting up to 4.0, sharp edges marked from the angle since 4.1)."""
    if hasattr(data, "set_sharp_from_angle"):
        data.set_sharp_from_angle(angle=math.radians(degrees))
    else:
        data.use_auto_smooth = True
        data.auto_smooth_angle = math.radians(degrees)


def teapot_data(resolution: int, owner: str = OWNER, name: str = "Teapot",
                vertices: Any = None) -> Any:
    """The published teapot's mesh (or the given vertices on its faces), shaded as published."""
    mesh = teapot_mesh(resolution)
    points = mesh.vertices if vertices is None else vertices
    data = mesh_data(name, points.tolist(), mesh.faces, owner)
    sharpen_by_angle(data, c.TEAPOT_SMOOTH_ANGLE_DEG)
    return data


def plane_data(size: float, owner: str = OWNER) -> Any:
    """The ground plane's mesh."""
    data = _tagged(bpy.data.meshes.new("IdentBox Ground"), owner)
    h = size / 2.0
    data.from_pydata([(-h, -h, 0.0), (h, -h, 0.0), (h, h, 0.0), (-h, h, 0.0)], [], [(0, 1, 2, 3)])
    data.update()
    return data


def add_camera(scene: Any, owner: str = OWNER) -> Any:
    """The fixed 3DIdent camera, made the scene's camera."""
    data = _tagged(bpy.data.cameras.new("IdentBox Camera"), owner)
    data.lens = c.CAMERA_LENS_MM
    data.sensor_width = c.CAMERA_SENSOR_MM
    data.sensor_height = c.CAMERA_SENSOR_HEIGHT_MM
    data.sensor_fit = "AUTO"
    data.clip_start, data.clip_end = c.CAMERA_CLIP
    camera = add_object(scene, "Camera", data, owner)
    camera.location = c.CAMERA_LOCATION
    # Columns: the camera's x, y and z axes in world space (it looks down its -z).
    camera.rotation_euler = mathutils.Matrix(camera_axes().T.tolist()).to_euler()
    scene.camera = camera
    return camera


def add_fixed_lights(scene: Any, owner: str = OWNER) -> tuple[Any, Any]:
    """The sun above the origin and the area light at (0, 0, 7): (sun, area) objects."""
    sun = _tagged(bpy.data.lights.new("IdentBox Sun", "SUN"), owner)
    sun.energy = c.SUN_STRENGTH
    sun.angle = c.SUN_ANGLE
    sun_object = add_object(scene, "Sun", sun, owner)
    sun_object.location = (0.0, 0.0, 10.0)

    area = _tagged(bpy.data.lights.new("IdentBox Area", "AREA"), owner)
    area.energy = area_power_w(bpy.app.version)
    area.size = c.AREA_SIZE
    area_object = add_object(scene, "Area", area, owner)
    area_object.location = c.AREA_LOCATION  # faces -z: the origin
    return sun_object, area_object


def add_spot(scene: Any, target: Any, owner: str = OWNER, name: str = "Spot") -> Any:
    """A 3000 W spotlight that always aims at `target`. Its light falls off with the inverse
    square of distance, like every Cycles lamp: the originals' `falloff_type = CONSTANT` is a
    legacy setting Cycles ignores, and they have no Light Falloff node."""
    spot_data = _tagged(bpy.data.lights.new(f"IdentBox {name}", "SPOT"), owner)
    spot_data.energy = c.SPOT_POWER_W
    spot_data.spot_size = math.radians(c.SPOT_CONE)
    spot_data.spot_blend = c.SPOT_BLEND
    spot_data.shadow_soft_size = c.SPOT_SOFT_SIZE
    spot = add_object(scene, name, spot_data, owner)
    aim = spot.constraints.new("TRACK_TO")
    aim.target = target
    aim.track_axis = "TRACK_NEGATIVE_Z"
    aim.up_axis = "UP_Y"
    return spot


def add_world(scene: Any, owner: str = OWNER) -> None:
    """A world with no light of its own."""
    world = _tagged(bpy.data.worlds.new("IdentBox World"), owner)
    background = next(n for n in node_tree(world).nodes if n.bl_idname == "ShaderNodeBackground")
    socket(background.inputs, "Strength").default_value = 0.0
    scene.world = world


class FixedParts(NamedTuple):
    """What every objects renderer's scene starts from."""

    scene: Any
    camera: Any
    sun: Any
    area: Any
    materials: dict[str, Any]


def fixed_scene(name: str, owner: str) -> FixedParts:
    """The scene `name` with what `owner` built before removed, then the published world,
    camera, sun and area light, and the materials, all tagged for `owner`."""
    remove_tagged(owner)
    scene = owned_scene(name, owner)
    add_world(scene, owner)
    camera = add_camera(scene, owner)
    sun, area = add_fixed_lights(scene, owner)
    return FixedParts(scene, camera, sun, area, build_materials(owner))


def build_scene(settings: SceneSettings) -> SceneHandles:
    """Build (or rebuild) the IdentBox scene: camera, lights, teapot, ground, materials."""
    remove_tagged(OWNER)  # the scene itself is kept: a window may show it, it has settings
    scene = owned_scene(SCENE_NAME, OWNER)
    add_world(scene)
    materials = build_materials()
    add_camera(scene)

    teapot = add_object(scene, "Teapot", teapot_data(settings.teapot_resolution))
    teapot.scale = (c.OBJECT_SCALE,) * 3
    teapot.data.materials.append(materials[settings.view1_material])
    teapot.rotation_mode = "XYZ"
    teapot.pass_index = 1  # its value in object-index masks
    object_size = c.OBJECT_SIZE  # the published number, whatever the tessellation

    ground = add_object(scene, "Ground", plane_data(c.GROUND_SIZE))
    ground.location = (0.0, 0.0, -object_size)
    ground.data.materials.append(materials["Rubber"])

    sun, area = add_fixed_lights(scene)
    spot = add_spot(scene, teapot)
    spot.location = (0.0, c.SPOT_RADIUS, c.SPOT_HEIGHT + object_size)
    return SceneHandles(scene, teapot, ground, spot, scene.camera, sun, area, materials,
                        object_size, settings)
