"""The dataset tools in a real window (Debian's Blender 3.4 under Xvfb): run inside Blender
(blender --factory-startup --python tools_window.py -- OUT ZIP). Installs the add-on, renders
16 small pairs, previews one (the IdentBox scene, 16 px, in the window), presses Contact
Sheet (Blender opens its render window for it) and Plot Latents, and records what the Image
Editor shows: the image, its size, the zoom, the editor's and its window's size; screenshots
of that window go to OUT/sheet_window.png and OUT/plot_window.png. Then Open Output Folder,
pressed by a hotkey, with an xdg-open that finds no file browser, and the reports the status
bar shows (the Info editor's list); then disables the add-on with the image window open and
quits. Results: OUT/result.json; the test checks them and how Blender ended.
"""

import os
import sys
from collections.abc import Iterator
from typing import Any

import addon_utils
import bpy

sys.path.insert(0, os.path.dirname(__file__))  # this test folder's drive.py
from drive import install, main_window_override, run, without_a_file_browser, xdotool

OUT, ADDON_ZIP = sys.argv[sys.argv.index("--") + 1:][:2]
RESULT: dict[str, Any] = {"errors": []}


def image_editor() -> dict[str, Any] | None:
    """What the first Image Editor shows, and how big it and its window are."""
    for window in bpy.context.window_manager.windows:
        for area in window.screen.areas:
            if area.type != "IMAGE_EDITOR":
                continue
            space = area.spaces.active
            region = next(r for r in area.regions if r.type == "WINDOW")
            image = space.image
            return {"image": image.name if image else None,
                    "image_size": list(image.size) if image else None,
                    "zoom": list(space.zoom), "region": [region.width, region.height],
                    "window": [window.width, window.height],
                    "main_window": window == bpy.context.window_manager.windows[0]}
    return None


def screenshot_of_editor(name: str) -> None:
    for window in bpy.context.window_manager.windows:
        for area in window.screen.areas:
            if area.type == "IMAGE_EDITOR":
                region = next(r for r in area.regions if r.type == "WINDOW")
                with bpy.context.temp_override(window=window, area=area, region=region,
                                               screen=window.screen):
                    bpy.ops.screen.screenshot(filepath=os.path.join(OUT, name))
                return


def reports() -> list[str]:
    """The reports the status bar shows, newest last: the Info editor lists the same ones."""
    window = bpy.context.window_manager.windows[0]
    area = min(window.screen.areas, key=lambda a: a.width * a.height)
    kept = area.type
    area.type = "INFO"
    try:
        region = next(r for r in area.regions if r.type == "WINDOW")
        with bpy.context.temp_override(window=window, area=area, region=region,
                                       screen=window.screen):
            bpy.ops.info.select_all(action="SELECT")
            bpy.ops.info.report_copy()
        return [line for line in bpy.context.window_manager.clipboard.splitlines() if line]
    finally:
        area.type = kept


def steps() -> Iterator[float]:
    window = bpy.context.window_manager.windows[0]
    xdotool("mousemove", "5", str(window.height - 5), "click", "1")  # close the splash screen
    yield 0.5
    props = bpy.context.scene.identbox
    props.n_pairs = 16
    props.render.resolution = 16
    props.render.samples = 1
    props.directory = os.path.join(OUT, "pairs")
    with main_window_override():
        RESULT["render"] = sorted(bpy.ops.identbox.render_dataset())
    yield 0.5
    with main_window_override():  # the IdentBox scene (16 px) in the window, as after a preview
        RESULT["preview"] = sorted(bpy.ops.identbox.preview_sample(index=0, view=1))
    RESULT["scene_shown"] = window.scene.name
    yield 0.5
    with main_window_override():
        RESULT["contact_sheet"] = sorted(bpy.ops.identbox.contact_sheet())
    yield 1.5
    RESULT["windows_after_sheet"] = len(bpy.context.window_manager.windows)
    RESULT["sheet_editor"] = image_editor()
    screenshot_of_editor("sheet_window.png")
    yield 0.5
    with main_window_override():
        RESULT["plot_latents"] = sorted(bpy.ops.identbox.plot_latents())
    yield 1.0
    RESULT["plot_editor"] = image_editor()
    screenshot_of_editor("plot_window.png")
    yield 0.5
    # Open Output Folder pressed (a hotkey: the window manager calls it, as for a button, and
    # its reports go to the status bar) where xdg-open finds no file browser.
    search_path = without_a_file_browser(OUT)
    keymap = bpy.context.window_manager.keyconfigs.addon.keymaps.new(name="Window")
    keymap.keymap_items.new("identbox.open_output", "F9", "PRESS", ctrl=True, shift=True)
    yield 0.5
    xdotool("mousemove", str(window.width // 2), str(window.height // 2), "key", "ctrl+shift+F9")
    yield 2.0
    os.environ["PATH"] = search_path
    RESULT["reports"] = reports()
    RESULT["images_before_disable"] = sorted(image.name for image in bpy.data.images)
    addon_utils.disable("identbox", default_set=True)
    yield 0.5
    RESULT["images_after_disable"] = sorted(image.name for image in bpy.data.images)
    RESULT["editor_after_disable"] = image_editor()


RESULT["blender"] = bpy.app.version_string
install(RESULT, ADDON_ZIP)
run(steps, OUT, RESULT)
