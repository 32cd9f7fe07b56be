"""Drives Blender's real window (run inside Blender: blender --python driver.py -- OUT N).

Steps run one per timer tick, like a person at the UI: open the IdentBox tab, load a preset
through the panel's properties, press Render Dataset (INVOKE_DEFAULT, the modal path), take
screenshots while it renders, then a second run that is cancelled and resumed. Results go to
OUT/result.json; the test asserts on them.
"""

import json
import os
import subprocess
import sys
import time
import traceback

import addon_utils
import bpy
import mathutils

OUT, ADDON_ZIP = sys.argv[sys.argv.index("--") + 1:][:2]
RESULT = {"steps": [], "errors": []}
STATE = {"tab_tries": 0}
VIEWS_SCROLL = 24  # scroll_down steps that bring the Views sub-panel into the window


def log(step):
    RESULT["steps"].append(step)
    print("GUI-DRIVER:", step, flush=True)


def window_and_area():
    window = bpy.context.window_manager.windows[0]
    area = max((a for a in window.screen.areas if a.type == "VIEW_3D"),
               key=lambda a: a.width * a.height)
    return window, area


def override():
    window, area = window_and_area()
    region = next(r for r in area.regions if r.type == "WINDOW")
    return bpy.context.temp_override(window=window, area=area, region=region,
                                     screen=window.screen)


def screenshot(name):
    path = os.path.join(OUT, name)
    with override():
        bpy.ops.screen.screenshot(filepath=path)
    log(f"screenshot {name}")


def shown_scene():
    return bpy.context.window_manager.windows[0].scene


def props():
    """The settings the panel shows: the user's scene's, also while an IdentBox scene is shown."""
    scene = shown_scene()
    home = getattr(scene, "identbox_home", None)
    return (home or scene).identbox


def viewport():
    _, area = window_and_area()
    space = area.spaces.active
    view = space.region_3d
    return {"perspective": view.view_perspective, "color_type": space.shading.color_type,
            "rotation": [round(v, 4) for v in view.view_rotation],
            "location": [round(v, 4) for v in view.view_location],
            "distance": round(view.view_distance, 4)}


def run_modal(operator="render_dataset"):
    """Press Render Dataset (or Render Cube) as the panel does; wait until it stops."""
    with override():
        started = getattr(bpy.ops.identbox, operator)("INVOKE_DEFAULT")
    log(f"{operator} invoked: {sorted(started)}")
    deadline = time.time() + 180
    while props().progress.running and time.time() < deadline:
        yield 0.05


def job(preset=None, n_pairs=None, resolution=None, samples=None, folder=None):
    """Set up a run through the panel's properties, as a user would: a preset, then values."""
    if preset:
        with override():
            bpy.ops.identbox.load_preset(name=preset)
    p = props()
    for owner, name, value in ((p, "n_pairs", n_pairs), (p.render, "resolution", resolution),
                               (p.render, "samples", samples)):
        if value is not None:
            setattr(owner, name, value)
    if folder:
        p.directory = os.path.join(OUT, folder)
    return p


def progress():
    p = props().progress
    return {"done": p.done, "total": p.total, "message": p.message}


def back_to_scene():
    with override():
        result = sorted(bpy.ops.identbox.back_to_scene())
    return {"result": result, "scene": shown_scene().name, "viewport": viewport()}


def panel_drawn_since(moment):
    from identbox.panels import dataset  # the legacy add-on's module
    return getattr(dataset, "LAST_DRAW", 0.0) > moment


def xdotool(*args):
    subprocess.run(["xdotool", *args], check=True, env=dict(os.environ))


