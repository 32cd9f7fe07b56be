"""Datasets of k views: a three-view dataset renders, validates (a missing view-3 image is
caught), loads as 3-tuples and draws its sheets; the published two-view presets still write the
bytes they wrote before k views (tests/data/two_view_files.json, made before the change)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

from identbox.dataset.manifest import manifest_text
from identbox.dataset.writer import write_latents
from identbox.presets import PRESET_DIR, load_preset, preset_names

FILES = REPO / "tests" / "data" / "two_view_files.json"
# Both renderers, with masks and depth maps (at 16 px objects cover few pixels).
RENDERED_PRESETS = {"hues_positions_rotations": {}, "objects_content_2": {"min_pixels": 1}}
TINY = ("--n-pairs", "2", "--resolution", "16", "--samples", "2", "--seed", "3")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _manifest_sha256(path: Path) -> str:
    """The manifest's bytes but for the two versions it records (they change by release)."""
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["identbox_version"] = manifest["numpy_version"] = "-"
    return hashlib.sha256(manifest_text(manifest).encode("utf-8")).hexdigest()


def _digests(root: Path, folders: tuple[str, ...]) -> dict[str, str]:
    found = {str(p.relative_to(root)): _sha256(p) for folder in folders
             for p in sorted((root / folder).rglob("*")) if p.is_file()}
    return {**found, "manifest.json": _manifest_sha256(root / "manifest.json")}


def latent_file_digests(folder: Path) -> dict[str, dict[str, str]]:
    """Every bundled preset (50 pairs, seed 0): its latent files and manifest, by name."""
    digests = {}
    for name in preset_names():
        root = folder / name
        write_latents(load_preset(name).replace(n_pairs=50, seed=0), root)
        digests[name] = _digests(root, ("factors",))
    return digests


def render_digests(folder: Path) -> dict[str, dict[str, str]]:
    """Two pairs at 16 px of each renderer's preset, with masks and depth maps."""
    digests = {}
    for name, changes in RENDERED_PRESETS.items():
        preset = json.loads((PRESET_DIR / f"{name}.json").read_text(encoding="utf-8"))
        path = folder / f"{name}.json"
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({**preset, **changes, "masks": True, "depth": True}))
        done = subprocess.run([sys.executable, "-m", "identbox", "render", "--preset", str(path),
                               *TINY, "--out", name], cwd=folder, capture_output=True, text=True,
                              timeout=600)
        assert done.returncode == 0, done.stderr
        digests[name] = _digests(folder / name, ("factors", "samples", "masks", "depth"))
    return digests


def test_published_presets_write_the_latents_and_manifests_they_wrote_before(
        tmp_path: Path) -> None:
    assert latent_file_digests(tmp_path) == json.loads(FILES.read_text())["latents"]


@pytest.mark.blender
def test_published_two_view_renders_give_the_images_they_gave_before(tmp_path: Path) -> None:
    assert render_digests(tmp_path) == json.loads(FILES.read_text())["images"]
