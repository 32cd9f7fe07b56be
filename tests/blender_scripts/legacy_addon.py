"""The repository folder installed as a legacy add-on (as Blender 3.4 takes it) in the real
Blender: enabled from the user's addons folder, and its operator writes a dataset."""

from __future__ import annotations

import os
import shutil
import sys

import bpy

# isort: split
import addon_utils  # on sys.path once bpy is imported


def main(args: list[str]) -> dict[str, bool]:
    """args: the repository, and the folder the dataset is written to."""
    source, out_dir = args
    addons = bpy.utils.user_resource("SCRIPTS", path="addons", create=True)
    shutil.copytree(source, os.path.join(addons, "identbox"),
                    ignore=shutil.ignore_patterns(".*", "tests", "__pycache__", "demo_dataset"))
    bpy.utils.refresh_script_paths()  # the addons folder is new: put it on sys.path
    addon_utils.enable("identbox", default_set=True)
    bpy.ops.identbox.sample_latents(n_pairs=5, directory=out_dir)
    return {"enabled": addon_utils.check("identbox")[1],
            "loaded_from_addons": str(sys.modules["identbox"].__file__).startswith(addons),
            "written": os.path.exists(os.path.join(out_dir, "manifest.json"))}
