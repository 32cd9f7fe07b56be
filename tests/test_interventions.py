"""Pairs drawn by an intervention (settings.intervention): counterfactual view 2 keeps every
non-descendant of the targets bit-identical and its descendants follow their mechanisms with
the stored noise; target frequencies match p; interventional view 2 redraws the noise; the
files, their checksums, validate, the loader's targets, and one-line errors for bad settings."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import assert_close
from PIL import Image
from scipy import stats

from identbox.dataset.loading.loader import IdentBoxPairs
from identbox.dataset.sheets.sheets import TARGET
from identbox.sampling.factors import FACTOR_NAMES, factor_index
from identbox.sampling.intervened_pairs import pair_model, sample_intervened
from identbox.sampling.mechanisms import Interventions, compute, sample
from identbox.sampling.truncnorm import truncated_normal_quantile
from identbox.settings.pairs import DatasetSettings

CONTENT = {"type": "content"}
EDGES = [{"parent": "pos_x", "child": "hue_object", "strength": 0.3},
         {"parent": "hue_object", "child": "hue_spot", "strength": 0.5}]


def preset(n_pairs: int = 2000, **intervention: Any) -> dict[str, Any]:
    return {"name": "intervened", "n_pairs": n_pairs, "seed": 5,
            "blocks": {"positions": CONTENT, "rotations": CONTENT, "hues": CONTENT},
            "causal_edges": EDGES,
            "intervention": {"mode": "counterfactual", "targets": "random",
                             "probability": 0.3, **intervention}}


def settings_of(n_pairs: int = 2000, **intervention: Any) -> DatasetSettings:
    return DatasetSettings.from_dict(preset(n_pairs, **intervention))


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "identbox", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_counterfactual_non_descendants_are_bit_identical() -> None:
    settings = settings_of()
    pairs = sample_intervened(settings)
    mask = pairs.interventions.mask
    below = pair_model(settings).descendants(mask)
    assert np.array_equal(pairs.raw1[~below], pairs.raw2[~below])
    assert np.array_equal(pairs.noise1, pairs.noise2)
    # pos_x a target, hue_object not: its child moved with pos_x in (almost) every such pair
    x, hue = factor_index("pos_x"), factor_index("hue_object")
    moved = mask[:, x] & ~mask[:, hue]
    assert moved.sum() > 300
    assert (pairs.raw1[moved, hue] != pairs.raw2[moved, hue]).mean() > 0.99
    # hue_spot is below pos_x through hue_object: a descendant two edges down
    assert below[moved, factor_index("hue_spot")].all()


def test_every_factor_follows_its_mechanism_given_the_stored_noise() -> None:
    settings = settings_of()
    pairs = sample_intervened(settings)
    model, mask = pair_model(settings), pairs.interventions.mask
    assert np.array_equal(compute(model, pairs.noise1), pairs.raw1)
    assert np.array_equal(compute(model, pairs.noise2, Interventions(mask, pairs.raw2)),
                          pairs.raw2)
    assert np.array_equal(pairs.raw2[mask], pairs.interventions.values[mask])
    # hue_object, where not a target, is N(pos_x, 0.3) truncated to [-1, 1] at its noise
    x, hue = factor_index("pos_x"), factor_index("hue_object")
    free = ~mask[:, hue]
    expected = truncated_normal_quantile(pairs.noise2[free, hue], pairs.raw2[free, x], 0.3,
                                         -1.0, 1.0)
    assert np.array_equal(pairs.raw2[free, hue], expected)


def test_without_targets_view_1_is_the_model_sample_and_view_2_equals_it() -> None:
    settings = settings_of(probability=0.0)
    pairs = sample_intervened(settings)
    assert not pairs.interventions.mask.any()
    assert np.array_equal(pairs.raw1, sample(pair_model(settings), 2000, 5).values)
    assert np.array_equal(pairs.raw1, pairs.raw2)
    assert not pairs.raw1[:, factor_index("rot_beta")].any()  # the constant stays 0


def test_intervention_frequencies_match_p() -> None:
    n, p = 20_000, 0.3
    mask = sample_intervened(settings_of(n, probability=p)).interventions.mask
    for name in FACTOR_NAMES:
        column = mask[:, factor_index(name)]
        if name == "rot_beta":
            assert not column.any()
            continue
        assert_close(column.mean(), p, np.sqrt(p * (1 - p) / n), f"targets of {name}")
    single = sample_intervened(settings_of(n, targets="single")).interventions.mask
    assert (single.sum(axis=1) == 1).all()
    assert_close(single[:, 0].mean(), 1 / 9, np.sqrt(8 / 81 / n), "single target pos_x")
    groups = [["pos_x", "pos_y", "pos_z"], ["hue_background"]]
    fixed = sample_intervened(settings_of(50, targets="fixed", groups=groups)).interventions
    targeted = [factor_index(name) for group in groups for name in group]
    assert fixed.mask[:, targeted].all() and fixed.mask.sum() == 50 * 4
    grouped = sample_intervened(settings_of(n, groups=groups)).interventions.mask
    assert np.array_equal(grouped[:, 0], grouped[:, 1]) and np.array_equal(grouped[:, 0],
                                                                           grouped[:, 2])
    assert_close(grouped[:, 0].mean(), p, np.sqrt(p * (1 - p) / n), "group targets")


def test_interventional_mode_redraws_the_noise_from_the_same_law() -> None:
    """The whole law, not two moments: noise squeezed into [0.025, 0.975] kept the mean and
    moved the std by 5% only, well inside a tolerance of 16 standard errors."""
    n = 20_000
    pairs = sample_intervened(settings_of(n, mode="interventional"))
    assert (pairs.noise1 != pairs.noise2).all()
    for column in range(pairs.noise2.shape[1]):  # fresh noise: U[0, 1) in every column
        fit = stats.kstest(pairs.noise2[:, column], "uniform")
        assert fit.pvalue > 1e-3, (FACTOR_NAMES[column], fit)
    y = factor_index("pos_y")  # a root: where not a target, a fresh draw of the same marginal
    free = ~pairs.interventions.mask[:, y]
    assert (pairs.raw1[free, y] != pairs.raw2[free, y]).all()
    one, two = pairs.raw1[:, y], pairs.raw2[free, y]
    same = stats.ks_2samp(two, one)
    assert same.pvalue > 1e-3, f"view 2's pos_y against view 1's: {same}"
    uniform = stats.kstest(two, stats.uniform(-1.0, 2.0).cdf)  # the block's marginal U[-1, 1]
    assert uniform.pvalue > 1e-3, f"view 2's pos_y against U[-1, 1]: {uniform}"
    # the child still follows its mechanism given view 2's own noise
    model, mask = pair_model(settings_of(n, mode="interventional")), pairs.interventions.mask
    assert np.array_equal(compute(model, pairs.noise2, Interventions(mask, pairs.raw2)),
                          pairs.raw2)


@pytest.fixture(scope="module")
def sampled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("intervened")
    (root / "preset.json").write_text(json.dumps(preset(300)))
    out = cli("sample", "--preset", "preset.json", "--out", "d", "--resolution", "32",
              cwd=root)
    assert out.returncode == 0, out.stderr
    return root / "d"


def checks_of(root: Path) -> dict[str, bool]:
    report = cli("validate", str(root), "--json", cwd=root.parent)
    return {c["name"]: c["ok"] for c in json.loads(report.stdout)["checks"]}


def test_files_checksums_and_manifest(sampled: Path) -> None:
    manifest = json.loads((sampled / "manifest.json").read_text())
    targets = np.load(sampled / "factors" / "interventions.npy")
    assert targets.shape == (300, 10) and targets.dtype == np.uint8
    assert set(np.unique(targets)) <= {0, 1}
    noise = np.load(sampled / "factors" / "m1" / "noise.npy")
    assert noise.shape == (300, 10) and noise.dtype == np.float64
    for key in ("interventions.npy", "m1/noise.npy", "m2/noise.npy"):
        blob = (sampled / "factors" / key).read_bytes()
        assert manifest["latents"]["sha256"][key] == hashlib.sha256(blob).hexdigest()
    record = manifest["interventions"]
    assert record["mode"] == "counterfactual" and "target of do()" in record["file"]
    assert {c["role"] for c in manifest["columns"]} == {"intervened", "constant"}
    checks = checks_of(sampled)
    latent_checks = {k: v for k, v in checks.items() if not k.startswith("samples/")}
    assert all(latent_checks.values()), latent_checks
    assert any("non-descendants" in name for name in checks)


def test_validate_catches_a_changed_non_descendant(sampled: Path, tmp_path: Path) -> None:
    root = tmp_path / "d"
    shutil.copytree(sampled, root)
    y = factor_index("pos_y")
    pair = int(np.flatnonzero(np.load(root / "factors" / "interventions.npy")[:, y] == 0)[0])
    path = root / "factors" / "m2" / "raw_latents.npy"
    raw = np.load(path)
    raw[pair, y] = 0.123 if raw[pair, y] != 0.123 else 0.456
    np.save(path, raw)  # a consistent-looking but wrong file: its checksum updated
    manifest = json.loads((root / "manifest.json").read_text())
    manifest["latents"]["sha256"]["m2/raw_latents.npy"] = hashlib.sha256(
        path.read_bytes()).hexdigest()
    (root / "manifest.json").write_text(json.dumps(manifest))
    report = cli("validate", str(root), cwd=tmp_path)
    assert report.returncode == 1
    failed = [line for line in report.stdout.splitlines() if line.startswith("FAIL")]
    assert any("follows its mechanism" in line and "m2: pos_y" in line for line in failed), failed
    assert any("non-descendants" in line and f"pair {pair}, pos_y" in line for line in failed)


def test_loader_returns_the_targets(sampled: Path, tmp_path: Path) -> None:
    data = IdentBoxPairs(sampled, targets=True, tensors=False, columns=["positions", "hues"])
    stored = np.load(sampled / "factors" / "interventions.npy")
    got = data.intervention_targets(4)
    assert got.dtype == np.uint8
    assert np.array_equal(got, stored[4, [0, 1, 2, 7, 8, 9]])
    (tmp_path / "plain").mkdir()
    plain = cli("sample", "--n-pairs", "3", "--out", "plain/d", cwd=tmp_path)
    assert plain.returncode == 0, plain.stderr
    with pytest.raises(ValueError, match="targets=True needs a dataset drawn with an interv"):
        IdentBoxPairs(tmp_path / "plain" / "d", targets=True, tensors=False)


@pytest.mark.parametrize(("change", "named"), [
    ({"blocks": {"positions": {"type": "style"}}}, "blocks.positions.type"),
    ({"intervention": {"mode": "sometimes"}}, "intervention.mode"),
    ({"intervention": {"targets": "fixed"}}, "intervention.groups"),
    ({"intervention": {"groups": [["pos_x", "rot_beta"]]}}, "intervention.groups[0]"),
    ({"intervention": {"probability": 1.5}}, "intervention.probability"),
    ({"n_views": 3}, "n_views"),
])
def test_bad_settings_are_one_line(tmp_path: Path, change: dict[str, Any], named: str) -> None:
    data = preset(10)
    for key, value in change.items():
        data[key] = {**data[key], **value} if isinstance(value, dict) and key == "blocks" \
            else value
    (tmp_path / "bad.json").write_text(json.dumps(data))
    out = cli("sample", "--preset", "bad.json", "--out", "d", cwd=tmp_path)
    assert out.returncode != 0
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and named in lines[0], out.stderr
    assert not (tmp_path / "d").exists()


@pytest.mark.blender
def test_a_tiny_render_validates_and_loads_with_targets(tmp_path: Path) -> None:
    (tmp_path / "preset.json").write_text(json.dumps(preset(2, probability=0.5)))
    out = cli("render", "--preset", "preset.json", "--out", "d", "--resolution", "32",
              "--samples", "2", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    report = cli("validate", str(tmp_path / "d"), cwd=tmp_path)
    assert report.returncode == 0, report.stdout
    x1, x2, z1, z2, targets = IdentBoxPairs(tmp_path / "d", targets=True, tensors=False)[1]
    assert x1.shape == x2.shape == (32, 32, 3) and z1.shape == z2.shape == targets.shape == (10,)
    stored = np.load(tmp_path / "d" / "factors" / "interventions.npy")
    assert np.array_equal(targets, stored[1])
    # The contact sheet names each pair's targets in red under its factors.
    sheet = cli("contact-sheet", "d", "--out", "sheet.png", cwd=tmp_path)
    assert sheet.returncode == 0, sheet.stderr
    pixels = np.asarray(Image.open(tmp_path / "sheet.png").convert("RGB"))
    red = (pixels == TARGET).all(axis=-1)
    assert red.any() and not red[:128].any()  # text under the images, none on them
