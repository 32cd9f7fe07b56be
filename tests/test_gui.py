"""The add-on in a real Blender window (Debian's Blender 3.4 under Xvfb, installed as a legacy
add-on from the one zip `make extension` builds for every Blender), following a new user's
paths: Render Dataset from their own scene, previews, runs of every kind and back, the
post-run buttons without Pillow, cancel and resume. Every test fails on a console traceback.
Screenshots and the console are kept in test-artifacts/gui/."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from conftest import REPO, _apt_install
from image_checks import load_rgba

from identbox.dataset import read_manifest, settings_from_manifest
from identbox.dataset.writing.writer import holds_dataset, text_of
from identbox.settings.views import views_of

pytestmark = pytest.mark.blender
ARTIFACTS = REPO / "test-artifacts" / "gui"


@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    """A virtual screen (Xvfb), started here and stopped after; installs Xvfb and xdotool."""
    if not (shutil.which("Xvfb") and shutil.which("xdotool")):
        _apt_install("xvfb", "xdotool")
    number = next(n for n in range(90, 200) if not Path(f"/tmp/.X11-unix/X{n}").exists())
    server = subprocess.Popen(["Xvfb", f":{number}", "-screen", "0", "1600x1000x24"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while not Path(f"/tmp/.X11-unix/X{number}").exists():
        assert server.poll() is None and time.monotonic() < deadline, "Xvfb did not start"
        time.sleep(0.1)
    yield f":{number}"
    server.terminate()
    server.wait(timeout=10)


def run_blender_in(root: Path, command: list[str], display: str | None,
                   timeout: int = 600) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Run Blender with its user scripts and temporary folder under root (in a window on the
    display, or headless for None); return how it ended and the crash reports it wrote there
    (Blender writes NAME.crash.txt to its temporary folder when it crashes)."""
    temporary = root / "tmp"
    temporary.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, BLENDER_USER_SCRIPTS=str(root / "user" / "scripts"),
               TMPDIR=str(temporary))
    if display:
        env["DISPLAY"] = display
    proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout,
                          cwd=root)
    crashes = [f"{p.name}:\n{p.read_text(errors='replace')[:3000]}"
               for p in sorted(temporary.rglob("*.crash.txt"))]
    return proc, crashes


def assert_ended_cleanly(proc: subprocess.CompletedProcess[str], crashes: list[str]) -> None:
    """Exit status 0 and no crash report: how Blender ended, not only what it printed."""
    assert not crashes, "\n".join(crashes)
    assert proc.returncode == 0, f"exit status {proc.returncode}:\n{proc.stderr[-3000:]}"


def run_driver(name: str, tmp_path: Path, extension_zip: Path, blender: str,
               display: str | None) -> dict:
    """Run tests/gui/NAME.py in Blender (in a window on the display; headless for None) with
    OUT = tmp_path/out and the zip; it must end cleanly and record no error. Its result, with
    what Blender printed under "_stdout"."""
    out = tmp_path / "out"
    out.mkdir()
    proc, crashes = run_blender_in(tmp_path, [
        blender, *([] if display else ["-b"]), "--factory-startup", "--python",
        str(REPO / "tests" / "gui" / f"{name}.py"), "--", str(out), str(extension_zip)],
        display, timeout=300)
    assert_ended_cleanly(proc, crashes)
    result = json.loads((out / "result.json").read_text())
    assert result["errors"] == [], result["errors"]
    return {**result, "_stdout": proc.stdout}


@pytest.fixture(scope="module")
def gui_run(tmp_path_factory: pytest.TempPathFactory, extension_zip: Path,
            debian_blender: str, display: str) -> tuple[dict, Path]:
    root = tmp_path_factory.mktemp("gui")
    out = root / "out"
    out.mkdir()
    proc, crashes = run_blender_in(root, [
        debian_blender, "--factory-startup", "--python", str(REPO / "tests" / "gui" / "driver.py"),
        "--", str(out), str(extension_zip)], display)  # the one zip: a legacy add-on on 3.4
    result_file = out / "result.json"
    assert result_file.exists(), proc.stdout[-3000:] + proc.stderr[-3000:]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for shot in out.glob("*.png"):
        shutil.copy(shot, ARTIFACTS / shot.name)
    (ARTIFACTS / "console.txt").write_text(proc.stdout + proc.stderr)
    result = json.loads(result_file.read_text())
    result["console"] = proc.stdout + proc.stderr
    result["ended"] = (proc, crashes)
    return result, out


