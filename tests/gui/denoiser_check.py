"""Published Look in a Blender without OpenImageDenoise (Debian's 3.4), as a user meets it:
run inside Blender (blender -b --python denoiser_check.py -- OUT ZIP). Installs the add-on,
reads the Denoiser menu, presses Published Look and loads a preset that asks for
OpenImageDenoise, then renders one pair from the panel's settings. Results: OUT/result.json.
"""

import os
import sys

import addon_utils
import bpy

sys.path.insert(0, os.path.dirname(__file__))  # this test folder's drive.py
from drive import run_headless

OUT, ADDON_ZIP = sys.argv[sys.argv.index("--") + 1:][:2]
RESULT: dict = {"errors": []}


def render_one_pair(props) -> list[str]:  # type: ignore[no-untyped-def]
    props.n_pairs = 1
    props.render.resolution = 16
    props.render.samples = 1
    return sorted(bpy.ops.identbox.render_dataset())


def main() -> None:
    RESULT["installed"] = sorted(bpy.ops.preferences.addon_install(filepath=ADDON_ZIP))
    addon_utils.enable("identbox", default_set=True)
    from identbox.panels.base import settings_error  # the add-on's own module, as installed

    props = bpy.context.scene.identbox
    denoiser = props.render.bl_rna.properties["denoiser"]
    RESULT["menu"] = [(item.identifier, item.name) for item in denoiser.enum_items]
    props.directory = os.path.join(OUT, "published")
    RESULT["published_look"] = sorted(bpy.ops.identbox.use_published_look())
    RESULT["after_published_look"] = {"denoiser": props.render.denoiser,
                                      "samples": props.render.samples,
                                      "problem": settings_error(props)}
    RESULT["published_run"] = render_one_pair(props)
    RESULT["load_preset"] = sorted(bpy.ops.identbox.load_preset(name="temporal_causal3dident"))
    props.directory = os.path.join(OUT, "sequence")
    RESULT["after_preset"] = {"denoiser": props.render.denoiser, "mode": props.mode,
                              "problem": settings_error(props)}


run_headless(main, OUT, RESULT)
