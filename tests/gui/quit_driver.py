"""Leaves Blender as a user does (run inside Blender: blender --python quit_driver.py -- OUT ZIP
HOW). Installs and enables the add-on, previews a sample (the IdentBox scene is shown), opens
Preferences and a second window, saves the file as OUT/saved.blend, then:
- HOW = quit: quits Blender with both windows open (Blender disables the add-on as it exits);
- HOW = disable: disables the add-on with both windows open, checks the file is the user's
  again, then quits.
What happened goes to OUT/result.json; the test checks Blender's exit status and crash files.
"""

import json
import os
import sys
import traceback

import addon_utils
import bpy

OUT, ADDON_ZIP, HOW = sys.argv[sys.argv.index("--") + 1:][:3]
RESULT: dict = {"steps": [], "errors": []}


def log(step: str) -> None:
    RESULT["steps"].append(step)
    print("QUIT-DRIVER:", step, flush=True)


def main_window_override():  # type: ignore[no-untyped-def]
    window = bpy.context.window_manager.windows[0]
    area = max((a for a in window.screen.areas if a.type == "VIEW_3D"),
               key=lambda a: a.width * a.height)
    region = next(r for r in area.regions if r.type == "WINDOW")
    return bpy.context.temp_override(window=window, area=area, region=region,
                                     screen=window.screen)


def write_result() -> None:
    with open(os.path.join(OUT, "result.json"), "w") as handle:
        json.dump(RESULT, handle, indent=2)


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


def main() -> None:
    RESULT["installed"] = sorted(bpy.ops.preferences.addon_install(filepath=ADDON_ZIP))
    addon_utils.enable("identbox", default_set=True)
    iterator = steps()

    def tick():  # type: ignore[no-untyped-def]
        try:
            return next(iterator)
        except StopIteration:
            pass
        except Exception:
            RESULT["errors"].append(traceback.format_exc())
        write_result()
        log("quitting")
        bpy.ops.wm.quit_blender()
        return None

    bpy.app.timers.register(tick, first_interval=1.0)


main()
