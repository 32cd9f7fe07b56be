"""A run that fails part-way, in a real window (blender --python failed_run_driver.py -- OUT
ZIP). The user orbits their view and presses Render Dataset; while it draws, the output folder
disappears (a disk unmounted, a folder deleted by another program) and a file takes its place.
The run must stop with the failure in the panel and the window back on the user's scene, their
view as it was (a failed run left the IdentBox scene in grey solid shading on screen).
Results go to OUT/result.json.
"""

import os
import shutil
import sys

import bpy
import mathutils

sys.path.insert(0, os.path.dirname(__file__))  # this test folder's drive.py
from drive import install, main_window_override, run

OUT, ADDON_ZIP = sys.argv[sys.argv.index("--") + 1:][:2]
RESULT: dict = {"errors": []}


def viewport() -> dict:
    window = bpy.context.window_manager.windows[0]
    area = max((a for a in window.screen.areas if a.type == "VIEW_3D"),
               key=lambda a: a.width * a.height)
    space = area.spaces.active
    view = space.region_3d
    return {"scene": window.scene.name, "perspective": view.view_perspective,
            "shading": space.shading.type, "floor": space.overlay.show_floor,
            "rotation": [round(v, 4) for v in view.view_rotation],
            "distance": round(view.view_distance, 4)}


def steps():  # type: ignore[no-untyped-def]
    with main_window_override():
        view = bpy.context.space_data.region_3d
    view.view_rotation = mathutils.Euler((1.1, 0.0, 0.7)).to_quaternion()  # orbited
    view.view_distance = 23.0
    yield 0.5
    RESULT["before"] = viewport()
    props = bpy.context.window_manager.windows[0].scene.identbox
    props.n_pairs, props.render.resolution, props.render.samples = 40, 16, 1
    folder = os.path.join(OUT, "vanishing")
    props.directory = folder
    with main_window_override():
        RESULT["started"] = sorted(bpy.ops.identbox.render_dataset("INVOKE_DEFAULT"))
    while props.progress.running and props.progress.done < 2:
        yield 0.02
    RESULT["during"] = viewport()
    shutil.rmtree(folder)
    with open(folder, "w") as handle:
        handle.write("not a folder any more\n")
    while props.progress.running:
        yield 0.05
    yield 0.3
    RESULT["message"] = props.progress.message
    RESULT["after"] = viewport()


install(RESULT, ADDON_ZIP)
run(steps, OUT, RESULT)
