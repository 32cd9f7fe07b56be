"""The panel's dataset tools as a user meets them in Debian's Blender 3.4 (no matplotlib, no
Pillow, no file browser; installed as a legacy add-on from the one zip): Plot Latents draws
pairs and sequences with markers one sees, Contact Sheet and Plot Latents are greyed out where
the folder holds a cube dataset, Open Output Folder says in the status bar why it could not
open the folder, a contact sheet opens in a window that shows it whole, and disabling the
add-on removes the images the tools loaded. Headless runs (tests/gui/tools_check.py) and a
real window under Xvfb (tests/gui/tools_window.py); each checks how Blender ended."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import REPO
from image_checks import load_rgba
from scipy import ndimage
from test_gui import assert_ended_cleanly, display, run_blender_in  # noqa: F401 (a fixture)

from identbox.dataset.sheets.sequence_sheet import TARGET
from identbox.dataset.sheets.sheets import ROLE_COLOURS

pytestmark = pytest.mark.blender
ARTIFACTS = REPO / "test-artifacts" / "gui"
OUTLINE = (200, 200, 200)  # the grey box around a scatter plot or a sequence's variable
SMALLEST_MARKER = 9  # pixels: a 3 x 3 square; a 1-pixel dot is not seen


Run = tuple[dict[str, Any], Path, subprocess.CompletedProcess[str], list[str]]


def run_script(root: Path, script: str, zip_path: Path, blender: str,
               screen: str | None) -> Run:
    out = root / "out"
    out.mkdir()
    command = [blender, "--factory-startup", "--python", str(REPO / "tests" / "gui" / script),
               "--", str(out), str(zip_path)]
    if screen is None:
        command.insert(1, "-b")
    proc, crashes = run_blender_in(root, command, screen, timeout=300)
    result_file = out / "result.json"
    assert result_file.exists(), proc.stdout[-3000:] + proc.stderr[-3000:]
    return json.loads(result_file.read_text()), out, proc, crashes


@pytest.fixture(scope="module")
def headless(tmp_path_factory: pytest.TempPathFactory, extension_zip: Path,
             debian_blender: str) -> Run:
    return run_script(tmp_path_factory.mktemp("tools"), "tools_check.py", extension_zip,
                      debian_blender, None)


@pytest.fixture(scope="module")
def window(tmp_path_factory: pytest.TempPathFactory, extension_zip: Path,
           debian_blender: str, display: str) -> Run:  # noqa: F811 (the fixture)
    ran = run_script(tmp_path_factory.mktemp("tools_window"), "tools_window.py",
                     extension_zip, debian_blender, display)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for shot in ran[1].glob("*.png"):
        shutil.copy(shot, ARTIFACTS / f"tools_{shot.name}")
    return ran


def coloured(image: np.ndarray, colour: tuple[int, int, int]) -> np.ndarray:
    return np.all(image[..., :3] == colour, axis=-1)


def boxes(image: np.ndarray) -> list[tuple[slice, slice]]:
    """The inside of every grey box (a scatter plot's, a sequence variable's strip)."""
    labels, _ = ndimage.label(coloured(image, OUTLINE))
    found = []
    for rows, cols in ndimage.find_objects(labels):
        if rows.stop - rows.start > 20 and cols.stop - cols.start > 20:
            found.append((slice(rows.start + 1, rows.stop - 1),
                          slice(cols.start + 1, cols.stop - 1)))
    return found


def markers(region: np.ndarray, colours: list[tuple[int, int, int]]) -> list[int]:
    """The size in pixels of each marker (a patch of one colour) in a region."""
    sizes: list[int] = []
    for colour in colours:
        labels, count = ndimage.label(coloured(region, colour), structure=np.ones((3, 3)))
        sizes += [int(n) for n in ndimage.sum_labels(np.ones_like(labels), labels,
                                                       range(1, count + 1))]
    return sizes


def test_blender_ends_cleanly_after_the_tools(headless: Run, window: Run) -> None:
    for result, _, proc, crashes in (headless, window):
        assert result["errors"] == [], result["errors"]
        assert result["blender"].startswith("3.4")
        assert_ended_cleanly(proc, crashes)
        assert "Traceback" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr


def test_plot_latents_of_8_pairs_draws_markers_one_sees_without_matplotlib(
        headless: Run) -> None:
    """Blender 3.4 drew 1-pixel dots (invisible with 8 pairs) and asked to install
    matplotlib; now every pair is a disc in its block type's colour, in every factor's box."""
    result, out, proc, _ = headless
    assert result["sampled"] == ["FINISHED"] and result["pairs_plot"] == ["FINISHED"]
    assert "matplotlib" not in proc.stdout + proc.stderr
    plot = load_rgba(out / "pairs" / "latents.png")
    found = boxes(plot)
    manifest = json.loads((out / "pairs" / "manifest.json").read_text())
    assert len(found) == len(manifest["columns"])  # a box per factor
    colours = [*ROLE_COLOURS.values(), (150, 150, 150)]
    for rows, cols in found:
        sizes = markers(plot[rows, cols], colours)
        assert sizes and min(sizes) >= SMALLEST_MARKER, sizes


def test_plot_latents_of_a_sequence_draws_without_matplotlib(headless: Run) -> None:
    """Blender 3.4 refused ("install matplotlib: /usr/bin/python3.11 -m pip install
    matplotlib", which Debian 12 refuses too); now a strip per variable that changes, its
    intervened frames as red discs."""
    result, out, proc, _ = headless
    assert result["sequence_render"] == ["FINISHED"]
    assert result["sequence_plot"] == ["FINISHED"], result["sequence_plot"]
    assert "pip install" not in proc.stdout + proc.stderr
    plot = load_rgba(out / "sequence" / "latents.png")
    latents = np.load(out / "sequence" / "factors" / "latents.npy")[:40]
    targets = np.load(out / "sequence" / "factors" / "interventions.npy")[:40]
    changing = np.ptp(latents, axis=0) > 0
    assert len(boxes(plot)) == int(changing.sum())
    sizes = markers(plot, [TARGET])
    assert sizes and min(sizes) >= SMALLEST_MARKER, sizes
    assert targets[:, changing].sum() > 0


def test_contact_sheet_and_plot_latents_are_greyed_out_on_a_cube_dataset(
        headless: Run) -> None:
    """Offered on a cube dataset's folder (the panel back in Pairs mode), then refused: now
    greyed out, the tooltip saying why."""
    result, *_ = headless
    assert result["cube_render"] == ["FINISHED"]
    assert result["offered_on_pairs"] == [True, True]
    assert result["offered_on_cube"] == [False, False]
    assert "holds a Cube dataset" in result["sheet_on_cube"]
    assert result["sequence_sheet"] == ["FINISHED"]  # a sequence's sheet is still drawn


def test_open_output_folder_without_a_file_browser_says_so_in_the_status_bar(
        headless: Run, window: Run) -> None:
    """xdg-open there but no file browser for it: Blender's path_open printed a traceback in
    the console and the button said nothing; now the status bar says it and where the folder
    is (the Info editor lists what the status bar shows)."""
    result, out, proc, _ = headless
    assert result["open_output"] == ["CANCELLED"]
    assert "CalledProcessError" not in proc.stdout + proc.stderr
    result, out, _, _ = window
    said = result["reports"][-1]
    assert said.startswith("No file browser opened it"), result["reports"]
    assert said.endswith(f"the folder is {out / 'pairs'}")


def test_a_contact_sheet_opens_in_a_window_that_shows_it_whole(window: Run) -> None:
    """After a preview (a 16 px scene), Contact Sheet opened a 320 x 256 render window at
    1:1, a corner of the sheet; now the window is the sheet's size (within the screen) and
    the Image Editor's zoom shows all of it, the latent plot after it too."""
    result, out, _, _ = window
    assert result["preview"] == ["FINISHED"] and result["scene_shown"] == "IdentBox"
    assert result["contact_sheet"] == ["FINISHED"] and result["plot_latents"] == ["FINISHED"]
    for editor, name in ((result["sheet_editor"], "contact_sheet.png"),
                         (result["plot_editor"], "latents.png")):
        assert editor["image"] == name and not editor["main_window"]
        (width, height), zoom, region = editor["image_size"], editor["zoom"], editor["region"]
        assert width * zoom[0] <= region[0] + 1 and height * zoom[1] <= region[1] + 1, editor
        assert min(zoom) >= 0.5, editor  # not a stamp in a big window either
    assert result["sheet_editor"]["window"][0] >= 1024  # the sheet's width: 4 pairs of 2 views
    # What the window showed: the sheet's white captions across its whole width.
    shot = load_rgba(out / "sheet_window.png")[..., :3]
    white = np.flatnonzero(coloured(shot, (255, 255, 255)).any(axis=0))
    zoom = result["sheet_editor"]["zoom"][0]
    assert white.size and white[-1] - white[0] + 1 >= 0.98 * 1024 * zoom


def test_images_the_tools_made_leave_with_the_addon(headless: Run, window: Run) -> None:
    """contact_sheet.png, latents.png (and .001) stayed in the file after disabling; now they
    are removed with the rest IdentBox made, also while a window shows one."""
    made = ("contact_sheet.png", "latents.png", "latents.png.001")
    for result, *_ in (headless, window):
        before, after = result["images_before_disable"], result["images_after_disable"]
        assert {"contact_sheet.png", "latents.png"} <= set(before)
        assert not set(after) & set(made), after
    assert window[0]["editor_after_disable"]["image"] is None
