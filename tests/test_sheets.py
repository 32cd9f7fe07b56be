"""contact-sheet and plot-latents: images of the right size whose panels say what the data is."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from image_checks import load_rgba

from identbox.dataset.sheets import ROLE_COLOURS

pytestmark = pytest.mark.blender


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "identbox", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_contact_sheet_and_latent_plot(tmp_path: Path) -> None:
    assert cli("render", "--n-pairs", "5", "--resolution", "32", "--samples", "2", "--out", "d",
               cwd=tmp_path).returncode == 0
    out = cli("contact-sheet", "d", "--pairs", "5", "--out", "sheet.png", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    sheet = load_rgba(tmp_path / "sheet.png")
    assert sheet.shape[1] == 4 * 2 * 128 and sheet.shape[0] >= 2 * 128
    first = load_rgba(tmp_path / "d/samples/m1/000000.png")[..., :3]
    # The first cell is pair 0's view 1, scaled up: its mean colour is the image's.
    assert np.abs(sheet[:128, :128, :3].mean(axis=(0, 1)) - first.mean(axis=(0, 1))).max() < 3

    assert cli("sample", "--n-pairs", "2000", "--out", "many", cwd=tmp_path).returncode == 0
    assert cli("plot-latents", "many", "--out", "plot.png", cwd=tmp_path).returncode == 0
    plot = load_rgba(tmp_path / "plot.png")[..., :3]
    assert plot.shape[:2] == (2 * 240, 5 * 180)  # ten factors, five per row
    for role in ("content", "style", "m1"):  # each block type's colour is drawn
        assert (np.abs(plot.astype(int) - ROLE_COLOURS[role]).max(axis=2) == 0).any(), role
    bad = cli("plot-latents", "nothing_here", "--out", "x.png", cwd=tmp_path)
    assert bad.returncode == 2 and not (tmp_path / "x.png").exists()
