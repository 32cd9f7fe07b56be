"""Back to Scene after reopening a saved file (run inside Blender: blender --python
reopen_driver.py -- OUT ZIP). The user orbits their view, previews a sample (the IdentBox scene
through its camera, overlays hidden), saves, reopens the file, and presses Back to Scene:
their view, floor grid, axes and shading must come back as they were before the preview.
Results go to OUT/result.json.
"""

import os
import sys

import bpy
import mathutils

sys.path.insert(0, os.path.dirname(__file__))  # this test folder's drive.py
from drive import install, run

OUT, ADDON_ZIP = sys.argv[sys.argv.index("--") + 1:][:2]
RESULT: dict = {"errors": []}


def area_and_override():  # type: ignore[no-untyped-def]
    window = bpy.context.window_manager.windows[0]
    area = max((a for a in window.screen.areas if a.type == "VIEW_3D"),
               key=lambda a: a.width * a.height)
    region = next(r for r in area.regions if r.type == "WINDOW")
    return area, bpy.context.temp_override(window=window, area=area, region=region,
                                           screen=window.screen)


def viewport() -> dict:
    area, _ = area_and_override()
    space = area.spaces.active
    view = space.region_3d
    return {"perspective": view.view_perspective, "shading": space.shading.type,
            "floor": space.overlay.show_floor, "axis_x": space.overlay.show_axis_x,
            "relationship_lines": space.overlay.show_relationship_lines,
            "rotation": [round(v, 4) for v in view.view_rotation],
            "distance": round(view.view_distance, 4),
            "scene": bpy.context.window_manager.windows[0].scene.name}


def steps():  # type: ignore[no-untyped-def]
    area, _ = area_and_override()
    view = area.spaces.active.region_3d
    view.view_rotation = mathutils.Euler((1.1, 0.0, 0.7)).to_quaternion()  # orbited
    view.view_distance = 23.0
    yield 0.5
    RESULT["before"] = viewport()
    _, override = area_and_override()
    with override:
        RESULT["preview"] = sorted(bpy.ops.identbox.preview_sample(index=0, view=1))
    yield 0.5
    RESULT["previewing"] = viewport()
    path = os.path.join(OUT, "reopened.blend")
    bpy.ops.wm.save_as_mainfile(filepath=path)
    bpy.ops.wm.open_mainfile(filepath=path)
    yield 1.0
    RESULT["reopened"] = viewport()
    _, override = area_and_override()
    with override:
        RESULT["back"] = sorted(bpy.ops.identbox.back_to_scene())
    yield 0.5
    RESULT["after_back"] = viewport()


install(RESULT, ADDON_ZIP)
run(steps, OUT, RESULT, persistent=True)  # across the reopen