def complete(root: Path, n_pairs: int) -> bool:
    settings = settings_from_manifest(read_manifest(root / "manifest.json"))
    names = [f"{i:06d}.png" for i in range(n_pairs)]
    images_ok = all(sorted(os.listdir(root / "samples" / v)) == names for v in ("m1", "m2"))
    return settings.n_pairs == n_pairs and holds_dataset(root, settings) and images_ok


def test_blender_exits_cleanly_after_the_walk(gui_run: tuple[dict, Path]) -> None:
    result, _ = gui_run
    assert_ended_cleanly(*result["ended"])


@pytest.fixture(scope="module", params=["quit", "disable"])
def left_blender(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                 extension_zip: Path, debian_blender: str,
                 display: str) -> tuple[dict, Path, tuple]:
    """A user previews (the IdentBox scene shown), opens Preferences and the window Contact
    Sheet opens, saves, then quits with them open, or disables the add-on first."""
    root = tmp_path_factory.mktemp(f"left_{request.param}")
    out = root / "out"
    out.mkdir()
    ended = run_blender_in(root, [
        debian_blender, "--factory-startup", "--python",
        str(REPO / "tests" / "gui" / "quit_driver.py"), "--", str(out), str(extension_zip),
        request.param], display, timeout=300)
    result_file = out / "result.json"
    assert result_file.exists(), ended[0].stdout[-3000:] + ended[0].stderr[-3000:]
    return json.loads(result_file.read_text()), root, ended


def test_quitting_or_disabling_with_several_windows_open_ends_cleanly(
        left_blender: tuple[dict, Path, tuple]) -> None:
    result, _, ended = left_blender
    assert result["errors"] == [] and result["preview"] == ["FINISHED"]
    assert result["shown_after_preview"] == "IdentBox" and result["windows"] == 3
    assert_ended_cleanly(*ended)
    if "scenes_after_disable" in result:  # disabled first: the file is the user's again
        assert result["scenes_after_disable"] == [result["user_scene"]]
        assert result["shown_after_disable"] == result["user_scene"]
        assert result["enabled_after_disable"] is False


def test_the_saved_file_opens_and_exits_headless_with_the_addon(
        left_blender: tuple[dict, Path, tuple], debian_blender: str) -> None:
    """The file saved with the IdentBox scene in its windows, opened by a Blender that has
    the add-on enabled, headless: it must end as cleanly as it started."""
    _, root, _ = left_blender
    proc, crashes = run_blender_in(root, [
        debian_blender, "-b", str(root / "out" / "saved.blend"), "--addons", "identbox",
        "--python-expr", "print('opened')"], None, timeout=120)
    assert "opened" in proc.stdout
    assert_ended_cleanly(proc, crashes)


def test_back_to_scene_after_reopening_the_file_restores_the_users_view(
        tmp_path: Path, extension_zip: Path, debian_blender: str, display: str) -> None:
    """Preview, save, reopen, Back to Scene: the user's orbited view, floor grid, axes and
    shading come back (they were kept in memory only, so a reopened file stayed in camera
    view with the overlays hidden)."""
    result = run_driver("reopen_driver", tmp_path, extension_zip, debian_blender, display)
    assert result["previewing"]["perspective"] == "CAMERA"
    assert result["previewing"]["floor"] is False
    assert result["previewing"]["relationship_lines"] is False  # no spotlight-teapot dashes
    assert result["before"]["relationship_lines"] is True
    assert result["reopened"]["scene"] == "IdentBox"  # the file was saved while previewing
    assert result["back"] == ["FINISHED"]
    assert result["after_back"] == result["before"]


