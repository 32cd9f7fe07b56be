"""The camera and lighting blocks: their ranges, their block rules in k views, their streams
(adding them changes no other column), the per-view camera ground truth, and renders whose
objects sit where each view's own camera puts them."""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import assert_close, run_blender, se_corr
from image_checks import load_rgba
from PIL import Image
from stats_theory import truncated_normal_pair

from identbox.dataset.checking.validate import validate_pairs
from identbox.dataset.loading.loader import IdentBoxPairs
from identbox.dataset.writing.writer import write_latents
from identbox.errors import SettingsError
from identbox.model.camera import (
    camera_axes,
    extrinsics,
    intrinsics,
    project_to_pixels,
)
from identbox.model.constants import CAMERA_LOCATION, DEPTH_RANGE, OBJECT_SIZE
from identbox.presets import load_preset
from identbox.sampling.multi import OBJECT_RADIUS, placement_ok
from identbox.sampling.rig import RIG_FACTORS, poses_of, rig_values
from identbox.settings.objects import MultiObjectSettings
from identbox.settings.pairs import DatasetSettings

N = 20_000


def with_blocks(kind: type = DatasetSettings, **blocks: str) -> object:
    data = {"n_pairs": N, "seed": 4, "blocks": {b: {"type": t} for b, t in blocks.items()}}
    return kind.from_dict(data)


def test_the_published_camera_is_the_centre_of_the_camera_ranges() -> None:
    centre = poses_of({f.name: np.array([f.offset]) for f in RIG_FACTORS}, 1)
    assert np.allclose(centre.eyes[0], CAMERA_LOCATION)
    assert np.allclose(centre.axes[0], camera_axes())
    assert np.allclose(poses_of({}, 1).eyes[0], CAMERA_LOCATION)


def test_every_camera_in_range_keeps_every_object_centre_inside_the_image() -> None:
    """Corners of the single-object position box, through the cameras at the corners of the
    ranges: the centre stays at least 8% of the image inside (the published camera: 18%)."""
    grid = np.linspace(-2.0, 2.0, 5)
    centres = np.array(list(itertools.product(grid, grid, grid)))
    centres[:, 2] += OBJECT_SIZE / 2
    settings = DatasetSettings(n_pairs=1)
    published = project_to_pixels(centres, 1)
    margin = np.minimum(published, 1 - published).min()
    assert 0.17 < margin < 0.19
    factors = {f.name: f for f in RIG_FACTORS}
    for azimuth, elevation, distance in itertools.product(np.linspace(-1, 1, 13), (-1, 1),
                                                          (-1, 1)):
        values = {name: np.array([factors[name].offset + factors[name].scale * raw])
                  for name, raw in (("cam_azimuth", azimuth), ("cam_elevation", elevation),
                                    ("cam_distance", distance))}
        poses = poses_of(values, 1).take(np.zeros(len(centres), dtype=int))
        pixels = project_to_pixels(centres, 1, poses)
        assert np.minimum(pixels, 1 - pixels).min() > 0.08, (azimuth, elevation, distance)
    assert np.allclose(settings.camera_poses(np.zeros((1, 10))).eyes, [CAMERA_LOCATION])


@pytest.mark.parametrize("k", [2, 3, 5])
def test_camera_and_lighting_follow_their_block_type_in_k_views(k: int) -> None:
    for block, kind in (("camera", "content"), ("lighting", "style"), ("camera", "view_specific"),
                        ("lighting", "view_specific")):
        settings = with_blocks(**{block: kind}).replace(n_views=k)
        views = settings.sample()
        law = truncated_normal_pair(1.0)
        columns = [c["index"] for c in settings.columns() if c["block"] == block]
        first = views.raw(1)[:, columns]
        assert np.all(np.abs(first) <= 1) and first.std(axis=0).min() > 0.5
        for v in range(2, k + 1):
            later = views.raw(v)[:, columns]
            if kind == "content":
                assert np.array_equal(later, first)
            elif kind == "style":  # redrawn around view 1: close, but not equal
                assert not np.any(later == first)
                for c in range(len(columns)):
                    rho = np.corrcoef(first[:, c], later[:, c])[0, 1]
                    assert_close(rho, law.corr, se_corr(law.corr, N), f"view {v} column {c}")
            else:  # drawn anew: uncorrelated with view 1 and every other view
                for c in range(len(columns)):
                    rho = np.corrcoef(first[:, c], later[:, c])[0, 1]
                    assert_close(rho, 0.0, se_corr(0.0, N), f"view {v} column {c}")
                    assert_close(later[:, c].mean(), 0.0, 1 / math.sqrt(3 * N), "mean")
        assert {c["role"] for c in settings.columns() if c["block"] == block} == {kind}


