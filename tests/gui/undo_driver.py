"""Undo and redo after Back to Scene, in a real window (blender --python undo_driver.py -- OUT
ZIP). The user previews a sample (the window shows the IdentBox scene), presses Back to Scene,
moves the default cube in their own scene, then presses Ctrl+Z and Shift+Ctrl+Z: each must keep
the window on the user's scene (undo went back to a step recorded while the IdentBox scene
was shown, and switched the window to it). Results go to OUT/result.json.
"""

import os
import sys

import bpy

sys.path.insert(0, os.path.dirname(__file__))  # this test folder's drive.py
from drive import install, main_window_override, run

OUT, ADDON_ZIP = sys.argv[sys.argv.index("--") + 1:][:2]
RESULT: dict = {"errors": []}
# An operator called from Python pushes no undo step unless asked to, as a click does.
AS_CLICKED = ("EXEC_DEFAULT", True)


def shown() -> dict:
    window = bpy.context.window_manager.windows[0]
    cube = bpy.data.objects.get("Cube")
    return {"scene": window.scene.name, "cube_x": round(cube.location.x, 3) if cube else None}


def steps():  # type: ignore[no-untyped-def]
    yield 0.5
    RESULT["before"] = shown()
    with main_window_override():
        RESULT["preview"] = sorted(bpy.ops.identbox.preview_sample(*AS_CLICKED, index=0, view=1))
    yield 0.5
    RESULT["previewing"] = shown()
    with main_window_override():
        RESULT["back"] = sorted(bpy.ops.identbox.back_to_scene(*AS_CLICKED))
    yield 0.5
    RESULT["back_in"] = shown()
    with main_window_override():
        RESULT["moved"] = sorted(bpy.ops.transform.translate(*AS_CLICKED, value=(1.0, 0.0, 0.0)))
    yield 0.5
    RESULT["after_move"] = shown()
    with main_window_override():
        RESULT["undo"] = sorted(bpy.ops.ed.undo())
    yield 0.5
    RESULT["after_undo"] = shown()
    with main_window_override():
        RESULT["redo"] = sorted(bpy.ops.ed.redo())
    yield 0.5
    RESULT["after_redo"] = shown()


install(RESULT, ADDON_ZIP)
run(steps, OUT, RESULT)