def test_a_run_that_fails_part_way_returns_to_the_users_scene(
        tmp_path: Path, extension_zip: Path, debian_blender: str, display: str) -> None:
    """Render Dataset from an orbited view, then the output folder turns into a file mid-run:
    the panel says the run failed and the window is back on the user's scene, their view as
    before (it stayed on the IdentBox scene, grey in solid shading)."""
    result = run_driver("failed_run_driver", tmp_path, extension_zip, debian_blender, display)
    assert result["started"] == ["RUNNING_MODAL"]
    assert result["during"]["scene"] != result["before"]["scene"]  # the run shows its scene
    assert result["message"].startswith("Failed: "), result["message"]
    assert result["after"] == result["before"]


def test_undo_and_redo_after_back_to_scene_stay_in_the_users_scene(
        tmp_path: Path, extension_zip: Path, debian_blender: str, display: str) -> None:
    """Preview, Back to Scene, move the cube, Ctrl+Z, Shift+Ctrl+Z: the cube moves back and
    forth and the window stays on the user's scene (undo switched it to the IdentBox scene)."""
    result = run_driver("undo_driver", tmp_path, extension_zip, debian_blender, display)
    user = result["before"]["scene"]
    assert result["previewing"]["scene"] != user
    assert result["back_in"] == result["before"]
    assert result["after_move"] == {"scene": user, "cube_x": result["before"]["cube_x"] + 1.0}
    assert result["undo"] == result["redo"] == ["FINISHED"]
    assert result["after_undo"] == result["before"]
    assert result["after_redo"] == result["after_move"]


def test_every_mode_is_photographed_at_the_default_sidebar_width(
        tmp_path: Path, extension_zip: Path, debian_blender: str, display: str) -> None:
    """tests/gui/screens_driver.py, which draws docs/panel_*.png: five pages of each mode at
    Blender's default sidebar width, every sub-panel open (those closed by default too)."""
    result = run_driver("screens_driver", tmp_path, extension_zip, debian_blender, display)
    for closed_by_default in ("IDENTBOX_PT_causal", "IDENTBOX_PT_intervention",
                              "IDENTBOX_PT_objects"):
        assert closed_by_default in result["drawn"]
    assert len(result["shots"]) == 20 and result["sidebar_width"] < 260  # Blender's default
    for shot in result["shots"]:
        image = load_rgba(tmp_path / "out" / f"full_{shot['name']}")
        assert image.shape[:2] == (1000, 1600), shot["name"]


def test_published_look_in_a_blender_without_openimagedenoise(
        tmp_path: Path, extension_zip: Path, debian_blender: str) -> None:
    """Debian's Blender 3.4 has no OpenImageDenoise: its Denoiser menu offers None alone, and
    Published Look (or a preset asking for the denoiser) sets None and says so, so the panel
    never shows a setting the run then refuses; the run renders."""
    result = run_driver("denoiser_check", tmp_path, extension_zip, debian_blender, None)
    assert result["menu"] == [["none", "None"]]
    assert result["published_look"] == ["FINISHED"] and result["load_preset"] == ["FINISHED"]
    for after in (result["after_published_look"], result["after_preset"]):
        assert after["denoiser"] == "none" and after["problem"] is None, after
    assert result["after_published_look"]["samples"] == 512  # the rest of the look stays
    said = result["_stdout"].count("Blender 3.4.1 has no OpenImageDenoise")
    assert said == 2, result["_stdout"]
    assert result["published_run"] == ["FINISHED"]
    manifest = read_manifest(tmp_path / "out" / "published" / "manifest.json")
    assert manifest["settings"]["render"]["denoiser"] == "none"


def test_the_console_shows_no_traceback(gui_run: tuple[dict, Path]) -> None:
    """Every path below, as a user takes it, without a Python traceback in Blender's console."""
    result, _ = gui_run
    console = result["console"]
    assert "Traceback" not in console, console[max(0, console.find("Traceback") - 2000):][:6000]
    assert "missing 'bl_info'" not in console  # no loose modules unpacked into addons/


