"""Reproduce a dataset from its manifest alone, byte for byte; and train/val/test splits."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from identbox.errors import SettingsError
from identbox.settings.splits import parse_splits, split_seed

pytestmark = pytest.mark.blender


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "identbox", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.mark.every_blender
def test_reproduce_gives_the_same_bytes(tmp_path: Path) -> None:
    assert cli("render", "--preset", "part2_causal", "--n-pairs", "4", "--resolution", "32",
               "--samples", "4", "--seed", "6", "--out", "a", cwd=tmp_path).returncode == 0
    again = cli("reproduce", "a/manifest.json", "--out", "b", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    original, reproduced = files(tmp_path / "a"), files(tmp_path / "b")
    assert original.keys() == reproduced.keys()
    assert original == reproduced  # latents, manifest and every image, byte for byte

    part = cli("reproduce", "a/manifest.json", "--out", "c", "--pairs", "1:3", cwd=tmp_path)
    assert part.returncode == 0, part.stderr
    images = sorted(p.name for p in (tmp_path / "c" / "samples" / "m1").iterdir())
    assert images == ["000001.png", "000002.png"]
    for name in images:
        assert (tmp_path / "c/samples/m1" / name).read_bytes() == original[f"samples/m1/{name}"]
    bad = cli("reproduce", "a/manifest.json", "--out", "d", "--pairs", "3:9", cwd=tmp_path)
    assert bad.returncode == 2 and "pairs" in bad.stderr and not (tmp_path / "d").exists()


def test_splits_have_their_own_seeds_and_are_recorded(tmp_path: Path) -> None:
    args = ("sample", "--n-pairs", "7", "--seed", "3", "--splits", "train=20,val=5,test=5")
    assert cli(*args, "--out", "s", cwd=tmp_path).returncode == 0
    manifests = {name: json.loads((tmp_path / "s" / name / "manifest.json").read_text())
                 for name in ("train", "val", "test")}
    seeds = {name: m["settings"]["seed"] for name, m in manifests.items()}
    assert len(set(seeds.values())) == 3
    assert seeds == {"train": split_seed(3, 0), "val": split_seed(3, 1), "test": split_seed(3, 2)}
    for name, manifest in manifests.items():
        assert manifest["split"]["name"] == name and manifest["split"]["parent_seed"] == 3
        assert manifest["split"]["splits"] == {"train": 20, "val": 5, "test": 5}
    sizes = {name: np.load(tmp_path / "s" / name / "factors/m1/raw_latents.npy").shape[0]
             for name in manifests}
    assert sizes == {"train": 20, "val": 5, "test": 5}
    val = np.load(tmp_path / "s/val/factors/m1/raw_latents.npy")
    test = np.load(tmp_path / "s/test/factors/m1/raw_latents.npy")
    assert not np.array_equal(val, test)
    assert cli(*args, "--out", "t", cwd=tmp_path).returncode == 0  # the same splits again
    assert files(tmp_path / "s") == files(tmp_path / "t")


def test_split_parsing() -> None:
    assert parse_splits("train=250000,val=10000,test=10000") == [
        ("train", 250000), ("val", 10000), ("test", 10000)]
    for bad in ("train", "train=x", "train=0", "a=1,a=2", "=5"):
        with pytest.raises(SettingsError, match=r"splits|n_pairs"):
            parse_splits(bad)
