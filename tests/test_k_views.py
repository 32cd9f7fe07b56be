"""Datasets of k views: a three-view dataset renders, validates (a missing view-3 image is
caught), loads as 3-tuples and draws its sheets; the published two-view presets still draw the
pictures they drew before k views (tests/data/renders, compared as pixels: rendered bytes differ
between CPUs; their latents and manifests are pinned in tests/data/golden_digests.json)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import render_reference
from image_checks import load_rgba

from identbox.dataset.checking.validate import validate_pairs
from identbox.dataset.files.layout import pair_complete
from identbox.dataset.files.manifest import read_manifest, settings_from_manifest
from identbox.dataset.files.watch import LatentsWatch
from identbox.dataset.loading.loader import IdentBoxPairs
from identbox.dataset.writing.writer import write_latents
from identbox.errors import DatasetChangedError, DatasetError
from identbox.presets import PRESET_DIR, load_preset
from identbox.render.estimates import estimate
from identbox.settings.render import RunOptions


@pytest.fixture(scope="module")
def reference_renders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The reference rows of both renderers' presets, rendered as they were for tests/data."""
    place = tmp_path_factory.mktemp("reference")
    return {name: render_reference.render(place, name) for name in render_reference.PRESETS}


@pytest.mark.blender
def test_published_two_view_renders_give_the_pictures_they_gave_before(
        reference_renders: dict[str, Path]) -> None:
    for name, root in reference_renders.items():
        differences = render_reference.compare(root, render_reference.REFERENCE / name)
        assert len(differences) == 12  # 2 pairs x 2 views x images, masks and depth maps
        assert not render_reference.failures(differences), name


@pytest.mark.blender
def test_another_cycles_seed_stays_within_the_tolerance(tmp_path: Path) -> None:
    """The tolerance is above the renderer's own noise: new sampling noise everywhere (as
    another CPU's last-bit differences would give, at most) still passes."""
    for name in render_reference.PRESETS:
        root = render_reference.render(tmp_path, name, cycles_seed=1)
        differences = render_reference.compare(root, render_reference.REFERENCE / name)
        assert max(d.get("mae", 0.0) for d in differences.values()) > 1.0  # other noise
        assert not render_reference.failures(differences), name


@pytest.mark.blender
def test_the_comparison_notices_a_real_change(tmp_path: Path) -> None:
    """The check can fail: the originals' legacy hue mapping instead of the wrapped one (other
    colours where a hue is negative) is caught, in the block means where noise averages out."""
    for name in render_reference.PRESETS:
        root = render_reference.render(tmp_path, name, scene={"hue_mapping": "legacy"})
        found = render_reference.failures(
            render_reference.compare(root, render_reference.REFERENCE / name))
        assert any("block_mae" in line for line in found), name


TINY = ("--n-pairs", "2", "--resolution", "16", "--samples", "2", "--seed", "3")