def test_style_camera_changes_with_the_change_probability() -> None:
    data = {"n_pairs": N, "n_views": 3,
            "blocks": {"camera": {"type": "style", "change_probability": 0.3}}}
    views = DatasetSettings.from_dict(data).sample()
    for v in (2, 3):
        changed = (views.raw(v)[:, 10:13] != views.raw(1)[:, 10:13]).mean(axis=0)
        for share in changed:
            assert_close(share, 0.3, math.sqrt(0.3 * 0.7 / N), f"view {v}")


def test_adding_camera_and_lighting_changes_no_other_column() -> None:
    for kind in (DatasetSettings, MultiObjectSettings):
        plain = kind(n_pairs=300, seed=2, n_views=3)
        rigged = with_blocks(kind, camera="style", lighting="view_specific").replace(
            n_pairs=300, seed=2, n_views=3)
        if kind is MultiObjectSettings:  # placement depends on the camera: compare the rest
            width = len(plain.columns())
            assert len(rigged.columns()) == width + 7
            continue
        for v in (1, 2, 3):
            assert np.array_equal(rigged.sample().raw(v)[:, :10], plain.sample().raw(v))
        camera_only = with_blocks(kind, camera="style").replace(n_pairs=300, seed=2, n_views=3)
        assert np.array_equal(camera_only.sample().raw(2)[:, 10:13],
                              rigged.sample().raw(2)[:, 10:13])  # lighting leaves it alone


def test_the_scene_state_carries_the_camera_and_lights_a_rig_row_gives() -> None:
    """A row's camera and lighting factors go into the plain scene state (scene/apply.py
    sets them in Blender); without the blocks the published camera and lights stay (None)."""
    from identbox.sampling.pose import objects_state, scene_state
    from identbox.settings.rig import state_with_rig

    for kind in (DatasetSettings, MultiObjectSettings):
        rigged = with_blocks(kind, camera="style", lighting="view_specific").replace(
            n_pairs=4, seed=5)
        row = rigged.sample().latents(2)[3]
        state = (scene_state(row, 4.4421) if kind is DatasetSettings
                 else objects_state(row, rigged.n_objects))
        lit = state_with_rig(state, rigged, row)
        poses = rigged.camera_poses(row)
        assert lit.camera == (tuple(poses.eyes[0]), tuple(map(tuple, poses.axes[0])))
        assert lit.lighting == rigged.lighting(row) and lit.objects == state.objects
        plain = kind(n_pairs=4, seed=5)
        bare = plain.sample().latents(2)[3]
        unrigged = (scene_state(bare, 4.4421) if kind is DatasetSettings
                    else objects_state(bare, plain.n_objects))
        kept = state_with_rig(unrigged, plain, bare)
        assert kept.camera is None and kept.lighting is None


