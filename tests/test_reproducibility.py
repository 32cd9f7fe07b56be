"""Same settings and seed: bit-identical latents and manifests, today and on any machine.

tests/data/golden_digests.json is the one store of recorded results: per bundled preset, the
SHA-256 of its sampled latents, the first rows of view 1 as numbers (a readable anchor: a
failure shows which values moved), and the SHA-256 of every file its writer writes before any
image (latents and manifest). It is a change detector made by the code itself, not an outside
truth: the outside checks are the statistical tests and the fidelity renders. Latents and
manifests are portable bytes (NumPy's generators and Python's floats are the same everywhere);
rendered images are not, and are compared as pixels (tests/render_reference.py)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from conftest import REPO

from identbox.dataset.files.manifest import manifest_text
from identbox.dataset.writing.sequence_writer import sequence_arrays
from identbox.presets import load_preset, preset_names
from identbox.sampling import sample_latents
from identbox.settings.contract import PairKindSettings
from identbox.settings.kinds import kind_of, load
from identbox.settings.objects import sample_pairs
from identbox.settings.pairs import BlockSettings, DatasetSettings
from identbox.settings.sequence import SequenceSettings

GOLDEN = REPO / "tests" / "data" / "golden_digests.json"


def digest(settings: PairKindSettings) -> str:
    """Every view's raw latents (views 1 and 2 alone for two views, as ever); a sequence's
    latents, interventions and noise."""
    if isinstance(settings, SequenceSettings):
        arrays = sequence_arrays(settings).values()
        return hashlib.sha256(b"".join(a.tobytes() for a in arrays)).hexdigest()
    views = sample_pairs(settings)
    return hashlib.sha256(b"".join(raw.tobytes() for raw in views.raws)).hexdigest()


def first_rows(settings: PairKindSettings, rows: int = 2) -> list[list[float]]:
    """The first rows of view 1's raw latents (a sequence's latents), as plain numbers."""
    if isinstance(settings, SequenceSettings):
        values = next(iter(sequence_arrays(settings).values()))
    else:
        values = sample_pairs(settings).raws[0]
    return [[float(x) for x in row] for row in values[:rows]]


def golden_settings(name: str, count: int = 1000) -> PairKindSettings:
    """A bundled preset at `count` pairs (or frames), seed 0."""
    settings = load_preset(name)
    what = "n_frames" if isinstance(settings, SequenceSettings) else "n_pairs"
    return settings.replace(**{what: count, "seed": 0})


def _manifest_sha256(path: Path) -> str:
    """The manifest's bytes but for the two versions it records (they change by release)."""
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["identbox_version"] = manifest["numpy_version"] = "-"
    return hashlib.sha256(manifest_text(manifest).encode("utf-8")).hexdigest()


def written_files(name: str, folder: Path) -> dict[str, str]:
    """SHA-256 of every file the preset's writer writes at 50 pairs (or frames), seed 0."""
    root = folder / name
    load(kind_of(load_preset(name)).write)(golden_settings(name, 50), root)
    return {str(p.relative_to(root)): (_manifest_sha256(p) if p.name == "manifest.json"
                                       else hashlib.sha256(p.read_bytes()).hexdigest())
            for p in sorted(root.rglob("*")) if p.is_file()}


def golden_entry(name: str, folder: Path) -> dict[str, object]:
    """What the store records for one preset (tests/data/make_golden.py writes them all)."""
    settings = golden_settings(name)
    return {"latents": digest(settings), "first_rows": first_rows(settings),
            "files": written_files(name, folder)}


def test_same_seed_same_bits_other_seed_other_values() -> None:
    settings = load_preset("part2_causal").replace(n_pairs=500, seed=11)
    a, b = sample_latents(settings), sample_latents(settings)
    assert np.array_equal(a.raw1, b.raw1) and np.array_equal(a.raw2, b.raw2)
    c = sample_latents(settings.replace(seed=12))
    assert not np.array_equal(a.raw1, c.raw1)


def test_a_column_does_not_depend_on_other_blocks_settings() -> None:
    base = DatasetSettings(n_pairs=300, seed=4)
    other = base.replace(blocks={**base.blocks, "positions": BlockSettings(type="content")})
    a, b = sample_latents(base), sample_latents(other)
    assert np.array_equal(a.raw1[:, 7:], b.raw1[:, 7:])  # hues untouched
    assert np.array_equal(a.raw1[:, :3], b.raw1[:, :3])  # same view-1 draws, new block type


@pytest.mark.parametrize("name", preset_names())
def test_golden_latents_and_files(name: str, tmp_path: Path) -> None:
    """Published seeds must keep giving the same latents and files. A change here changes every
    dataset ever sampled: only regenerate the store (tests/data/make_golden.py) on purpose."""
    golden = json.loads(GOLDEN.read_text())
    assert name in golden, "a new preset: add it with tests/data/make_golden.py"
    settings = golden_settings(name)
    rows = np.array(first_rows(settings))
    expected = np.array(golden[name]["first_rows"])
    assert np.array_equal(rows, expected), (
        f"{name}'s first rows moved by up to {np.abs(rows - expected).max():.3g}:\n{rows}")
    assert digest(settings) == golden[name]["latents"], f"{name}'s later latents changed"
    assert written_files(name, tmp_path) == golden[name]["files"]


def test_the_store_notices_a_changed_row(tmp_path: Path) -> None:
    """The check can fail: one latent value moved by 1e-12 changes the digest."""
    settings = golden_settings("hues_positions_rotations")
    views = sample_pairs(settings)
    views.raws[0][500, 3] += 1e-12
    changed = hashlib.sha256(b"".join(raw.tobytes() for raw in views.raws)).hexdigest()
    assert changed != json.loads(GOLDEN.read_text())["hues_positions_rotations"]["latents"]
