"""Screenshots of the IdentBox sidebar at Blender's default sidebar width, every mode (run
inside Blender: blender --python screens_driver.py -- OUT ZIP). Opens the IdentBox tab as a
user does, with every sub-panel open (Causal, Intervention and Objects start closed), loads a
preset per mode (Pairs: part2_causal, with causal edges, and an intervention on its blocks made
content; Objects: clevr_like; Sequence: temporal_causal3dident; Cube), scrolls the sidebar page
by page and saves each page as OUT/full_MODE_PAGE.png, with the sidebar's place in
OUT/result.json.
"""

import os
import sys
import time

import bpy

sys.path.insert(0, os.path.dirname(__file__))  # this test folder's drive.py
from drive import install, run, xdotool

OUT, ADDON_ZIP = sys.argv[sys.argv.index("--") + 1:][:2]
RESULT: dict = {"errors": [], "shots": []}
MODES = (("PAIRS", "part2_causal"), ("OBJECTS", "clevr_like"),
         ("SEQUENCE", "temporal_causal3dident"), ("CUBE", None))
PAGES = 5


def open_every_sub_panel() -> None:
    """Register the sidebar's panels again without DEFAULT_CLOSED, before the sidebar is first
    drawn (a panel's open state is made then, and Python cannot open one afterwards), in the
    add-on's order, so the photographs show the sub-panels a user opens."""
    from identbox import panels

    ordered = [c for c in panels.classes if issubclass(c, bpy.types.Panel)]
    for panel in reversed(ordered):
        bpy.utils.unregister_class(panel)
    drawn = set()

    def recorded(draw, name):  # type: ignore[no-untyped-def]
        def draw_and_record(self, context):  # type: ignore[no-untyped-def]
            drawn.add(name)
            RESULT["drawn"] = sorted(drawn)
            draw(self, context)
        return draw_and_record

    for panel in ordered:
        panel.bl_options = set(getattr(panel, "bl_options", set())) - {"DEFAULT_CLOSED"}
        panel.draw = recorded(panel.draw, panel.bl_idname)
        bpy.utils.register_class(panel)


def window_area_sidebar():  # type: ignore[no-untyped-def]
    window = bpy.context.window_manager.windows[0]
    area = max((a for a in window.screen.areas if a.type == "VIEW_3D"),
               key=lambda a: a.width * a.height)
    sidebar = next(r for r in area.regions if r.type == "UI")
    return window, area, sidebar


def panel_drawn_since(moment: float) -> bool:
    from identbox.panels import dataset

    return getattr(dataset, "LAST_DRAW", 0.0) > moment


def shot(name: str) -> None:
    window, area, sidebar = window_area_sidebar()
    path = os.path.join(OUT, f"full_{name}")
    with bpy.context.temp_override(window=window, area=area, screen=window.screen):
        bpy.ops.screen.screenshot(filepath=path)
    RESULT["shots"].append({"name": name, "x": sidebar.x, "y": sidebar.y,
                            "width": sidebar.width, "height": sidebar.height,
                            "window_height": window.height})


def redraw() -> None:
    window, _, _ = window_area_sidebar()
    for a in window.screen.areas:
        a.tag_redraw()


def steps():  # type: ignore[no-untyped-def]
    window, area, sidebar = window_area_sidebar()
    xdotool("mousemove", "5", str(window.height - 5), "click", "1")  # close the splash
    yield 0.5
    open_every_sub_panel()
    area.spaces.active.show_region_ui = True
    redraw()
    yield 1.0
    window, area, sidebar = window_area_sidebar()
    x = sidebar.x + sidebar.width - 8
    top = window.height - (sidebar.y + sidebar.height)
    for y in range(top + 10, top + min(sidebar.height, 600), 12):
        moment = time.time()
        xdotool("mousemove", str(x), str(y), "click", "1")
        yield 0.3
        if panel_drawn_since(moment):
            break
    RESULT["sidebar_width"] = sidebar.width
    props = bpy.context.scene.identbox
    for mode, preset in MODES:
        props.mode = mode
        if preset:
            with bpy.context.temp_override(window=window, area=area):
                bpy.ops.identbox.load_preset(name=preset)
        props.mode = mode
        props.directory = os.path.join(OUT, mode.lower())  # a saved file's folder, as it were
        if mode == "PAIRS":  # an intervention's sentences, drawn when one is set (on blocks
            props.intervention.enabled = True  # that are content: do() replaces their rules)
            for block in (props.positions, props.rotations, props.hues):
                block.type = "content"
        redraw()
        yield 0.6
        window, area, sidebar = window_area_sidebar()
        with bpy.context.temp_override(window=window, area=area, region=sidebar):
            for _ in range(40):
                bpy.ops.view2d.scroll_up()
        for page in range(PAGES):
            redraw()
            yield 0.6
            shot(f"{mode.lower()}_{page}.png")
            with bpy.context.temp_override(window=window, area=area, region=sidebar):
                for _ in range(12):
                    bpy.ops.view2d.scroll_down()


install(RESULT, ADDON_ZIP)
run(steps, OUT, RESULT)