def identbox(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "identbox", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


THREE = ("--n-pairs", "3", "--resolution", "32", "--samples", "4", "--seed", "5")


@pytest.fixture(scope="module")
def three_views(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three pairs of three views of the default preset (rotations view-specific: drawn anew in
    every view), with masks and depth maps, rendered through the command line."""
    place = tmp_path_factory.mktemp("three")
    (place / "three.json").write_text('{"n_views": 3, "masks": true, "depth": true}')
    done = identbox("render", "--preset", "three.json", *THREE, "--out", "d", cwd=place)
    assert done.returncode == 0, done.stderr
    return place / "d"


@pytest.mark.blender
def test_three_views_render_every_view_s_files(three_views: Path) -> None:
    names = [f"{i:06d}.png" for i in range(3)]
    for folder in ("samples", "masks", "depth"):
        assert sorted(p.name for p in (three_views / folder).iterdir()) == ["m1", "m2", "m3"]
        for view in ("m1", "m2", "m3"):
            assert sorted(p.name for p in (three_views / folder / view).iterdir()) == names
    manifest = read_manifest(three_views / "manifest.json")
    assert manifest["views"]["n_views"] == 3
    assert sorted(manifest["latents"]["sha256"]) == sorted(
        f"m{v}/{name}" for v in (1, 2, 3)
        for name in ("latents.npy", "raw_latents.npy", "object_pixels.npy"))
    rotations = [np.load(three_views / f"factors/m{v}/raw_latents.npy")[:, 3:6] for v in (1, 2, 3)]
    assert not np.array_equal(rotations[1], rotations[2])  # view 3 is its own view
    images = [load_rgba(three_views / f"samples/m{v}/000000.png") for v in (1, 2, 3)]
    assert not np.array_equal(images[1], images[2])


@pytest.mark.blender
def test_three_views_validate_and_a_missing_view_3_image_is_caught(three_views: Path,
                                                                   tmp_path: Path) -> None:
    done = identbox("validate", str(three_views), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "samples/m3: 3 complete images" in done.stdout
    assert "depth/m3: 3 complete images" in done.stdout
    copy = tmp_path / "d"
    shutil.copytree(three_views, copy)
    (copy / "samples/m3/000001.png").unlink()
    settings = settings_from_manifest(read_manifest(copy / "manifest.json"))
    assert pair_complete(copy, settings, 0) and not pair_complete(copy, settings, 1)
    failed = [c for c in validate_pairs(copy) if not c.ok]
    assert [c.name for c in failed] == ["samples/m3: 3 complete images"], failed
    assert failed[0].detail == "1 missing, 0 incomplete (first: 000001.png)"
    assert identbox("validate", str(copy), cwd=tmp_path).returncode != 0
    (copy / "samples/m4").mkdir()  # a view the dataset does not have
    assert any(c.name.startswith("no unknown files") and not c.ok for c in validate_pairs(copy))
    (copy / "samples/m4").rmdir()
    again = identbox("reproduce", str(copy / "manifest.json"), "--pairs", "1:2", "--out",
                     str(copy), cwd=tmp_path)  # draws the one missing image again
    assert again.returncode == 0, again.stderr
    assert all(c.ok for c in validate_pairs(copy))
    assert (copy / "samples/m3/000001.png").read_bytes() == \
        (three_views / "samples/m3/000001.png").read_bytes()


@pytest.mark.blender
def test_the_loader_gives_three_tuples(three_views: Path) -> None:
    data = IdentBoxPairs(three_views, tensors=False)
    assert data.n_views == 3 and len(data) == 3
    x, z = data[2]
    assert len(x) == 3 and len(z) == 3
    for v in (1, 2, 3):
        image = load_rgba(three_views / f"samples/m{v}/000002.png")[..., :3]
        assert np.array_equal(x[v - 1], image)
        raw = np.load(three_views / f"factors/m{v}/raw_latents.npy")[2]
        assert np.array_equal(z[v - 1], raw.astype(np.float32))
    assert data.views(2)[1][2].tolist() == z[2].tolist()


@pytest.mark.blender
def test_sheets_show_every_view(three_views: Path, tmp_path: Path) -> None:
    done = identbox("contact-sheet", str(three_views), "--pairs", "3", "--out", "sheet.png",
                    cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    sheet = load_rgba(tmp_path / "sheet.png")
    assert sheet.shape[1] == 4 * 3 * 128  # four pairs a row, three views each
    third = load_rgba(three_views / "samples/m3/000000.png")[..., :3]
    cell = sheet[:128, 2 * 128:3 * 128, :3]  # pair 0's view 3, scaled up
    assert np.abs(cell.mean(axis=(0, 1)) - third.mean(axis=(0, 1))).max() < 3
    done = identbox("plot-latents", str(three_views), "--out", "plot.png", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    plot = load_rgba(tmp_path / "plot.png")
    assert plot.shape[:2] == (10 * 384, 2 * 288)  # a row per factor: view 1 vs views 2, 3


@pytest.mark.blender
def test_three_views_of_several_objects_render_and_validate(tmp_path: Path) -> None:
    preset = json.loads((PRESET_DIR / "objects_content_2.json").read_text(encoding="utf-8"))
    (tmp_path / "three.json").write_text(json.dumps({**preset, "n_views": 3, "min_pixels": 1}))
    done = identbox("render", "--preset", "three.json", *TINY, "--out", "d", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "d/samples").iterdir()) == ["m1", "m2", "m3"]
    assert all(c.ok for c in validate_pairs(tmp_path / "d")), validate_pairs(tmp_path / "d")


def test_three_view_latents_are_written_restored_and_checked(tmp_path: Path) -> None:
    settings = load_preset("objects_content_2").replace(n_pairs=20, seed=1, n_views=3)
    assert write_latents(settings, tmp_path / "d").status == "written"
    views = settings.sample()
    for v in (1, 2, 3):
        assert np.array_equal(np.load(tmp_path / f"d/factors/m{v}/raw_latents.npy"),
                              views.raw(v))
    damaged = tmp_path / "d/factors/m3/latents.npy"
    damaged.write_bytes(b"not latents")
    with pytest.raises(DatasetError, match=r"m3/latents\.npy is missing or does not match"):
        write_latents(settings, tmp_path / "d")
    assert write_latents(settings, tmp_path / "d", restore=True).restored == (damaged,)
    assert np.array_equal(np.load(damaged), views.latents(3))
    watch = LatentsWatch(tmp_path / "d")
    watch.check()
    (tmp_path / "d/factors/m3/raw_latents.npy").unlink()
    with pytest.raises(DatasetChangedError, match=r"m3/raw_latents\.npy changed on disk"):
        watch.check()
    failed = {c.name for c in validate_pairs(tmp_path / "d") if not c.ok}
    assert "factors/m3/raw_latents.npy matches the manifest" in failed
    assert "samples/m3: 20 complete images" in failed  # nothing rendered yet
    manifest = json.loads((tmp_path / "d/manifest.json").read_text())
    del manifest["latents"]["sha256"]["m3/object_pixels.npy"]
    (tmp_path / "d/manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(DatasetError, match=r"no latents\.sha256 entry for m3/object_pixels\.npy"):
        read_manifest(tmp_path / "d/manifest.json")


def test_three_views_count_three_images_a_pass_and_view_3_takes_view_2_s_material() -> None:
    settings = load_preset("hues_positions_rotations").replace(n_pairs=10, n_views=3,
                                                                 masks=True, depth=True)
    assert estimate(settings, RunOptions()).images == 10 * 3 * 3
    assert estimate(settings.replace(n_views=2), RunOptions()).images == 10 * 2 * 3
    scene = settings.scene
    assert scene.material(3) == scene.material(2) != scene.material(1)
