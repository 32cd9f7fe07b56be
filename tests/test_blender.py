"""The extension in the real Blender (each bpy wheel `make test` runs: 4.2, 4.5, 5.2): build,
validate, install, enable, operate."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import tomllib
from conftest import REPO, extension_cli, run_blender

import identbox

pytestmark = [pytest.mark.blender, pytest.mark.every_blender]


def test_versions_agree() -> None:
    manifest = tomllib.loads((REPO / "blender_manifest.toml").read_text())
    assert manifest["version"] == identbox.__version__
    assert ".".join(map(str, identbox.bl_info["version"])) == identbox.__version__
    assert manifest["id"] == "identbox" and manifest["blender_version_min"] == "4.2.0"
    assert "files" in manifest["permissions"]


def test_manifest_validates_with_blenders_cli() -> None:
    out = subprocess.run([sys.executable, str(extension_cli()), "validate", str(REPO)],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_zip_holds_the_extension_and_nothing_else(extension_zip: Path) -> None:
    """One folder, identbox/, holding the extension: Blender 4.2+ reads the manifest there and
    Blender 3.4's add-on installer unpacks it as the module (no loose files in addons/)."""
    names = set(zipfile.ZipFile(extension_zip).namelist())
    assert {name.split("/")[0] for name in names} == {"identbox"}
    names = {name.split("/", 1)[1] for name in names}
    for needed in ("blender_manifest.toml", "__init__.py", "sampling/sampler.py",
                   "operators/sample_latents.py", "panels/dataset.py",
                   "presets/hues_positions_rotations.json", "presets/part2_causal.json",
                   "presets/scene/published.json"):
        assert needed in names
    for name in names:
        top = name.split("/")[0]
        assert top not in {"tests", "benchmarks", ".ci", ".venv", ".venv-typing", "Makefile",
                           "pyproject.toml", ".git", "demo_dataset", "test-artifacts", "docs",
                           "dist", "out"}, name
        assert "__pycache__" not in name and not name.endswith(".pyc"), name
    out = subprocess.run([sys.executable, str(extension_cli()), "validate", str(extension_zip)],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


OPERATORS = sorted(["add_preset", "cancel_render", "edge_add", "edge_remove", "load_preset",
                    "load_render_preset", "open_output", "preview_sample", "remove_preset",
                    "render_dataset", "sample_latents", "validate_settings", "render_cube",
                    "play_cube_labels", "validate_dataset", "contact_sheet", "plot_latents",
                    "use_published_look", "back_to_scene", "view_add", "view_remove",
                    "template_add", "template_remove", "step_frame"])

INSTALL_AND_USE = """
import os, sys
import bpy, addon_utils

zip_path, out_dir = sys.argv[1], sys.argv[2]
result = {"version": bpy.app.version_string}
user = os.environ["BLENDER_USER_RESOURCES"]
commands = {}
real_register_cli_command = bpy.utils.register_cli_command
def recording_register_cli_command(name, function):
    commands[name] = function
    return real_register_cli_command(name, function)
bpy.utils.register_cli_command = recording_register_cli_command
bpy.ops.extensions.package_install_files(filepath=zip_path, repo="user_default",
                                         enable_on_install=True)
module = "bl_ext.user_default.identbox"
result["installed_under_temp_user"] = os.path.isdir(
    os.path.join(user, "extensions", "user_default", "identbox"))
result["enabled"] = addon_utils.check(module)[1]
result["operators"] = sorted(dir(bpy.ops.identbox))
result["cli_commands"] = sorted(commands)
result["cli_status"] = commands["identbox"](["sample", "--n-pairs", "3",
                                             "--out", os.path.join(out_dir, "from_cli")])
result["cli_wrote"] = os.path.exists(os.path.join(out_dir, "from_cli", "manifest.json"))

bpy.ops.identbox.sample_latents(preset="part2_causal", n_pairs=12, seed=3,
                                directory=os.path.join(out_dir, "ok"))
result["written"] = sorted(os.listdir(os.path.join(out_dir, "ok")))

errors = []
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

cycles = []
for _ in range(3):
    addon_utils.disable(module, default_set=True)
    cycles.append({"off_types": [n for n in dir(bpy.types) if n.startswith("IDENTBOX_")],
                   "off_ops": dir(bpy.ops.identbox),
                   "off_scene_property": hasattr(bpy.types.Scene, "identbox")})
    addon_utils.enable(module, default_set=True)
    cycles.append({"on_types": sorted(n for n in dir(bpy.types) if n.startswith("IDENTBOX_")),
                   "on_ops": sorted(dir(bpy.ops.identbox)),
                   "on_scene_property": hasattr(bpy.types.Scene, "identbox")})
result["cycles"] = cycles
bpy.ops.identbox.sample_latents(n_pairs=4, directory=os.path.join(out_dir, "after_cycles"))
result["after_cycles"] = os.path.exists(os.path.join(out_dir, "after_cycles", "manifest.json"))

user_scene = bpy.context.scene
result["user_scene_objects_before"] = sorted(o.name for o in user_scene.objects)
render_dir = os.path.join(out_dir, "rendered")
bpy.ops.identbox.render_dataset(n_pairs=2, resolution=16, samples=2, directory=render_dir)
result["rendered"] = [sorted(os.listdir(os.path.join(render_dir, "samples", v)))
                      for v in ("m1", "m2")]
result["user_scene_objects_after"] = sorted(o.name for o in user_scene.objects)
result["scenes"] = sorted(s.name for s in bpy.data.scenes)
report(result)
"""


def test_install_enable_operate_and_reregister(extension_zip: Path, tmp_path: Path) -> None:
    r = run_blender(INSTALL_AND_USE, tmp_path, str(extension_zip), str(tmp_path / "out"))
    wheel = importlib.metadata.version("bpy").split(".")[:2]
    assert r["version"].split(".")[:2] == wheel  # the Blender of this environment's wheel
    assert r["installed_under_temp_user"] and r["enabled"]
    assert r["operators"] == OPERATORS
    # `blender -b -c identbox ARGS` runs the same command line
    assert r["cli_commands"] == ["identbox"] and r["cli_status"] == 0 and r["cli_wrote"]
    assert r["written"] == ["factors", "manifest.json"]
    different, missing_file, unsaved = r["errors"]
    assert different and "different dataset" in different
    assert missing_file and "settings_file" not in missing_file and "cannot be read" in missing_file
    assert unsaved and "save the .blend file" in unsaved
    assert not r["bad_written"]
    for off, on in zip(r["cycles"][::2], r["cycles"][1::2], strict=True):
        assert off == {"off_types": [], "off_ops": [], "off_scene_property": False}
        assert on["on_ops"] == OPERATORS and on["on_scene_property"]
        assert len(on["on_types"]) == len(OPERATORS) + 1 + 11 + 3  # + menu, panels, three lists
        assert "IDENTBOX_PT_progress" in on["on_types"]
    assert r["rendered"] == [["000000.png", "000001.png"]] * 2
    assert r["user_scene_objects_before"] == r["user_scene_objects_after"]
    assert r["scenes"] == ["IdentBox", "Scene"]
    assert r["after_cycles"]
    assert "Traceback" not in r["_output"]
    assert "does not support blend relative" not in r["_output"]  # 4.5+: the "//" folder above


LEGACY = """
import os, shutil, sys
import bpy, addon_utils

source, out_dir = sys.argv[1], sys.argv[2]
addons = bpy.utils.user_resource("SCRIPTS", path="addons", create=True)
shutil.copytree(source, os.path.join(addons, "identbox"),
                ignore=shutil.ignore_patterns(".*", "tests", "__pycache__", "demo_dataset"))
bpy.utils.refresh_script_paths()  # the addons folder is new: put it on sys.path
addon_utils.enable("identbox", default_set=True)
bpy.ops.identbox.sample_latents(n_pairs=5, directory=out_dir)
report({"enabled": addon_utils.check("identbox")[1],
        "loaded_from_addons": sys.modules["identbox"].__file__.startswith(addons),
        "written": os.path.exists(os.path.join(out_dir, "manifest.json"))})
"""


def test_the_same_folder_installs_as_a_legacy_addon(tmp_path: Path) -> None:
    r = run_blender(LEGACY, tmp_path, str(REPO), str(tmp_path / "legacy_out"))
    assert r == {"enabled": True, "loaded_from_addons": True, "written": True,
                 "_output": r["_output"]}