def test_first_render_from_the_users_scene_without_a_preview(gui_run: tuple[dict, Path]) -> None:
    result, out = gui_run
    assert result["first"]["done"] == 3 and result["first"]["message"].startswith("Done")
    assert complete(out / "first", 3)
    back = result["first_back"]
    assert back["result"] == ["FINISHED"] and back["scene"] == result["user_scene"]
    assert back["viewport"] == result["user_viewport"]  # not left in camera view


def test_causal_edges_survive_a_preview(gui_run: tuple[dict, Path]) -> None:
    result, out = gui_run
    assert result["part2"]["done"] == 2
    settings = settings_from_manifest(read_manifest(out / "part2" / "manifest.json"))
    assert settings.name == "part2_causal" and len(settings.causal_edges) == 3
    assert complete(out / "part2", 2)


def test_touching_the_preview_during_a_render_does_not_stop_it(
        gui_run: tuple[dict, Path]) -> None:
    result, out = gui_run
    assert result["touched"]["done"] == 8 and result["touched"]["message"].startswith("Done")
    assert result["preview_during_render"] == ["CANCELLED"]  # refused with a message
    assert complete(out / "touched", 8)


def test_objects_and_cube_runs_then_back_to_the_users_scene(gui_run: tuple[dict, Path]) -> None:
    result, out = gui_run
    assert result["objects"]["done"] == 2 and result["objects"]["message"].startswith("Done")
    assert result["objects_preview"] == ["FINISHED"]  # Objects mode previews too
    assert result["objects_preview_scene"] == "IdentBox Objects"
    assert result["cube"]["message"].startswith("Done")
    for back in (result["objects_back"], result["cube_back"]):
        assert back["scene"] == result["user_scene"]
        assert back["viewport"] == result["user_viewport"]
    assert result["mode_after_cube"] == "CUBE"  # the user's settings, not a stale copy
    assert (out / "cube" / "manifest.json").exists()


def test_sequence_mode_steps_the_preview_and_renders(gui_run: tuple[dict, Path]) -> None:
    """Sequence mode: the temporal preset in the panel, its preview stepped to frame 2 in the
    IdentBox Sequence scene, Render Dataset (modal) writing every frame, then back."""
    result, out = gui_run
    assert result["sequence_preview"] == ["FINISHED"] and result["sequence_frame"] == 2
    assert result["sequence_preview_scene"] == "IdentBox Sequence"
    assert result["sequence"]["done"] == 3 and result["sequence"]["message"].startswith("Done")
    assert "3 frames" in result["sequence"]["message"]
    root = out / "sequence"
    assert sorted(os.listdir(root / "samples")) == [f"00000{i}.png" for i in range(3)]
    manifest = json.loads((root / "manifest.json").read_text())
    assert manifest["format"] == "identbox-sequence/1" and manifest["frames"] == 3
    assert result["sequence_back"]["scene"] == result["user_scene"]


def test_a_third_view_added_in_the_views_list_is_rendered(gui_run: tuple[dict, Path]) -> None:
    """The Views list's + adds view 3, its material is chosen in the list, the preview shows
    view 3 and Render Dataset writes samples/m3 with the manifest listing the three views."""
    result, out = gui_run
    assert result["view_add"] == ["FINISHED"]
    assert result["views_preview_scene"] == "IdentBox"
    assert result["views_run"]["done"] == 2 and result["views_run"]["message"].startswith("Done")
    root = out / "views"
    for view in ("m1", "m2", "m3"):
        assert sorted(os.listdir(root / "samples" / view)) == ["000000.png", "000001.png"]
    assert load_rgba(root / "samples" / "m3" / "000001.png").shape == (32, 32, 4)
    manifest = read_manifest(root / "manifest.json")
    assert [(v.name, v.material) for v in views_of(settings_from_manifest(manifest))] == [
        ("m1", "MyMetal"), ("m2", "Rubber"), ("m3", "Crystal")]
    assert manifest["settings"]["views"][2] == {"name": "m3", "modality": "image",
                                                "material": "Crystal"}