def test_multi_object_placement_holds_in_every_view_s_camera(tmp_path: Path) -> None:
    """Every object of every view, seen through the intrinsics and extrinsics the dataset
    stores, is inside the frame and covers at least min_pixels, and keeps min_gap from the
    others. The projection is written out here (the sphere's silhouette, radius
    f R / sqrt(z^2 - R^2) on the optical axis and larger off it), not the sampler's check."""
    settings = MultiObjectSettings.from_dict({
        "n_pairs": 400, "seed": 1, "n_objects": 4, "n_views": 3, "min_pixels": 80,
        "blocks": {"camera": {"type": "view_specific"}}})  # only near cameras give 80 px
    write_latents(settings, tmp_path / "d")
    smallest = []
    for v in (1, 2, 3):
        factors = tmp_path / "d" / "factors" / f"m{v}"
        k, e = np.load(factors / "intrinsics.npy"), np.load(factors / "extrinsics.npy")
        centres = settings.object_centres(np.load(factors / "latents.npy"))  # (n, 4, 3)
        camera = np.einsum("nij,nkj->nki", e[:, :3, :3], centres) + e[:, None, :3, 3]
        z = camera[..., 2]
        assert (z > OBJECT_RADIUS).all()  # every object wholly in front of its camera
        pixels = np.einsum("nij,nkj->nki", k, camera)[..., :2] / z[..., None]
        radius = k[:, None, 0, 0] * OBJECT_RADIUS / np.sqrt(z**2 - OBJECT_RADIUS**2)
        area = np.pi * radius**2
        assert (area >= settings.min_pixels).all(), (v, area.min())
        assert ((pixels - radius[..., None] >= 0) & (pixels + radius[..., None] <= 128)).all()
        gaps = np.linalg.norm(centres[:, :, None] - centres[:, None], axis=3) - 2 * OBJECT_RADIUS
        apart = gaps[:, ~np.eye(4, dtype=bool)]
        assert (apart >= settings.min_gap - 1e-9).all(), (v, apart.min())
        smallest.append(area.min())
    # Objects near the limit exist: a check 20% weaker would let smaller ones through.
    assert min(smallest) < 1.05 * settings.min_pixels, smallest
    fixed_fails = sum(int((~placement_ok(settings.object_centres(settings.sample().latents(v)),
                                         settings.min_gap, settings.min_pixels, 128)).sum())
                      for v in (1, 2, 3))
    assert fixed_fails > 0  # through the published camera some would fail: cameras matter


def test_camera_matrices_project_like_the_stored_object_pixels(tmp_path: Path) -> None:
    settings = load_preset("three_views_camera").replace(n_pairs=50)
    views = settings.sample()
    for v in (1, 2, 3):
        latents = views.latents(v)
        poses = settings.camera_poses(latents)
        k, e = intrinsics(128, 50), extrinsics(poses)
        centres = settings.object_centres(latents)[:, 0]
        camera = np.einsum("nij,nj->ni", e, np.c_[centres, np.ones(50)])[:, :3]
        assert np.all(camera[:, 2] > 0)  # in front of the camera (OpenCV: z forward)
        pixels = np.einsum("nij,nj->ni", k, camera)
        pixels = pixels[:, :2] / pixels[:, 2:]
        values = rig_values(latents, ("camera",), 10)
        assert np.allclose(np.linalg.norm(poses.eyes, axis=1), values["cam_distance"])
        assert np.allclose(pixels, project_to_pixels(centres, 128, poses))
    moved = [settings.camera_poses(views.latents(v)).eyes for v in (1, 2, 3)]
    assert np.linalg.norm(moved[0] - moved[1], axis=1).min() > 0  # view-specific: each its own


def test_bad_camera_settings_are_one_clear_error() -> None:
    with pytest.raises(SettingsError, match=r"blocks\.camera\.view_roles"):
        DatasetSettings.from_dict({"blocks": {"camera": {"type": "view_specific",
                                                         "view_roles": ["a", "b", "c"]}}})
    with pytest.raises(SettingsError, match="lights"):
        DatasetSettings.from_dict({"blocks": {"lights": {"type": "content"}}})
    with pytest.raises(SettingsError, match="block"):
        DatasetSettings.from_dict({"blocks": {"camera": {"type": "sideways"}}})


