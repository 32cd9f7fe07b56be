"""Rendering with the real Blender (bpy wheel): layout, images that follow the latents, resume
after a kill, shards, and bad settings. Tiny images and few samples keep it fast."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import run_blender
from image_checks import dominant_hue, hue_distance, load_rgba
from PIL import Image

from identbox.dataset import read_manifest
from identbox.dataset.files.layout import is_complete_image
from identbox.model.constants import (
    CAMERA_LOCATION,
    DEPTH_RANGE,
    OBJECT_SIZE,
)
from identbox.render.loop import shard_indices

pytestmark = pytest.mark.blender
HUE_BG, HUE_OBJECT = 9, 7


def render(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "identbox", "render", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout)


def files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six pairs of the default preset (hues content, positions style, rotations
    view-specific) at 64 px. Any API this Blender deprecates (5.x: use_nodes) fails the run."""
    root = tmp_path_factory.mktemp("rendered")
    out = subprocess.run([sys.executable, "-W", "error::DeprecationWarning", "-m", "identbox",
                          "render", "--n-pairs", "6", "--resolution", "64", "--samples", "16",
                          "--seed", "3", "--out", "d"], cwd=root, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    assert "pairs/s" in out.stderr and "ETA" in out.stderr
    return root / "d"


@pytest.mark.every_blender
def test_layout_counts_sizes_and_decoding(dataset: Path) -> None:
    names = [f"{i:06d}.png" for i in range(6)]
    for view in ("m1", "m2"):
        assert sorted(os.listdir(dataset / "samples" / view)) == names
        for name in names:
            image = load_rgba(dataset / "samples" / view / name)
            assert image.shape == (64, 64, 4) and image.dtype == np.uint8
            assert image[..., 3].min() == 255  # opaque: the ground fills the frame
            assert image[..., :3].std() > 1  # not a blank frame
    manifest = read_manifest(dataset / "manifest.json")
    assert manifest["settings"]["render"]["resolution"] == 64
    for view in ("m1", "m2"):
        assert np.load(dataset / "factors" / view / "latents.npy").shape == (6, 10)
    assert not [p for p in dataset.rglob("*") if p.name.endswith(".tmp")]


@pytest.mark.every_blender
def test_ground_hue_follows_the_background_latent_in_both_views(dataset: Path) -> None:
    latents = {v: np.load(dataset / f"factors/m{v}/latents.npy") for v in (1, 2)}
    assert np.array_equal(latents[1][:, 7:], latents[2][:, 7:])  # hues are content here
    for i in range(6):
        expected = (latents[1][i, HUE_BG] / (2 * np.pi)) % 1.0
        seen = [dominant_hue(dataset / f"samples/m{v}/{i:06d}.png") for v in (1, 2)]
        for view, hue in zip((1, 2), seen, strict=True):
            assert hue_distance(hue, expected) < 0.02, f"pair {i} view {view}"
        assert hue_distance(*seen) < 0.01, f"pair {i}: content hue differs between views"


@pytest.mark.every_blender
def test_views_differ_where_the_latents_say(dataset: Path) -> None:
    # Positions are style and rotations view-specific here: both views of a pair differ.
    for i in range(6):
        a, b = (load_rgba(dataset / f"samples/m{v}/{i:06d}.png") for v in (1, 2))
        assert np.abs(a.astype(int) - b.astype(int)).max() > 50


OBJECT_CENTRES = """
import json, sys, pathlib
import bpy, numpy as np
from identbox.model.camera import project_to_pixels
from identbox.sampling.pose import scene_state
from identbox.settings.render import RenderSettings
from identbox.sampling import sample_latents
from identbox.scene.nodes import node_tree
from identbox.scene.renderer import BlenderPairRenderer
from identbox.settings.pairs import DatasetSettings

out = pathlib.Path(sys.argv[1])
settings = DatasetSettings(n_pairs=6, seed=5, render=RenderSettings(resolution=96, samples=4))
renderer = BlenderPairRenderer(settings, log=lambda m: None)
handles = renderer.handles
# Silhouette only: the teapot glows white, everything else is black.
glow = bpy.data.materials.new("glow")
nodes = node_tree(glow).nodes
emission = nodes.new("ShaderNodeEmission")
glow.node_tree.links.new(emission.outputs[0], nodes["Material Output"].inputs["Surface"])
handles.ground.hide_render = True
latents = sample_latents(settings).latents1
rows = []
for i, row in enumerate(latents):
    renderer.show(row, 1)
    handles.teapot.data.materials[0] = glow
    handles.scene.render.filepath = str(out / f"{i}.png")
    bpy.ops.render.render(write_still=True, scene=handles.scene.name)
    state = scene_state(row, handles.object_size)
    rows.append({"path": str(out / f"{i}.png"),
                 "expected": project_to_pixels(np.array([state.object_location]), 96)[0].tolist()})
report({"rows": rows})
"""


@pytest.mark.every_blender
def test_object_appears_where_the_camera_projects_its_location(tmp_path: Path) -> None:
    centres = []
    for row in run_blender(OBJECT_CENTRES, tmp_path, str(tmp_path))["rows"]:
        mask = load_rgba(Path(row["path"]))[..., :3].max(axis=2) > 64
        assert mask.sum() > 20
        ys, xs = np.nonzero(mask)
        centres.append(((xs.mean() + 0.5, ys.mean() + 0.5), row["expected"]))
    assert len(centres) == 6
    for (x, y), (ex, ey) in centres:
        assert abs(x - ex) < 4 and abs(y - ey) < 4, f"centre {(x, y)} vs projection {(ex, ey)}"
    spread = np.ptp([e for _, e in centres], axis=0)
    assert spread.max() > 12  # the objects really moved: the check could fail


@pytest.mark.every_blender
def test_masks_and_object_pixels_agree(tmp_path: Path) -> None:
    """Opt-in masks: the teapot reads 1, the rest 0; its mask's centroid is near the stored
    object pixel (the projection of its centre)."""
    (tmp_path / "s.json").write_text('{"masks": true, "depth": true, "n_pairs": 3, "seed": 8}')
    out = render("--preset", "s.json", "--resolution", "64", "--samples", "4", "--out", "k",
                 cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    root = tmp_path / "k"
    ground_centres = 0
    for view in (1, 2):
        pixels = np.load(root / f"factors/m{view}/object_pixels.npy")
        assert pixels.shape == (3, 1, 2)
        for pair in range(3):
            mask = load_rgba(root / f"masks/m{view}/{pair:06d}.png")[..., 0]
            assert set(np.unique(mask)) == {0, 1}
            ys, xs = np.nonzero(mask)
            centroid = np.array([xs.mean() + 0.5, ys.mean() + 0.5])
            assert np.abs(centroid - pixels[pair, 0]).max() < 4, (view, pair)
            # Depth: 16-bit, the teapot nearer than the ground around it, and the ground's
            # depth at the image centre equal to the camera's distance to where it looks.
            with Image.open(root / f"depth/m{view}/{pair:06d}.png") as image:
                depth = np.asarray(image).astype(np.float64) / 65535 * DEPTH_RANGE
            assert depth.shape == (64, 64) and depth.min() > 0
            assert depth[mask == 1].mean() < depth[mask == 0].mean()
            if mask[31:33, 31:33].max() == 0:  # ground at the centre: a known distance
                ground_z = -OBJECT_SIZE
                expected = (CAMERA_LOCATION[2] - ground_z) * np.sqrt(2)  # 45-degree ray
                assert abs(depth[31:33, 31:33].mean() - expected) < 0.2
                ground_centres += 1
    assert ground_centres >= 1, "no image showed the ground at its centre: depth unchecked"


def test_resume_after_a_kill_matches_an_uninterrupted_run(tmp_path: Path) -> None:
    args = ["--n-pairs", "40", "--resolution", "32", "--samples", "4", "--seed", "1"]
    killed = subprocess.Popen([sys.executable, "-m", "identbox", "render", *args, "--out", "k"],
                              cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    m1 = tmp_path / "k/samples/m1"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and killed.poll() is None:
        if m1.exists() and len([p for p in m1.iterdir() if p.suffix == ".png"]) >= 3:
            break
        time.sleep(0.005)
    assert killed.poll() is None, "the run finished before it could be killed"
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    done_before = [p for p in (tmp_path / "k").rglob("*.png")]
    assert 0 < len(done_before) < 80
    assert all(is_complete_image(p) for p in done_before)  # never a truncated image

    assert render(*args, "--out", "k", cwd=tmp_path).returncode == 0
    assert render(*args, "--out", "whole", cwd=tmp_path).returncode == 0
    k, whole = tmp_path / "k", tmp_path / "whole"
    assert files(k) == files(whole)  # complete, and no temporary files left
    for rel in ("manifest.json", "factors/m1/latents.npy", "factors/m1/raw_latents.npy",
                "factors/m2/latents.npy", "factors/m2/raw_latents.npy"):
        assert (k / rel).read_bytes() == (whole / rel).read_bytes()
    assert all((k / rel).read_bytes() == (whole / rel).read_bytes() for rel in files(k))


def test_two_shards_give_the_same_files_as_one_run(tmp_path: Path) -> None:
    args = ["--n-pairs", "5", "--resolution", "32", "--samples", "4", "--seed", "2"]
    for shard in ("1", "0"):  # any order
        out = render(*args, "--n-batches", "2", "--batch-index", shard, "--out", "s", cwd=tmp_path)
        assert out.returncode == 0, out.stderr
    assert render(*args, "--out", "one", cwd=tmp_path).returncode == 0
    sharded, one = tmp_path / "s", tmp_path / "one"
    assert files(sharded) == files(one)
    for rel in files(one):  # byte for byte, images included (no stamped render times)
        assert (sharded / rel).read_bytes() == (one / rel).read_bytes(), rel


def test_render_in_a_blender_executable(tmp_path: Path, debian_blender: str) -> None:
    """Without bpy in this Python, `render` runs Blender in background mode with this code;
    --blender asks for that explicitly (here Debian's 3.4, the legacy path)."""
    out = render("--n-pairs", "2", "--resolution", "32", "--samples", "4", "--out", "b",
                 "--blender", debian_blender, cwd=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Blender 3.4" in out.stdout + out.stderr
    assert files(tmp_path / "b" / "samples") == ["m1/000000.png", "m1/000001.png",
                                                  "m2/000000.png", "m2/000001.png"]
    bad = render("--n-pairs", "2", "--resolution", "0", "--out", "never", "--blender",
                 debian_blender, cwd=tmp_path)
    assert bad.returncode == 2 and not (tmp_path / "never").exists()


def test_shards_follow_array_split() -> None:
    for n, k in ((10, 3), (5, 2), (3, 5), (250_000, 7)):
        chunks = [list(c) for c in np.array_split(np.arange(n), k)]
        assert [list(shard_indices(n, i, k)) for i in range(k)] == chunks


@pytest.mark.parametrize("args,code,snippet", [
    (("--n-batches", "2", "--batch-index", "2"), 2, "batch_index = 2"),
    (("--batch-index", "-1"), 2, "batch_index"),
    (("--resolution", "0"), 2, "resolution = 0"),
    (("--samples", "0"), 2, "samples"),
    (("--device", "gpu"), 1, "no GPU"),
    (("--render-preset", "cinema"), 2, "render_preset"),
    (("--file-format", "GIF"), 2, "invalid choice"),
])
def test_bad_settings_write_nothing(tmp_path: Path, args, code: int, snippet: str) -> None:
    out = render("--n-pairs", "2", "--resolution", "16", "--samples", "1", *args,
                 "--out", "never", cwd=tmp_path)
    assert out.returncode == code, out.stderr
    assert snippet in out.stderr
    assert "Traceback" not in out.stderr
    assert not (tmp_path / "never").exists()
