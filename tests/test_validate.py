"""python -m identbox validate on pair datasets: a clean one passes; a deleted image, a
corrupted PNG and an edited latents file are each caught, with exit status 1."""

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
