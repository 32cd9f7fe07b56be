"""The loader: pairs as arrays or tensors, column selection, memory-mapped latents, a torch
DataLoader with two workers, and folders laid out like the published data (no manifest)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader

from identbox.dataset import IdentBoxPairs

pytestmark = pytest.mark.blender

# The normalisation of the published loaders (shared/reference/3dident.md, section 6: "The
# loaders of the family normalise images with mean (0.4327, 0.2689, 0.2839), std (0.1201,
# 0.1457, 0.1082)"), typed in here so that a wrong number in the loader fails.
PUBLISHED_MEAN = (0.4327, 0.2689, 0.2839)
PUBLISHED_STD = (0.1201, 0.1457, 0.1082)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("loader")
    out = subprocess.run([sys.executable, "-m", "identbox", "render", "--n-pairs", "6",
                          "--resolution", "32", "--samples", "2", "--out", "d"], cwd=root,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return root / "d"


def test_pairs_as_arrays(rendered: Path) -> None:
    data = IdentBoxPairs(rendered, tensors=False)
    assert len(data) == 6
    x1, x2, z1, _ = data[4]
    assert x1.shape == x2.shape == (32, 32, 3) and x1.dtype == np.uint8
    raw = np.load(rendered / "factors/m1/raw_latents.npy")
    assert np.allclose(z1, raw[4]) and z1.dtype == np.float32
    views, latents = data.views(4)  # the k-view form, for two views too
    assert data.n_views == 2 and len(views) == len(latents) == 2
    assert np.array_equal(views[1], x2) and np.array_equal(latents[0], z1)
    hues = IdentBoxPairs(rendered, tensors=False, columns=["hues"], units="blender")
    assert hues.column_names == ["hue_object", "hue_spot", "hue_background"]
    blender = np.load(rendered / "factors/m2/latents.npy")
    assert np.allclose(hues[2][3], blender[2, 7:])
    with pytest.raises(KeyError, match="known"):
        IdentBoxPairs(rendered, columns=["colour"])
    with pytest.raises(IndexError):
        data[6]


def test_normalized_tensors(rendered: Path) -> None:
    data = IdentBoxPairs(rendered, normalize=True)
    x1, _, z1, _ = data[0]
    assert isinstance(x1, torch.Tensor) and x1.shape == (3, 32, 32) and x1.dtype == torch.float32
    plain = IdentBoxPairs(rendered, tensors=False)[0][0].astype(np.float32) / 255.0
    expected = ((plain - np.array(PUBLISHED_MEAN)) / np.array(PUBLISHED_STD)).transpose(2, 0, 1)
    gap = float(np.max(np.abs(x1.numpy() - expected)))
    assert gap < 1e-5, f"not the published mean and std: off by up to {gap:.3g}"
    assert isinstance(z1, torch.Tensor)


def test_a_dataloader_with_two_workers(rendered: Path) -> None:
    loader = DataLoader(IdentBoxPairs(rendered, normalize=True), batch_size=4, num_workers=2)
    batches = list(loader)
    assert [b[0].shape[0] for b in batches] == [4, 2]
    z1 = torch.cat([b[2] for b in batches])
    assert np.allclose(z1.numpy(), np.load(rendered / "factors/m1/raw_latents.npy"))


def test_published_layout_without_a_manifest(rendered: Path, tmp_path: Path) -> None:
    published = tmp_path / "hues_positions_rotations"
    shutil.copytree(rendered / "samples", published / "samples")
    shutil.copytree(rendered / "factors", published / "factors")
    with pytest.warns(UserWarning, match="no manifest"):
        data = IdentBoxPairs(published.parent, split="hues_positions_rotations", tensors=False)
    assert data.assumptions and data.column_names[0] == "pos_x" and len(data) == 6
    assert data[1][0].shape == (32, 32, 3)


def test_open_dataset_finds_the_loader_of_the_kind_the_manifest_says(rendered: Path,
                                                                      tmp_path: Path) -> None:
    from identbox.dataset import open_dataset
    from identbox.dataset.writing.cube_writer import write_cube_labels
    from identbox.dataset.writing.sequence_writer import write_sequence
    from identbox.errors import DatasetError
    from identbox.settings.cube import CubeSettings
    from identbox.settings.sequence import SequenceSettings

    pairs = open_dataset(rendered, tensors=False)
    assert isinstance(pairs, IdentBoxPairs) and len(pairs) == 6
    write_sequence(SequenceSettings(n_frames=5, seed=1), tmp_path / "seq")
    assert type(open_dataset(tmp_path / "seq")).__name__ == "IdentBoxSequence"
    write_cube_labels(CubeSettings(step=3.0, sizes=(32,)), tmp_path / "cube")
    with pytest.raises(DatasetError, match="holds a Cube dataset, which has no loader here"):
        open_dataset(tmp_path / "cube")
    with pytest.raises(DatasetError, match="not an IdentBox dataset"):
        open_dataset(tmp_path)


def test_a_folder_that_does_not_exist_is_said_plainly(tmp_path: Path) -> None:
    """Not the published-layout warning and then a missing latents file three folders down."""
    with pytest.raises(FileNotFoundError, match="none is not a folder: no dataset to load"):
        IdentBoxPairs(tmp_path / "none")
