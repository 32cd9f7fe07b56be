"""contact-sheet and plot-latents: images of the right size whose panels say what the data is,
and text views' sentences printed under their pair's images."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from image_checks import load_rgba

from identbox.dataset.sheets.sheets import (
    LINE,
    ROLE_COLOURS,
    SENTENCE,
    caption_lines,
    contact_sheet,
    raster,
)
from identbox.dataset.writing.writer import write_latents
from identbox.settings.pairs import DatasetSettings

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
    assert plot.shape[:2] == (768, 1440)  # matplotlib: ten factors, five per row, 120 dpi
    for role in ("content", "style", "m1"):  # each block type's colour is drawn
        assert (np.abs(plot.astype(int) - ROLE_COLOURS[role]).max(axis=2) <= 1).sum() > 100, role
    bad = cli("plot-latents", "nothing_here", "--out", "x.png", cwd=tmp_path)
    assert bad.returncode == 2 and not (tmp_path / "x.png").exists()


def test_a_text_view_s_sentence_is_printed_under_the_image(tmp_path: Path) -> None:
    preset = {"name": "text", "n_pairs": 3, "seed": 2, "views": [{}, {"modality": "text"}],
              "render": {"resolution": 32, "samples": 2}}
    (tmp_path / "p.json").write_text(json.dumps(preset))
    done = cli("render", "--preset", "p.json", "--out", "d", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = cli("contact-sheet", "d", "--out", "sheet.png", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    sheet = load_rgba(tmp_path / "sheet.png")[..., :3]
    assert sheet.shape[1] == 4 * 128  # one image a pair: a text view has no image column
    first = load_rgba(tmp_path / "d/samples/m1/000000.png")[..., :3]
    assert np.abs(sheet[:128, :128].mean(axis=(0, 1)) - first.mean(axis=(0, 1))).max() < 3
    sentences = (tmp_path / "d/samples/m2/sentences.txt").read_text().splitlines()
    for pair in range(3):  # each pair's sentence, wrapped to its cell, right under its image
        lines = caption_lines(sentences[pair], 128 - 6)
        assert len(lines) >= 3 and max(map(len, lines)) <= 122 // raster.CHAR_WIDTH
        assert " ".join(lines) == sentences[pair]
        expected = raster.canvas(LINE * len(lines), 128)
        for k, line in enumerate(lines):
            raster.text(expected, 3, LINE * k, line, SENTENCE)
        drawn = sheet[130:130 + LINE * len(lines), 128 * pair:128 * (pair + 1)]
        assert np.array_equal(drawn, expected), pair
    assert not np.array_equal(sheet[130:130 + LINE, :128], sheet[130:130 + LINE, 128:256])


def test_a_sheet_of_text_views_alone(tmp_path: Path) -> None:
    text = {"modality": "text"}
    settings = DatasetSettings.from_dict({"n_pairs": 5, "views": [text, text | {"name": "b"}]})
    write_latents(settings, tmp_path / "d")  # text alone: no images, no Blender
    contact_sheet(tmp_path / "d", tmp_path / "sheet.png")
    sheet = load_rgba(tmp_path / "sheet.png")[..., :3]
    assert sheet.shape[1] == 4 * 128
    top = caption_lines("m1: " + (tmp_path / "d/samples/m1/sentences.txt").read_text()
                        .splitlines()[0], 122)[0]
    expected = raster.canvas(LINE, 128)
    raster.text(expected, 3, 0, top, SENTENCE)
    assert np.array_equal(sheet[2:2 + LINE, :128], expected)