def test_a_view_made_text_in_the_panel_writes_sentences(gui_run: tuple[dict, Path]) -> None:
    """View 2's Modality set to Text in the Views list: the preview still shows view 2's
    scene, and Render Dataset writes view 1's images and view 2's sentences (no images)."""
    result, out = gui_run
    assert result["text_preview_scene"] == "IdentBox"
    assert result["text_run"]["done"] == 3 and result["text_run"]["message"].startswith("Done")
    root = out / "text"
    assert sorted(os.listdir(root / "samples" / "m2")) == ["sentences.txt"]
    assert len(os.listdir(root / "samples" / "m1")) == 3
    sentences = (root / "samples" / "m2" / "sentences.txt").read_text().splitlines()
    settings = settings_from_manifest(read_manifest(root / "manifest.json"))
    assert len(sentences) == 3 and all("teapot" in s for s in sentences)
    assert sentences == text_of(settings, settings.sample().latents(2), 2).lines


def test_the_addon_runs_in_a_real_window(gui_run: tuple[dict, Path]) -> None:
    result, _ = gui_run
    assert result["errors"] == []
    assert result["blender"].startswith("3.4") and result["enabled"]
    assert result["installed"] == ["FINISHED"]  # Blender's own legacy add-on installer
    assert result["tab_open"], "the IdentBox tab did not open"
    assert result["scene_after_preview"] == "IdentBox"


def test_modal_render_shows_progress_and_completes(gui_run: tuple[dict, Path]) -> None:
    result, out = gui_run
    assert result["invoke"] == ["RUNNING_MODAL"]  # the real modal path, not execute()
    mid = result["mid_run"]
    assert mid["running"] and 3 <= mid["done"] < mid["total"] == 12
    assert result["run1"]["done"] == 12 and result["run1"]["message"].startswith("Done")
    # The panel's thumbnail: a view-1 image of this run, at the run's resolution.
    thumbnail = result["thumbnail"]
    assert thumbnail is not None and thumbnail["size"] == [96, 96]
    assert thumbnail["file"].endswith(".png") and len(thumbnail["file"]) == len("000000.png")
    assert complete(out / "run1", 12)
    settings = settings_from_manifest(read_manifest(out / "run1" / "manifest.json"))
    assert settings.name == "rotations_hues_positions"  # set through the panel's properties
    assert settings.render.resolution == 96
    image = load_rgba(out / "run1" / "samples" / "m2" / "000005.png")
    assert image.shape == (96, 96, 4) and image[..., :3].std() > 1


def test_post_run_buttons_in_a_blender_without_pillow(gui_run: tuple[dict, Path]) -> None:
    """Debian's Blender has no Pillow: Validate decodes with Blender's image API, the two
    pictures are drawn with numpy and shown in an Image Editor (opened when none is)."""
    result, out = gui_run
    assert result["pillow"] is False
    tools = result["tools"]
    assert tools["validate_dataset"] == ["FINISHED"]
    assert "0 failed" in tools["validate_message"]
    assert tools["contact_sheet"] == ["FINISHED"] and tools["plot_latents"] == ["FINISHED"]
    sheet = load_rgba(out / "run1" / "contact_sheet.png")
    assert sheet.shape[1] == 4 * 2 * 128
    assert tools["image_editor"] in ("contact_sheet.png", "latents.png")


def test_cancel_stops_early_and_render_resumes(gui_run: tuple[dict, Path]) -> None:
    result, out = gui_run
    cancelled = result["cancelled"]
    assert 3 <= cancelled["done"] < cancelled["total"] == 40
    assert "Stopped" in cancelled["message"]
    assert result["resumed"]["done"] == 40
    assert complete(out / "run2", 40)
    assert not list((out / "run2").rglob("*.tmp"))


def test_screenshots_show_the_window(gui_run: tuple[dict, Path]) -> None:
    _, out = gui_run
    for name in ("panel.png", "preview.png", "rendering.png", "finished.png", "views.png",
                 "text_view.png", "text_preview.png", "sequence.png"):
        image = load_rgba(out / name)
        assert image.shape[:2] == (1000, 1600), name
        assert np.unique(image[..., :3].reshape(-1, 3), axis=0).shape[0] > 100, name

