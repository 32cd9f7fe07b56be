"""What a job will write, known before it runs (the panel shows it next to Render)."""

from __future__ import annotations

from pathlib import Path

import pytest

from identbox.render.estimates import clock_text, estimate, free_bytes, size_text
from identbox.settings.cube import CubeSettings
from identbox.settings.pairs import DatasetSettings
from identbox.settings.render import RenderSettings, RunOptions


def test_pairs_images_and_bytes_per_shard() -> None:
    settings = DatasetSettings(n_pairs=10, render=RenderSettings(resolution=128))
    whole = estimate(settings, RunOptions())
    assert (whole.items, whole.images, whole.unit) == (10, 20, "pairs")
    assert 20 * 128 * 128 <= whole.bytes <= 20 * 128 * 128 * 4  # PNG, noisy frames
    shard = estimate(settings, RunOptions(batch_index=2, n_batches=3))
    assert (shard.items, shard.images) == (3, 6)  # array_split: 4, 3, 3
    with_masks = estimate(settings.replace(masks=True, depth=True), RunOptions())
    assert with_masks.images == 60
    assert whole.seconds(2.0) == 5.0 and whole.seconds(0.0) is None


def test_the_cube_defaults_are_announced() -> None:
    """The cube's defaults write about a million images: the estimate says so."""
    cube = estimate(CubeSettings(), RunOptions())
    assert cube.unit == "frames" and cube.images == cube.items * 4
    assert cube.images > 500_000
    few = estimate(CubeSettings(random_frames=10, sizes=(32, 64)), RunOptions())
    assert (few.items, few.images) == (10, 20)


def test_free_space_and_sizes(tmp_path: Path) -> None:
    assert free_bytes(tmp_path / "not" / "made" / "yet") > 0
    assert size_text(850) == "850 B" and size_text(1_234_000) == "1.2 MB"
    assert size_text(2.5e12) == "2.5 TB"


def test_a_rough_time_before_any_run() -> None:
    """From the Cycles costs measured on these machines: more pixels, samples or denoising
    take longer; 1,000 pairs at 128 px and 64 samples take minutes, not seconds or days."""
    base = DatasetSettings(n_pairs=1000, render=RenderSettings(resolution=128, samples=64))
    seconds = estimate(base, RunOptions()).rough_seconds
    assert 200 < seconds < 2000
    bigger = base.replace(render=RenderSettings(resolution=224, samples=64))
    denoised = base.replace(render=RenderSettings(resolution=128, samples=64,
                                                  denoiser="openimagedenoise"))
    for slower in (bigger, denoised, base.replace(masks=True)):
        assert estimate(slower, RunOptions()).rough_seconds > seconds
    cube = estimate(CubeSettings(), RunOptions()).rough_seconds
    assert cube > 3600  # the cube defaults: hours, said before the run


def test_a_measured_rate_carries_to_other_settings_through_the_model() -> None:
    """A run at 64 px and 8 samples that drew 10 pairs/s says a 224 px, 512-sample run takes
    as much longer per pair as pixels x samples say (it once said 'about 5 s' for 50 pairs),
    and the same settings take items / rate."""
    small = DatasetSettings(n_pairs=50, render=RenderSettings(resolution=64, samples=8))
    big = small.replace(render=RenderSettings(resolution=224, samples=512))
    measured = estimate(small, RunOptions())
    rate, model = 10.0, measured.rough_seconds_per_item
    assert measured.calibrated_seconds(rate, model) == pytest.approx(50 / rate)
    later = estimate(big, RunOptions()).calibrated_seconds(rate, model)
    assert later is not None
    # Per pair: 2 images of 224^2 px x 512 samples against 2 of 64^2 x 8 (plus a fixed cost).
    cost = 224**2 * 512 / (64**2 * 8)
    assert 0.5 * cost * 50 / rate < later < 1.01 * cost * 50 / rate
    denoised = big.replace(render=RenderSettings(resolution=224, samples=512,
                                                 denoiser="openimagedenoise"))
    assert estimate(denoised, RunOptions()).calibrated_seconds(rate, model) > later
    assert measured.calibrated_seconds(0.0, model) is None  # no run: no measured speed
    assert measured.calibrated_seconds(rate, 0.0) is None  # a run from before the model


def test_times_read_as_clocks_and_a_short_one_is_not_zero() -> None:
    assert clock_text(0.3) == "under a second"
    assert clock_text(125.4) == "00:02:05"
    assert clock_text(3 * 86400 + 4 * 3600) == "3 d 04:00:00"
