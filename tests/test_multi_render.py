"""Multi-object scenes rendered in the real Blender: layout, masks with one id per object,
and presets that load as multi-object settings."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from image_checks import load_rgba

from identbox.dataset import read_manifest
from identbox.presets import load_preset
from identbox.settings.objects import MultiObjectSettings

pytestmark = pytest.mark.blender


def test_presets_are_multi_object_settings() -> None:
    clevr = load_preset("clevr_like")
    example = load_preset("objects_content_2")
    assert isinstance(clevr, MultiObjectSettings) and clevr.masks
    assert isinstance(example, MultiObjectSettings) and example.n_objects == 2
    assert {b: s.type for b, s in example.blocks.items()} == {
        "objects": "content", "positions": "style", "rotations": "style",
        "hues": "view_specific"}
    assert MultiObjectSettings.from_dict(example.to_dict()) == example


@pytest.mark.every_blender
def test_two_pairs_with_masks(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "identbox", "render", "--preset", "clevr_like",
                          "--n-pairs", "2", "--resolution", "128", "--samples", "8",
                          "--out", "m"], cwd=tmp_path, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    root = tmp_path / "m"
    manifest = read_manifest(root / "manifest.json")
    names = [c["name"] for c in manifest["columns"]]
    assert len(names) == 3 + 7 * 5 and names[:3] == ["spot_hue", "background_hue", "spot_theta"]
    assert names[-1] == "object4_type"
    latents = {v: np.load(root / f"factors/m{v}/latents.npy") for v in (1, 2)}
    types = slice(3 + 6 * 5, 3 + 7 * 5)
    assert np.array_equal(latents[1][:, types], latents[2][:, types])  # types are content
    settings = load_preset("clevr_like")
    for pair in range(2):
        for view in (1, 2):
            image = load_rgba(root / f"samples/m{view}/{pair:06d}.png")
            assert image.shape == (128, 128, 4)
            mask = load_rgba(root / f"masks/m{view}/{pair:06d}.png")[..., 0]
            ids, counts = np.unique(mask, return_counts=True)
            assert list(ids) == list(range(6)), f"pair {pair} view {view}: {ids}"
            # The placement guarantees each bounding circle >= min_pixels; the silhouette
            # inside it covers at least a quarter of that.
            assert counts[1:].min() >= settings.min_pixels / 4
