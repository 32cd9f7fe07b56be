"""Cube pose mode: cLPR labels computed independently here, the grid order, visibility, and
rendered images whose face colours sit where the labels put the faces."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from image_checks import load_rgba

from identbox.errors import SettingsError
from identbox.sampling.cube import (
    FACE_COLOURS,
    FACE_NODES,
    cube_labels,
    random_rotations,
    rotation_grid,
    visible_faces,
    visible_nodes,
)
from identbox.settings.cube import CubeSettings


def textbook(axis: str, angle: float) -> list[list[float]]:
    c, s = math.cos(angle), math.sin(angle)
    return {"x": [[1, 0, 0], [0, c, -s], [0, s, c]],
            "y": [[c, 0, s], [0, 1, 0], [-s, 0, c]],
            "z": [[c, -s, 0], [s, c, 0], [0, 0, 1]]}[axis]


def row_times(v: list[float], m: list[list[float]]) -> list[float]:
    return [sum(v[i] * m[i][j] for i in range(3)) for j in range(3)]


def clpr_label(rx: float, ry: float, rz: float) -> np.ndarray:
    """cLPR's rule, written out: node (100bx, 100by, 100bz) at index 4bx+2by+bz, row vector
    times Rx, Ry, Rz, bounding-box centre to (128, 128, 0)."""
    nodes = [[100.0 * (i >> 2 & 1), 100.0 * (i >> 1 & 1), 100.0 * (i & 1)] for i in range(8)]
    for axis, angle in (("x", rx), ("y", ry), ("z", rz)):
        nodes = [row_times(v, textbook(axis, angle)) for v in nodes]
    centre = [(max(v[k] for v in nodes) + min(v[k] for v in nodes)) / 2 for k in range(3)]
    target = [128.0, 128.0, 0.0]
    return np.array([[v[k] - centre[k] + target[k] for k in range(3)] + [rx, ry, rz]
                     for v in nodes])


@pytest.mark.parametrize("rotation", [(0.0, 0.0, 0.0), (0.3, 0.0, 0.0), (0.0, 1.2, 0.0),
                                      (0.0, 0.0, 2.5), (0.4, 5.1, 3.3), (6.2, 6.2, 6.2)])
def test_labels_follow_clpr_exactly(rotation: tuple[float, float, float]) -> None:
    assert np.allclose(cube_labels(np.array([rotation]))[0], clpr_label(*rotation), atol=1e-9)


def test_grid_order_and_size() -> None:
    grid = rotation_grid(0.1)
    assert grid.shape == (250_047, 3)
    angles = np.arange(0, 6.3, 0.1)
    assert len(angles) == 63
    for ix, iy, iz in ((0, 0, 0), (1, 2, 3), (62, 0, 5), (62, 62, 62)):
        assert np.array_equal(grid[ix * 63**2 + iy * 63 + iz], angles[[ix, iy, iz]])
    assert rotation_grid(0.3).shape == (9261, 3)
    assert np.array_equal(random_rotations(5, 1), random_rotations(5, 1))


def test_visibility() -> None:
    labels = cube_labels(np.array([[0.0, 0.0, 0.0], [math.pi, 0.0, 0.0]]))
    faces = visible_faces(labels[..., :3])
    colours = [[tuple(FACE_COLOURS[f]) for f in np.flatnonzero(row)] for row in faces]
    assert colours == [[(255, 0, 255)], [(0, 255, 255)]]  # z=0 magenta; flipped: z=100 cyan
    nodes = visible_nodes(labels[..., :3])
    assert sorted(np.flatnonzero(nodes[0])) == [0, 2, 4, 6]  # the z = 0 corners
    many = cube_labels(random_rotations(500, 3))[..., :3]
    counts = visible_faces(many).sum(axis=1)
    assert counts.min() >= 1 and counts.max() <= 3
    assert (visible_nodes(many).sum(axis=1) >= 4).all()


def test_settings_are_checked() -> None:
    for bad in ({"step": 0.0}, {"sizes": ()}, {"sizes": (32, 32)}, {"sizes": (4,)},
                {"file_format": "GIF"}, {"jpeg_quality": 0}, {"random_frames": -1}):
        with pytest.raises(SettingsError):
            CubeSettings(**bad)


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "identbox", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.blender
@pytest.mark.every_blender
def test_rendered_faces_have_their_colours_where_the_labels_put_them(tmp_path: Path) -> None:
    out = cli("cube", "--random-frames", "6", "--seed", "4", "--sizes", "32", "256",
              "--out", "c", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    root = tmp_path / "c"
    labels = np.load(root / "labels.npy")
    assert labels.shape == (6, 8, 6) and labels.dtype == np.float64
    for size in (32, 256):
        names = sorted(p.name for p in (root / "images" / str(size)).iterdir())
        assert names == [f"{i:06d}.png" for i in range(6)]  # numbered from 0, like the rows
        for frame in range(6):
            image = load_rgba(root / "images" / str(size) / f"{frame:06d}.png")[..., :3]
            assert image.shape == (size, size, 3)
            points = labels[frame, :, :2] * size / 256
            faces = visible_faces(labels[frame : frame + 1, :, :3])[0]
            for face in np.flatnonzero(faces):
                corners = points[FACE_NODES[face]]
                x, y = corners[:, 0], corners[:, 1]
                area = 0.5 * abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1)))
                if area < (size / 8) ** 2:  # nearly edge-on: no clear centre pixel
                    continue
                cx, cy = corners.mean(axis=0)
                pixel = image[int(cy), int(cx)].astype(int)
                assert np.abs(pixel - FACE_COLOURS[face]).max() <= 3, (size, frame, face)
    check = cli("validate", "c", cwd=tmp_path)
    assert check.returncode == 0, check.stdout


@pytest.mark.blender
def test_step_grid_command_and_its_validation(tmp_path: Path) -> None:
    out = cli("cube", "--step", "3.0", "--sizes", "32", "64", "--out", "g", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    root = tmp_path / "g"
    assert np.load(root / "labels.npy").shape == (27, 8, 6)  # arange(0, 6.3, 3): 3 per axis
    report = cli("validate", "g", "--json", cwd=tmp_path)
    assert report.returncode == 0 and '"ok": true' in report.stdout
    # A tampered label fails validation.
    labels = np.load(root / "labels.npy")
    labels[3, 2, 0] += 1.0
    np.save(root / "labels.npy", labels)
    assert cli("validate", "g", cwd=tmp_path).returncode == 1
    # Bad arguments: one line, exit 2, nothing written.
    bad = cli("cube", "--step", "0", "--out", "never", cwd=tmp_path)
    assert bad.returncode == 2 and "step" in bad.stderr and not (tmp_path / "never").exists()


def test_the_published_style_grid_labels_pass_the_label_check(tmp_path: Path) -> None:
    """--step 0.3: 9,261 frames whose labels pass every label check (images aside)."""
    from identbox.dataset.checking.cube_validate import check_labels
    from identbox.dataset.writing.cube_writer import write_cube_labels

    settings = CubeSettings(step=0.3, sizes=(32, 64))
    root, frames, written = write_cube_labels(settings, tmp_path / "grid")
    assert frames == 9261 and written
    checks = check_labels(np.load(root / "labels.npy"), settings)
    assert all(c.ok for c in checks), [c for c in checks if not c.ok]
    assert np.load(root / "nodes" / "64.npy").shape == (9261, 8, 2)
    assert write_cube_labels(settings, root)[2] is False  # the same dataset: kept


@pytest.mark.blender
def test_cube_shards_give_the_same_files_as_one_run(tmp_path: Path) -> None:
    args = ("cube", "--random-frames", "5", "--seed", "2", "--sizes", "16")
    for shard in ("1", "0"):
        assert cli(*args, "--n-batches", "2", "--batch-index", shard, "--out", "s",
                   cwd=tmp_path).returncode == 0
    assert cli(*args, "--out", "one", cwd=tmp_path).returncode == 0
    sharded = sorted(p.relative_to(tmp_path / "s") for p in (tmp_path / "s").rglob("*.*"))
    one = sorted(p.relative_to(tmp_path / "one") for p in (tmp_path / "one").rglob("*.*"))
    assert sharded == one
    for rel in one:
        assert (tmp_path / "s" / rel).read_bytes() == (tmp_path / "one" / rel).read_bytes(), rel


def test_grid_frames_counts_the_grid_without_building_it() -> None:
    from identbox.sampling.cube import grid_frames, rotation_grid

    for step in (0.3, 1.0, 3.0, 6.3):
        assert grid_frames(step) == len(rotation_grid(step))
