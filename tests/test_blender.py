"""The extension in the real Blender (each bpy wheel `make test` runs: 4.2, 4.5, 5.2): build,
validate, install, enable, operate."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
import tomllib
from conftest import REPO, extension_cli, run_blender_file

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

@pytest.fixture(scope="module")
def installed(extension_zip: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The zip installed, enabled, operated and re-registered in one Blender run
    (blender_scripts/install_and_use.py), for the checks below."""
    tmp = tmp_path_factory.mktemp("install")
    return run_blender_file("install_and_use", tmp, str(extension_zip), str(tmp / "out"))


def test_the_blender_is_this_environments_wheel(installed: dict[str, Any]) -> None:
    wheel = importlib.metadata.version("bpy").split(".")[:2]
    assert installed["version"].split(".")[:2] == wheel


def test_the_zip_installs_and_enables_under_the_temporary_user(
        installed: dict[str, Any]) -> None:
    assert installed["installed_under_temp_user"] and installed["enabled"]
    assert installed["operators"] == OPERATORS


def test_the_command_line_runs_inside_blender(installed: dict[str, Any]) -> None:
    """`blender -b -c identbox ARGS` runs the same command line."""
    assert (installed["cli_commands"] == ["identbox"] and installed["cli_status"] == 0
            and installed["cli_wrote"])


def test_sample_latents_writes_a_dataset(installed: dict[str, Any]) -> None:
    assert installed["written"] == ["factors", "manifest.json"]


def test_bad_operator_arguments_are_refused_with_a_message(installed: dict[str, Any]) -> None:
    different, missing_file, unsaved = installed["errors"]
    assert different and "different dataset" in different
    assert missing_file and "settings_file" not in missing_file and "cannot be read" in missing_file
    assert unsaved and "save the .blend file" in unsaved
    assert not installed["bad_written"]


def test_disable_leaves_nothing_and_enable_brings_all_back(installed: dict[str, Any]) -> None:
    for off, on in zip(installed["cycles"][::2], installed["cycles"][1::2], strict=True):
        assert off == {"off_types": [], "off_ops": [], "off_scene_property": False}
        assert on["on_ops"] == OPERATORS and on["on_scene_property"]
        assert len(on["on_types"]) == len(OPERATORS) + 1 + 11 + 3  # + menu, panels, three lists
        assert "IDENTBOX_PT_progress" in on["on_types"]
    assert installed["after_cycles"]


def test_render_dataset_leaves_the_users_scene_alone(installed: dict[str, Any]) -> None:
    assert installed["rendered"] == [["000000.png", "000001.png"]] * 2
    assert installed["user_scene_objects_before"] == installed["user_scene_objects_after"]
    assert installed["scenes"] == ["IdentBox", "Scene"]


def test_no_traceback_and_no_relative_folder_warning(installed: dict[str, Any]) -> None:
    assert "Traceback" not in installed["_output"]
    assert "does not support blend relative" not in installed["_output"]  # 4.5+: "//" above


def test_the_same_folder_installs_as_a_legacy_addon(tmp_path: Path) -> None:
    r = run_blender_file("legacy_addon", tmp_path, str(REPO), str(tmp_path / "legacy_out"))
    assert r == {"enabled": True, "loaded_from_addons": True, "written": True,
                 "_output": r["_output"]}
