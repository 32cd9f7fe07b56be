"""python -m identbox validate on pair datasets: a clean one passes; a deleted image, a
corrupted PNG, an edited latents file, swapped views, another pair's image and stray files
are each caught, with exit status 1."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.blender


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "identbox", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("validate")
    out = cli("render", "--preset", "positions_rotations_hues", "--n-pairs", "5",
              "--resolution", "48", "--samples", "8", "--out", "d", cwd=root)
    assert out.returncode == 0, out.stderr
    return root / "d"


def copy_of(rendered: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy"
    shutil.copytree(rendered, target)
    return target


def failures(report: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in report.stdout.splitlines() if line.startswith("FAIL")]


def test_a_clean_dataset_passes(rendered: Path, tmp_path: Path) -> None:
    report = cli("validate", str(rendered), cwd=tmp_path)
    assert report.returncode == 0, report.stdout
    assert "0 failed" in report.stdout
    data = json.loads(cli("validate", str(rendered), "--json", cwd=tmp_path).stdout)
    assert data["ok"] and len(data["checks"]) >= 15
    assert any("ground hue" in c["name"] and c["ok"] for c in data["checks"])


def test_a_deleted_image_is_caught(rendered: Path, tmp_path: Path) -> None:
    root = copy_of(rendered, tmp_path)
    (root / "samples" / "m2" / "000003.png").unlink()
    report = cli("validate", str(root), cwd=tmp_path)
    assert report.returncode == 1
    assert any("samples/m2" in line and "000003.png" in line for line in failures(report))


def test_a_corrupted_png_is_caught(rendered: Path, tmp_path: Path) -> None:
    root = copy_of(rendered, tmp_path)
    image = root / "samples" / "m1" / "000001.png"
    image.write_bytes(image.read_bytes()[: len(image.read_bytes()) // 2])
    report = cli("validate", str(root), cwd=tmp_path)
    assert report.returncode == 1
    assert any("samples/m1" in line and "incomplete" in line for line in failures(report))


def test_a_resized_image_and_one_that_does_not_decode_are_caught(rendered: Path,
                                                                 tmp_path: Path) -> None:
    from PIL import Image

    root = copy_of(rendered, tmp_path)
    resized = root / "samples" / "m1" / "000002.png"
    Image.open(resized).resize((20, 20)).save(resized)
    broken = root / "samples" / "m2" / "000004.png"  # whole to the layout check, not a PNG
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64) + b"IEND\xaeB`\x82")
    lines = failures(cli("validate", str(root), "--sample", "5", cwd=tmp_path))
    assert any("sampled images are" in line and "000002.png (20, 20)" in line for line in lines)
    assert any("sampled pairs decode" in line and "000004.png" in line for line in lines), lines


def test_an_edited_latents_file_is_caught(rendered: Path, tmp_path: Path) -> None:
    root = copy_of(rendered, tmp_path)
    path = root / "factors" / "m2" / "raw_latents.npy"
    latents = np.load(path)
    latents[2, 7] += 0.5  # a content hue: also breaks the block rules
    np.save(path, latents)
    report = cli("validate", str(root), cwd=tmp_path)
    assert report.returncode == 1
    lines = failures(report)
    assert any("raw_latents.npy matches the manifest" in line for line in lines)


@pytest.fixture(scope="module")
def hues_content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default preset: hues are content, so each pair's ground hue is its own."""
    root = tmp_path_factory.mktemp("validate_default")
    out = cli("render", "--n-pairs", "4", "--resolution", "48", "--samples", "8",
              "--out", "d", cwd=root)
    assert out.returncode == 0, out.stderr
    return root / "d"


def swap_views(root: Path, index: int) -> None:
    one, two = (root / "samples" / view / f"{index:06d}.png" for view in ("m1", "m2"))
    data = one.read_bytes()
    one.write_bytes(two.read_bytes())
    two.write_bytes(data)


def test_views_swapped_in_every_pair_are_caught(rendered: Path, tmp_path: Path) -> None:
    root = copy_of(rendered, tmp_path)
    for index in range(5):
        swap_views(root, index)
    lines = failures(cli("validate", str(root), cwd=tmp_path))
    assert any("ground hue" in line for line in lines), lines
    assert any("MyMetal" in line for line in lines), lines


def test_views_swapped_in_one_pair_are_caught(rendered: Path, tmp_path: Path) -> None:
    root = copy_of(rendered, tmp_path)
    swap_views(root, 2)
    report = cli("validate", str(root), cwd=tmp_path)
    assert report.returncode == 1
    assert any("000002.png" in line for line in failures(report)), report.stdout


def test_a_view_2_image_from_another_pair_is_caught(hues_content: Path, tmp_path: Path) -> None:
    root = copy_of(hues_content, tmp_path)
    shutil.copyfile(root / "samples" / "m2" / "000000.png", root / "samples" / "m2" / "000003.png")
    report = cli("validate", str(root), cwd=tmp_path)
    assert report.returncode == 1
    assert any("ground hue" in line and "m2/000003.png" in line
               for line in failures(report)), report.stdout


def test_stray_files_are_reported(rendered: Path, tmp_path: Path) -> None:
    root = copy_of(rendered, tmp_path)
    shutil.copyfile(root / "samples" / "m1" / "000000.png", root / "samples" / "m1" / "000005.png")
    (root / "samples" / "m2" / ".000001.png.4242.tmp").write_bytes(b"partial")
    (root / "factors" / "m1" / ".latents.npy.abc123.tmp").write_bytes(b"partial")
    np.save(root / "factors" / "m2" / "extra.npy", np.zeros(3))
    (root / "notes.txt").write_text("mine\n")
    lines = failures(cli("validate", str(root), cwd=tmp_path))
    assert any("beyond the 5 pairs" in line and "samples/m1/000005.png" in line for line in lines)
    assert any("temporary" in line and "samples/m2/.000001.png.4242.tmp" in line
               and "factors/m1/.latents.npy.abc123.tmp" in line for line in lines), lines
    assert any("unknown" in line and "factors/m2/extra.npy" in line and "notes.txt" in line
               for line in lines), lines


def test_what_identbox_writes_beside_a_dataset_is_no_stray(rendered: Path,
                                                           tmp_path: Path) -> None:
    root = copy_of(rendered, tmp_path)
    for name in ("contact_sheet.png", "latents.png"):
        shutil.copyfile(root / "samples" / "m1" / "000000.png", root / name)
    (root / "slurm" / "logs").mkdir(parents=True)
    (root / "slurm" / "render.sbatch").write_text("#!/bin/bash\n")
    for clutter in (".DS_Store", "samples/m1/._000000.png", "factors/.nfs0000abcd"):
        (root / clutter).write_bytes(b"left by a file browser or NFS")
    (root / "slurm" / "logs" / "shard-0.log").write_text("done\n")
    report = cli("validate", str(root), cwd=tmp_path)
    assert report.returncode == 0, report.stdout
    (root / "slurm" / "logs" / ".x.tmp").write_text("")
    assert any("slurm/logs/.x.tmp" in line
               for line in failures(cli("validate", str(root), cwd=tmp_path)))
