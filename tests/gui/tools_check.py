"""The dataset tools in Debian's Blender 3.4 (no matplotlib, no Pillow, no file browser), as a
user meets them: run inside Blender (blender -b --python tools_check.py -- OUT ZIP). Installs
the add-on, then:
- Plot Latents on 8 pairs (latents sampled) and on a rendered sequence;
- whether Contact Sheet and Plot Latents are offered (poll) on a cube dataset's folder, with
  the panel back in Pairs mode, and on the pairs' folder;
- Open Output Folder where xdg-open is there but finds no file browser (OUT/bin/xdg-open
  fails as Debian's does without one);
- the images the tools loaded, before and after the add-on is disabled.
Results: OUT/result.json; the test reads the pictures the tools wrote under OUT.
"""

import os
import sys
from typing import Any

import addon_utils
import bpy

sys.path.insert(0, os.path.dirname(__file__))  # this test folder's drive.py
from drive import run_headless, without_a_file_browser

OUT, ADDON_ZIP = sys.argv[sys.argv.index("--") + 1:][:2]
RESULT: dict[str, Any] = {"errors": []}


def pressed(name: str) -> Any:
    """An operator's result as a list, or the message it was refused with."""
    try:
        return sorted(getattr(bpy.ops.identbox, name)())
    except RuntimeError as error:
        return str(error)


def offered(name: str) -> bool:
    """Whether the panel's button for the operator is enabled (its poll)."""
    return bool(getattr(bpy.ops.identbox, name).poll())


def images() -> list[str]:
    return sorted(image.name for image in bpy.data.images)


def main() -> None:
    RESULT["blender"] = bpy.app.version_string
    RESULT["installed"] = sorted(bpy.ops.preferences.addon_install(filepath=ADDON_ZIP))
    addon_utils.enable("identbox", default_set=True)
    from identbox.settings.kinds import settings_from_dict
    from identbox.settings.panel import show_in_props

    props = bpy.context.scene.identbox
    # Pairs: 8 pairs' latents, plotted.
    props.n_pairs = 8
    props.directory = os.path.join(OUT, "pairs")
    RESULT["sampled"] = pressed("sample_latents")
    RESULT["pairs_plot"] = pressed("plot_latents")
    RESULT["offered_on_pairs"] = [offered("contact_sheet"), offered("plot_latents")]
    # A sequence, rendered small, plotted; its contact sheet too.
    show_in_props(settings_from_dict({
        "kind": "sequence", "name": "tiny", "n_frames": 40, "n_independent": 1,
        "n_triplets": 1, "intervention_probability": 0.4, "seed": 3,
        "render": {"resolution": 16, "samples": 1}}), props)
    props.directory = os.path.join(OUT, "sequence")
    RESULT["sequence_render"] = pressed("render_dataset")
    RESULT["sequence_plot"] = pressed("plot_latents")
    RESULT["sequence_sheet"] = pressed("contact_sheet")
    # A cube dataset, then the panel back in Pairs mode on its folder.
    props.mode = "CUBE"
    props.cube.step = 3.0
    props.cube.sizes = "16"
    props.directory = os.path.join(OUT, "cube")
    RESULT["cube_render"] = pressed("render_cube")
    props.mode = "PAIRS"
    props.directory = os.path.join(OUT, "cube")
    RESULT["offered_on_cube"] = [offered("contact_sheet"), offered("plot_latents")]
    RESULT["sheet_on_cube"] = pressed("contact_sheet")
    # Open Output Folder with an xdg-open that finds no file browser.
    props.directory = os.path.join(OUT, "pairs")
    search_path = without_a_file_browser(OUT)
    try:
        RESULT["open_output"] = pressed("open_output")
    finally:
        os.environ["PATH"] = search_path
    # What the tools loaded, and what disabling the add-on leaves.
    RESULT["images_before_disable"] = images()
    addon_utils.disable("identbox", default_set=True)
    RESULT["images_after_disable"] = images()


run_headless(main, OUT, RESULT)