def steps():
    window, area = window_and_area()
    xdotool("mousemove", "5", str(window.height - 5), "click", "1")  # close the splash screen
    yield 0.5
    area.spaces.active.show_region_ui = True
    for a in window.screen.areas:
        a.tag_redraw()
    yield 1.0
    # Open the IdentBox tab as a user does: click down the sidebar's column of tabs until the
    # IdentBox panel draws.
    sidebar = next(r for r in area.regions if r.type == "UI")
    x = sidebar.x + sidebar.width - 8
    top = window.height - (sidebar.y + sidebar.height)
    for y in range(top + 10, top + min(sidebar.height, 600), 12):
        moment = time.time()
        xdotool("mousemove", str(x), str(y), "click", "1")
        STATE["tab_tries"] += 1
        yield 0.3
        if panel_drawn_since(moment):
            break
    moment = time.time()
    for a in window.screen.areas:
        a.tag_redraw()
    yield 0.5
    RESULT["tab_open"] = panel_drawn_since(moment)
    # Widen the sidebar by dragging its edge, as a user would, so the panel reads well.
    edge = sidebar.x + 2
    middle = window.height - (sidebar.y + sidebar.height // 2)
    xdotool("mousemove", str(edge), str(middle), "sleep", "0.2", "mousedown", "1", "sleep", "0.2",
            "mousemove_relative", "--", "-40", "0", "sleep", "0.1",
            "mousemove_relative", "--", "-80", "0", "sleep", "0.2", "mouseup", "1")
    yield 0.5
    log(f"IdentBox tab open after {STATE['tab_tries']} clicks: {RESULT['tab_open']}")
    screenshot("panel.png")

    # A new user's first click: Render Dataset from their own scene, no preview before it.
    RESULT["user_scene"] = shown_scene().name
    _, area = window_and_area()
    user_view = area.spaces.active.region_3d  # the user has orbited and zoomed their view
    user_view.view_rotation = mathutils.Quaternion((0.716, 0.439, 0.291, 0.459)).normalized()
    user_view.view_distance = 12.5
    RESULT["user_viewport"] = viewport()
    job(n_pairs=3, resolution=32, samples=2, folder="first")
    yield from run_modal()
    RESULT["first"] = progress()
    RESULT["first_back"] = back_to_scene()
    log(f"first run from the user's scene: {RESULT['first']}, back: {RESULT['first_back']}")

    # part2_causal: a preview, then a render; the edges must reach the manifest.
    job("part2_causal", n_pairs=2, resolution=32, samples=2, folder="part2")
    with override():
        bpy.ops.identbox.preview_sample(index=1, view=1)
    yield 0.3
    props().sample_index = 1  # scrubbing the slider on the IdentBox scene's panel
    props().preview_view = 2
    yield 0.3
    yield from run_modal()
    RESULT["part2"] = progress()

    # Touching the preview while a render runs must not stop it.
    p = props()
    p.n_pairs = 8
    p.directory = os.path.join(OUT, "touched")
    with override():
        bpy.ops.identbox.render_dataset("INVOKE_DEFAULT")
    while props().progress.running and props().progress.done < 2:
        yield 0.02
    props().preview_view = 1
    props().sample_index = 5
    with override():
        RESULT["preview_during_render"] = sorted(
            bpy.ops.identbox.preview_sample(index=4, view=2))
    while props().progress.running:
        yield 0.05
    RESULT["touched"] = progress()
    back_to_scene()

    # An Objects run and a Cube run, each followed by the way back to the user's scene.
    p = job("objects_content_2", n_pairs=2, resolution=64, samples=2, folder="objects")
    p.multi.min_pixels = 5
    yield from run_modal()
    RESULT["objects"] = progress()
    with override():
        RESULT["objects_preview"] = sorted(bpy.ops.identbox.preview_sample(index=1, view=1))
    yield 1.0
    RESULT["objects_preview_scene"] = shown_scene().name
    screenshot("objects_preview.png")
    RESULT["objects_back"] = back_to_scene()
    p = props()
    p.mode = "CUBE"
    p.cube.step = 3.0
    p.cube.sizes = "16"
    p.directory = os.path.join(OUT, "cube")
    yield from run_modal("render_cube")
    RESULT["cube"] = progress()
    RESULT["cube_back"] = back_to_scene()
    RESULT["mode_after_cube"] = props().mode
    props().mode = "PAIRS"
    log(f"objects {RESULT['objects']}, cube {RESULT['cube']}")

    # Sequence mode: the Temporal Causal3DIdent preset, cut to 3 frames; the preview stepped to
    # frame 2 with the step buttons' operator, shot with the frame's targets; then rendered.
    p = job("temporal_causal3dident", resolution=32, samples=2, folder="sequence")
    p.sequence.n_frames = 3
    p.render.denoiser = "none"
    with override():
        RESULT["sequence_preview"] = sorted(bpy.ops.identbox.preview_sample())
    yield 0.5
    window, area = window_and_area()
    sidebar = next(r for r in area.regions if r.type == "UI")
    for _ in range(2):
        with bpy.context.temp_override(window=window, area=area, region=sidebar):
            bpy.ops.identbox.step_frame(step=1)
        yield 0.5
    RESULT["sequence_frame"] = props().sequence.frame
    RESULT["sequence_preview_scene"] = shown_scene().name
    screenshot("sequence.png")
    yield from run_modal()
    RESULT["sequence"] = progress()
    RESULT["sequence_back"] = back_to_scene()
    props().mode = "PAIRS"
    log(f"sequence {RESULT['sequence']}")

    # A third view: the Views list's + (its operator, in the sidebar's context), its material
    # set, view 3 previewed, then rendered. The Views sub-panel is shot on the way.
    job("hues_positions_rotations", n_pairs=2, resolution=32, samples=2, folder="views")
    window, area = window_and_area()
    sidebar = next(r for r in area.regions if r.type == "UI")
    with bpy.context.temp_override(window=window, area=area, region=sidebar,
                                   screen=window.screen):
        RESULT["view_add"] = sorted(bpy.ops.identbox.view_add())
    props().views[2].material = "Crystal"
    props().preview_view = 3
    yield 0.5
    RESULT["views_preview_scene"] = shown_scene().name
    with bpy.context.temp_override(window=window, area=area, region=sidebar):
        for _ in range(VIEWS_SCROLL):
            bpy.ops.view2d.scroll_down()
    for a in window.screen.areas:
        a.tag_redraw()
    yield 0.5
    screenshot("views.png")
    with bpy.context.temp_override(window=window, area=area, region=sidebar):
        for _ in range(VIEWS_SCROLL):
            bpy.ops.view2d.scroll_up()
    yield from run_modal()
    RESULT["views_run"] = progress()
    back_to_scene()
    log(f"three views: {RESULT['view_add']}, {RESULT['views_run']}")

    # View 2 made a text view in the panel: its words and templates drawn in the Views
    # sub-panel, its sentence in Preview; Render Dataset writes view 1's images and the text.
    job("hues_positions_rotations", n_pairs=3, resolution=32, samples=2, folder="text")
    props().views[1].modality = "text"
    props().active_view = 1
    props().sample_index = 1
    props().preview_view = 2
    yield 0.5
    RESULT["text_preview_scene"] = shown_scene().name
    window, area = window_and_area()
    sidebar = next(r for r in area.regions if r.type == "UI")
    with bpy.context.temp_override(window=window, area=area, region=sidebar):
        for _ in range(VIEWS_SCROLL):
            bpy.ops.view2d.scroll_down()
    for a in window.screen.areas:
        a.tag_redraw()
    yield 0.5
    screenshot("text_view.png")
    with bpy.context.temp_override(window=window, area=area, region=sidebar):
        for _ in range(VIEWS_SCROLL):
            bpy.ops.view2d.scroll_up()
    for a in window.screen.areas:
        a.tag_redraw()
    yield 0.5
    screenshot("text_preview.png")
    yield from run_modal()
    RESULT["text_run"] = progress()
    back_to_scene()
    log(f"text view: {RESULT['text_run']}")

    # Settings through the panel's properties.
    job("rotations_hues_positions", n_pairs=12, resolution=96, samples=16, folder="run1")
    with override():
        bpy.ops.identbox.preview_sample(index=3, view=2)
    yield 0.5
    RESULT["scene_after_preview"] = bpy.context.window_manager.windows[0].scene.name
    screenshot("preview.png")

    # Render Dataset, the modal way.
    with override():
        started = bpy.ops.identbox.render_dataset("INVOKE_DEFAULT")
    RESULT["invoke"] = sorted(started)
    log(f"render invoked: {started}")
    shot = False
    deadline = time.time() + 120
    while props().progress.running and time.time() < deadline:
        if not shot and props().progress.done >= 3:
            screenshot("rendering.png")
            RESULT["mid_run"] = {"done": props().progress.done, "total": props().progress.total,
                                 "running": props().progress.running}
            shot = True
        yield 0.05
    RESULT["run1"] = {"message": props().progress.message, "done": props().progress.done,
                      "total": props().progress.total}
    thumbnail = bpy.data.images.get("IdentBox Last Item")
    RESULT["thumbnail"] = None if thumbnail is None else {
        "file": os.path.basename(thumbnail.filepath), "size": list(thumbnail.size)}
    log(f"run 1 finished: {RESULT['run1']}")
    screenshot("finished.png")

    # The post-run buttons, in a Blender whose Python has no Pillow.
    try:
        import PIL  # noqa: F401
        RESULT["pillow"] = True
    except ImportError:
        RESULT["pillow"] = False
    tools = {}
    for name in ("validate_dataset", "contact_sheet", "plot_latents"):
        try:
            with override():
                tools[name] = sorted(getattr(bpy.ops.identbox, name)())
        except RuntimeError as error:
            tools[name] = str(error)
    tools["validate_message"] = props().progress.message
    editors = [a for w in bpy.context.window_manager.windows for a in w.screen.areas
               if a.type == "IMAGE_EDITOR" and a.spaces.active.image is not None]
    tools["image_editor"] = (os.path.basename(editors[0].spaces.active.image.filepath)
                             if editors else None)
    RESULT["tools"] = tools
    log(f"post-run buttons: {tools}")

    # Second run: press Cancel part-way, then resume.
    p = props()
    p.n_pairs = 40
    p.directory = os.path.join(OUT, "run2")
    with override():
        bpy.ops.identbox.render_dataset("INVOKE_DEFAULT")
    while props().progress.running and props().progress.done < 3:
        yield 0.02
    with override():
        bpy.ops.identbox.cancel_render()
    while props().progress.running:
        yield 0.05
    RESULT["cancelled"] = {"done": props().progress.done, "total": props().progress.total,
                           "message": props().progress.message}
    log(f"cancelled: {RESULT['cancelled']}")
    with override():
        bpy.ops.identbox.render_dataset("INVOKE_DEFAULT")
    while props().progress.running:
        yield 0.05
    RESULT["resumed"] = {"done": props().progress.done, "total": props().progress.total,
                         "message": props().progress.message}
    log(f"resumed: {RESULT['resumed']}")

    # The whole panel at the default sidebar width, scrolled down a page at a time, back in
    # the user's scene (what the README shows).
    with override():
        bpy.ops.identbox.back_to_scene()
    window, area = window_and_area()
    sidebar = next(r for r in area.regions if r.type == "UI")
    props().positions.marginal_low = 0.5  # an invalid value: said under its field
    props().positions.marginal_high = 0.2
    for a in window.screen.areas:
        a.tag_redraw()
    yield 0.5
    screenshot("invalid.png")
    props().positions.marginal_low = -1.0
    props().positions.marginal_high = 1.0
    for page in range(3):
        for a in window.screen.areas:
            a.tag_redraw()
        yield 0.5
        screenshot(f"sidebar_{page}.png")
        with bpy.context.temp_override(window=window, area=area, region=sidebar):
            for _ in range(12):
                bpy.ops.view2d.scroll_down()


def finish():
    with open(os.path.join(OUT, "result.json"), "w") as handle:
        json.dump(RESULT, handle, indent=2)
    bpy.ops.wm.quit_blender()


def main():
    RESULT["blender"] = bpy.app.version_string
    RESULT["installed"] = sorted(bpy.ops.preferences.addon_install(filepath=ADDON_ZIP))
    addon_utils.enable("identbox", default_set=True)
    RESULT["enabled"] = addon_utils.check("identbox")[1]
    iterator = steps()

    def tick():
        try:
            return next(iterator)
        except StopIteration:
            finish()
        except Exception:
            RESULT["errors"].append(traceback.format_exc())
            finish()
        return None

    bpy.app.timers.register(tick, first_interval=1.0)


main()
