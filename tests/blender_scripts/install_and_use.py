"""The extension zip in the real Blender: installed into a temporary user folder, enabled,
its operators and command line used, disabled and enabled again three times, and a render
that leaves the user's scene alone. tests/test_blender.py checks each named value."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import bpy

# isort: split
import addon_utils  # on sys.path once bpy is imported

MODULE = "bl_ext.user_default.identbox"
Result = dict[str, Any]
Command = Callable[[list[str]], int]


def install(zip_path: str, result: Result) -> dict[str, Command]:
    """Install and enable the zip, recording the command line commands it registers."""
    commands: dict[str, Command] = {}
    real_register_cli_command = bpy.utils.register_cli_command

    def recording_register_cli_command(name: str, function: Command) -> Any:
        commands[name] = function
        return real_register_cli_command(name, function)

    bpy.utils.register_cli_command = recording_register_cli_command
    bpy.ops.extensions.package_install_files(filepath=zip_path, repo="user_default",
                                             enable_on_install=True)
    user = os.environ["BLENDER_USER_RESOURCES"]
    result["installed_under_temp_user"] = os.path.isdir(
        os.path.join(user, "extensions", "user_default", "identbox"))
    result["enabled"] = addon_utils.check(MODULE)[1]
    result["operators"] = sorted(dir(bpy.ops.identbox))
    result["cli_commands"] = sorted(commands)
    return commands


def operate(commands: dict[str, Command], out_dir: str, result: Result) -> None:
    """`blender -c identbox` and Sample Latents write datasets; bad arguments are refused with
    a message and write nothing."""
    result["cli_status"] = commands["identbox"](["sample", "--n-pairs", "3",
                                                 "--out", os.path.join(out_dir, "from_cli")])
    result["cli_wrote"] = os.path.exists(os.path.join(out_dir, "from_cli", "manifest.json"))
    bpy.ops.identbox.sample_latents(preset="part2_causal", n_pairs=12, seed=3,
                                    directory=os.path.join(out_dir, "ok"))
    result["written"] = sorted(os.listdir(os.path.join(out_dir, "ok")))
    errors: list[str | None] = []
    for kwargs in ({"directory": os.path.join(out_dir, "ok"), "n_pairs": 13},
                   {"directory": os.path.join(out_dir, "bad"),
                    "settings_file": os.path.join(out_dir, "missing.json")},
                   {"directory": "//relative_to_unsaved_blend"}):
        try:
            bpy.ops.identbox.sample_latents(**kwargs)
            errors.append(None)
        except RuntimeError as error:
            errors.append(str(error))
    result["errors"] = errors
    result["bad_written"] = os.path.exists(os.path.join(out_dir, "bad"))


def reregister(out_dir: str, result: Result) -> None:
    """Disabled, nothing of IdentBox is left; enabled again, all of it is back and works."""
    cycles = []
    for _ in range(3):
        addon_utils.disable(MODULE, default_set=True)
        cycles.append({"off_types": [n for n in dir(bpy.types) if n.startswith("IDENTBOX_")],
                       "off_ops": dir(bpy.ops.identbox),
                       "off_scene_property": hasattr(bpy.types.Scene, "identbox")})
        addon_utils.enable(MODULE, default_set=True)
        cycles.append({"on_types": sorted(n for n in dir(bpy.types)
                                          if n.startswith("IDENTBOX_")),
                       "on_ops": sorted(dir(bpy.ops.identbox)),
                       "on_scene_property": hasattr(bpy.types.Scene, "identbox")})
    result["cycles"] = cycles
    bpy.ops.identbox.sample_latents(n_pairs=4, directory=os.path.join(out_dir, "after_cycles"))
    result["after_cycles"] = os.path.exists(os.path.join(out_dir, "after_cycles",
                                                          "manifest.json"))


def render(out_dir: str, result: Result) -> None:
    """Render Dataset writes every view and leaves the user's scene as it was."""
    user_scene = bpy.context.scene
    result["user_scene_objects_before"] = sorted(o.name for o in user_scene.objects)
    render_dir = os.path.join(out_dir, "rendered")
    bpy.ops.identbox.render_dataset(n_pairs=2, resolution=16, samples=2, directory=render_dir)
    result["rendered"] = [sorted(os.listdir(os.path.join(render_dir, "samples", v)))
                          for v in ("m1", "m2")]
    result["user_scene_objects_after"] = sorted(o.name for o in user_scene.objects)
    result["scenes"] = sorted(s.name for s in bpy.data.scenes)


def main(args: list[str]) -> Result:
    """args: the extension zip, and the folder the datasets are written under."""
    zip_path, out_dir = args
    result: Result = {"version": bpy.app.version_string}
    commands = install(zip_path, result)
    operate(commands, out_dir, result)
    reregister(out_dir, result)
    render(out_dir, result)
    return result
