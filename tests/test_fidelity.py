"""IdentBox against the original generator: the reference renders in
tests/data/reference/published-renders (eight pairs drawn by the original assets in Blender 3.4)
drawn again by IdentBox on the same latent rows and settings, in the bpy wheel and in Debian's
Blender 3.4. Per image: mean absolute error <= 2 / 255, PSNR >= 35 dB, and the teapot's mask
IoU >= 0.9 (so a wrong size cannot hide behind a good average)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import load_benchmark

pytestmark = pytest.mark.blender

fidelity = load_benchmark("fidelity")

MAX_MAE = 2.0
MIN_PSNR = 35.0
MIN_IOU = 0.9
# Two renders of the same scene with different Cycles seeds differ by about 0.3 / 255 after a
# 4 x 4 box blur (the reference's README); more is a systematic difference.
MAX_BLURRED_MAE = 0.6


def check(rows: list[dict[str, float]]) -> None:
    assert len(rows) == 16
    for row in rows:
        where = f"view {row['view']} pair {row['index']}"
        assert row["mae"] <= MAX_MAE, f"{where}: MAE {row['mae']:.2f} / 255"
        assert row["psnr"] >= MIN_PSNR, f"{where}: PSNR {row['psnr']:.1f} dB"
        assert row["iou"] >= MIN_IOU, f"{where}: teapot mask IoU {row['iou']:.3f}"
        assert row["blurred_mae"] <= MAX_BLURRED_MAE, (
            f"{where}: {row['blurred_mae']:.2f} / 255 after a 4 x 4 blur: not sampling noise")


@pytest.mark.every_blender  # 4.2: min IoU 0.979; 4.5 and 5.2: 0.982
def test_the_bpy_wheel_renders_the_published_look(tmp_path: Path) -> None:
    fidelity.render_reference_rows(tmp_path)
    check(fidelity.compare(tmp_path))


def test_blender_34_renders_the_published_look(tmp_path: Path, debian_blender: str) -> None:
    fidelity.render_reference_rows(tmp_path, debian_blender)
    rows = fidelity.compare(tmp_path)
    check(rows)
    # The same Blender as the reference: only the last bit of a few pixels may differ.
    assert np.mean([r["mae"] for r in rows]) < 0.5


def test_the_comparison_notices_wrapped_hues(tmp_path: Path) -> None:
    """The check can fail: the default wrapped hues miss the published colours of rows with
    a negative hue (pair 0 has two)."""
    fidelity.render_reference_rows(tmp_path, pairs=2, hue_mapping="wrapped")
    rows = fidelity.compare(tmp_path, pairs=2)
    assert max(r["mae"] for r in rows) > 3 * MAX_MAE
