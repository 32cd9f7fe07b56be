"""Leaves Blender as a user does (run inside Blender: blender --python quit_driver.py -- OUT ZIP
HOW). Installs and enables the add-on, previews a sample (the IdentBox scene is shown), opens
Preferences and a second window, saves the file as OUT/saved.blend, then:
- HOW = quit: quits Blender with both windows open (Blender disables the add-on as it exits);
- HOW = disable: disables the add-on with both windows open, checks the file is the user's
  again, then quits.
What happened goes to OUT/result.json; the test checks Blender's exit status and crash files.
"""

import os
import sys

import addon_utils
import bpy

sys.path.insert(0, os.path.dirname(__file__))  # this test folder's drive.py
from drive import install, main_window_override, run

OUT, ADDON_ZIP, HOW = sys.argv[sys.argv.index("--") + 1:][:3]
RESULT: dict = {"steps": [], "errors": []}


def log(step: str) -> None:
    RESULT["steps"].append(step)
    print("QUIT-DRIVER:", step, flush=True)


def steps():  # type: ignore[no-untyped-def]
    user_scene = bpy.context.window_manager.windows[0].scene.name
    RESULT["user_scene"] = user_scene
    with main_window_override():
        RESULT["preview"] = sorted(bpy.ops.identbox.preview_sample(index=0, view=1))
    yield 0.5
    RESULT["shown_after_preview"] = bpy.context.window_manager.windows[0].scene.name
    with main_window_override():
        bpy.ops.screen.userpref_show()
    yield 0.5
    with main_window_override():  # the window Contact Sheet and Plot Latents open
        bpy.ops.render.view_show("INVOKE_DEFAULT")
    yield 0.5
    RESULT["windows"] = len(bpy.context.window_manager.windows)
    log(f"{RESULT['windows']} windows open")
    with main_window_override():
        bpy.ops.wm.save_as_mainfile(filepath=os.path.join(OUT, "saved.blend"))
    log("saved")
    yield 0.5
    if HOW == "disable":
        addon_utils.disable("identbox", default_set=True)
        yield 0.5
        RESULT["scenes_after_disable"] = sorted(s.name for s in bpy.data.scenes)
        RESULT["shown_after_disable"] = bpy.context.window_manager.windows[0].scene.name
        RESULT["enabled_after_disable"] = addon_utils.check("identbox")[1]
        log("disabled")
        yield 0.5


install(RESULT, ADDON_ZIP)
run(steps, OUT, RESULT)