def identbox(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "identbox", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def moving_camera(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three scenes of the three-view camera preset, rendered with masks and depth maps."""
    place = tmp_path_factory.mktemp("camera")
    done = identbox("render", "--preset", "three_views_camera", "--n-pairs", "3",
                    "--resolution", "64", "--samples", "4", "--seed", "2", "--out", "d",
                    cwd=place)
    assert done.returncode == 0, done.stderr
    settings = load_preset("three_views_camera").replace(masks=True, depth=True)
    (place / "masks.json").write_text(json.dumps(settings.to_dict()))
    done = identbox("render", "--preset", "masks.json", "--n-pairs", "3", "--resolution", "64",
                    "--samples", "4", "--seed", "2", "--out", "m", cwd=place)
    assert done.returncode == 0, done.stderr
    return place


@pytest.mark.every_blender
def test_each_view_shows_the_object_where_its_own_camera_puts_it(moving_camera: Path) -> None:
    root = moving_camera / "m"
    stored = [np.load(root / f"factors/m{v}/object_pixels.npy")[:, 0] for v in (1, 2, 3)]
    fixed_camera_misses = ground_centres = 0
    for v in (1, 2, 3):
        latents = np.load(root / f"factors/m{v}/latents.npy")
        e = np.load(root / f"factors/m{v}/extrinsics.npy")
        for pair in range(3):
            mask = load_rgba(root / f"masks/m{v}/{pair:06d}.png")[..., 0]
            ys, xs = np.nonzero(mask)
            assert len(xs) > 20, (v, pair)
            centroid = np.array([xs.mean() + 0.5, ys.mean() + 0.5])
            assert np.abs(centroid - stored[v - 1][pair]).max() < 4, (v, pair)
            fixed = project_to_pixels(latents[pair, :3] + [0, 0, OBJECT_SIZE / 2], 64)[0]
            fixed_camera_misses += int(np.abs(centroid - fixed).max() > 4)
            # Depth of the image centre: the ground, seen from the view's camera (at -R^T t,
            # aimed at the origin), if the object does not cover it.
            with Image.open(root / f"depth/m{v}/{pair:06d}.png") as image:
                depth = np.asarray(image).astype(np.float64) / 65535 * DEPTH_RANGE
            eye = -e[pair, :3, :3].T @ e[pair, :3, 3]
            if mask[31:33, 31:33].max() == 0:
                ray = -eye / np.linalg.norm(eye)
                expected = (eye[2] + OBJECT_SIZE) / -ray[2]
                assert abs(depth[31:33, 31:33].mean() - expected) < 0.3, (v, pair)
                ground_centres += 1
    assert ground_centres >= 1, "no image showed the ground at its centre: depth unchecked"
    assert fixed_camera_misses >= 3  # the published camera would put them elsewhere
    spread = np.ptp(np.stack(stored), axis=0).max(axis=1)
    assert spread.min() > 3  # the same scene, at another place in every view's image


@pytest.mark.blender
def test_a_moving_camera_dataset_validates_and_a_missing_view_is_caught(
        moving_camera: Path, tmp_path: Path) -> None:
    root = moving_camera / "d"
    assert all(c.ok for c in validate_pairs(root)), [c for c in validate_pairs(root) if not c.ok]
    copy = tmp_path / "d"
    shutil.copytree(root, copy)
    (copy / "factors/m3/extrinsics.npy").unlink()
    failed = [c.name for c in validate_pairs(copy) if not c.ok]
    assert "factors/m3/extrinsics.npy matches the manifest" in failed
    shutil.rmtree(copy / "samples/m3")
    assert any("samples/m3" in name for name in [c.name for c in validate_pairs(copy)
                                                  if not c.ok])


LIGHTS = """
import numpy as np, bpy, pathlib
from identbox.scene.renderer import BlenderPairRenderer
from identbox.settings.pairs import DatasetSettings
from identbox.settings.render import RenderSettings

out = pathlib.Path(sys.argv[1])
settings = DatasetSettings.from_dict({"n_pairs": 2, "seed": 1,
                                      "blocks": {"lighting": {"type": "view_specific"}},
                                      "render": {"resolution": 48, "samples": 8}})
renderer = BlenderPairRenderer(settings, log=lambda m: None)
row = settings.sample().latents1[0].copy()
names = [c["name"] for c in settings.columns()]
means = {}
for label, values in (("dim", -1.0), ("bright", 1.0)):
    row[names.index("sun_strength")] = values
    row[names.index("area_strength")] = values
    path = out / f"{label}.png"
    renderer.render_view(row, 1, path)
    means[label] = str(path)
row[names.index("sun_tilt_x")] = 0.6
renderer.render_view(row, 1, out / "tilted.png")
sun = renderer.handles.sun
report({"paths": means, "tilted": str(out / "tilted.png"),
        "sun_rotation": list(sun.rotation_euler), "sun_energy": sun.data.energy})
"""


@pytest.mark.every_blender
def test_lighting_factors_change_the_lights_and_the_image(tmp_path: Path) -> None:
    result = run_blender(LIGHTS, tmp_path, str(tmp_path))
    dim, bright = (load_rgba(Path(result["paths"][k]))[..., :3].astype(float).mean()
                   for k in ("dim", "bright"))
    assert bright > dim * 1.3, (dim, bright)
    assert result["sun_rotation"][0] == pytest.approx(0.6) and result["sun_energy"] == 1.0
    tilted = load_rgba(Path(result["tilted"]))[..., :3].astype(float)
    assert np.abs(tilted - load_rgba(Path(result["paths"]["bright"]))[..., :3]).mean() > 0.5


def test_the_loader_and_validate_read_each_view_s_camera(tmp_path: Path) -> None:
    settings = load_preset("three_views_camera").replace(n_pairs=6)
    write_latents(settings, tmp_path / "d")
    data = IdentBoxPairs(tmp_path / "d", tensors=False)
    views = settings.sample()
    for v in (1, 2, 3):
        k, e = data.camera(4, v)
        poses = settings.camera_poses(views.latents(v)[4:5])
        assert np.array_equal(e, extrinsics(poses)[0]) and np.array_equal(k, intrinsics(128, 1)[0])
    still = load_preset("hues_positions_rotations").replace(n_pairs=3)
    write_latents(still, tmp_path / "s")
    k, e = IdentBoxPairs(tmp_path / "s", tensors=False).camera(0, 2)
    assert np.allclose(-e[:3, :3].T @ e[:3, 3], CAMERA_LOCATION)
    with pytest.raises(IndexError):
        data.camera(0, 4)
    # validate recomputes each view's pixels and matrices from its latents: a file swapped in
    # from another view (checksum made to match) is caught.
    root = tmp_path / "d"
    name = "object pixels and camera matrices follow each view's latents and camera"
    assert [c.ok for c in validate_pairs(root) if c.name == name] == [True]
    shutil.copy(root / "factors/m2/extrinsics.npy", root / "factors/m3/extrinsics.npy")
    manifest = json.loads((root / "manifest.json").read_text())
    manifest["latents"]["sha256"]["m3/extrinsics.npy"] = hashlib.sha256(
        (root / "factors/m3/extrinsics.npy").read_bytes()).hexdigest()
    (root / "manifest.json").write_text(json.dumps(manifest))
    found = [c for c in validate_pairs(root) if c.name == name]
    assert [c.ok for c in found] == [False] and found[0].detail == "m3/extrinsics.npy"


@pytest.mark.every_blender
def test_several_objects_sit_where_each_view_s_camera_puts_them(tmp_path: Path) -> None:
    preset = {**load_preset("objects_content_2").to_dict(), "n_views": 3, "masks": True,
              "min_pixels": 1,
              "blocks": {"positions": {"type": "content"}, "camera": {"type": "view_specific"}}}
    (tmp_path / "cam.json").write_text(json.dumps(preset))
    done = identbox("render", "--preset", "cam.json", "--n-pairs", "2", "--resolution", "64",
                    "--samples", "4", "--seed", "3", "--out", "d", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    root = tmp_path / "d"
    assert all(c.ok for c in validate_pairs(root)), [c for c in validate_pairs(root) if not c.ok]
    pixels = [np.load(root / f"factors/m{v}/object_pixels.npy") for v in (1, 2, 3)]
    for v in (1, 2, 3):
        for pair in range(2):
            mask = load_rgba(root / f"masks/m{v}/{pair:06d}.png")[..., 0]
            for obj in range(2):
                ys, xs = np.nonzero(mask == obj + 1)
                assert len(xs) > 5, (v, pair, obj)
                centroid = np.array([xs.mean() + 0.5, ys.mean() + 0.5])
                assert np.abs(centroid - pixels[v - 1][pair, obj]).max() < 3, (v, pair, obj)
    # Positions are content: only the camera moved the objects across the image.
    assert np.ptp(np.stack(pixels), axis=0).max() > 4
