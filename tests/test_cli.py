"""`python -m identbox`: presets, sample, help; one-line errors with exit 2 that write nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from identbox.dataset import read_manifest, settings_from_manifest
from identbox.presets import load_preset, preset_names
from identbox.sampling import FACTOR_NAMES, sample_latents


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "identbox", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def files_under(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def test_help_explains_commands(tmp_path: Path) -> None:
    out = cli("--help", cwd=tmp_path)
    assert out.returncode == 0
    for word in ("presets", "sample", "manifest.json", "raw_latents.npy", "content", "style"):
        assert word in out.stdout
    sample_help = cli("sample", "--help", cwd=tmp_path).stdout
    for option in ("--preset", "--n-pairs", "--seed", "--out"):
        assert option in sample_help


def test_presets_lists_every_preset(tmp_path: Path) -> None:
    out = cli("presets", cwd=tmp_path)
    assert out.returncode == 0
    listed = [line.split()[0] for line in out.stdout.splitlines()]
    assert listed == preset_names()


def test_sample_writes_the_published_layout_and_manifest(tmp_path: Path) -> None:
    out = cli("sample", "--preset", "rotations_hues_positions", "--n-pairs", "50", "--seed", "9",
              "--out", "data", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    root = tmp_path / "data"
    assert files_under(root) == ["factors", "factors/m1", "factors/m1/latents.npy",
                                 "factors/m1/object_pixels.npy", "factors/m1/raw_latents.npy",
                                 "factors/m2", "factors/m2/latents.npy",
                                 "factors/m2/object_pixels.npy", "factors/m2/raw_latents.npy",
                                 "manifest.json"]
    manifest = read_manifest(root / "manifest.json")
    settings = settings_from_manifest(manifest)
    assert settings == load_preset("rotations_hues_positions").replace(n_pairs=50, seed=9)
    assert [c["name"] for c in manifest["columns"]] == list(FACTOR_NAMES)
    assert all(c["meaning"] for c in manifest["columns"])
    assert manifest["numpy_version"] == np.__version__ and manifest["identbox_version"]
    expected = sample_latents(settings)
    raw1 = np.load(root / "factors/m1/raw_latents.npy")
    assert raw1.dtype == np.float64 and raw1.shape == (50, 10)
    assert np.array_equal(raw1, expected.raw1)
    assert np.array_equal(np.load(root / "factors/m2/latents.npy"), expected.latents2)


def test_same_dataset_again_is_unchanged_and_a_different_one_is_refused(tmp_path: Path) -> None:
    args = ("sample", "--n-pairs", "20", "--seed", "1", "--out", "d")
    assert cli(*args, cwd=tmp_path).returncode == 0
    manifest = tmp_path / "d/manifest.json"
    before = manifest.read_bytes(), (tmp_path / "d/factors/m1/latents.npy").read_bytes()
    again = cli(*args, cwd=tmp_path)
    assert again.returncode == 0 and "nothing written" in again.stdout
    refused = cli("sample", "--n-pairs", "21", "--seed", "1", "--out", "d", cwd=tmp_path)
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1 and "different dataset" in refused.stderr
    assert (manifest.read_bytes(), (tmp_path / "d/factors/m1/latents.npy").read_bytes()) == before


@pytest.mark.parametrize("args,snippet", [
    (("--n-pairs", "0"), "n_pairs"),
    (("--n-pairs", "-3"), "n_pairs"),
    (("--n-pairs", "many"), "invalid int"),
    (("--seed", "-1"), "seed"),
    (("--preset", "nope"), "preset"),
    (("--preset", "missing.json"), "cannot be read"),
    (("--bogus", "1"), "unrecognized"),
])
def test_bad_arguments_one_line_exit_2_nothing_written(tmp_path: Path, args, snippet) -> None:
    out = cli("sample", *args, "--out", "never", cwd=tmp_path)
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and out.stderr.startswith("identbox: error:")
    assert snippet in out.stderr
    assert not (tmp_path / "never").exists()


def test_missing_command_or_out_is_a_usage_error(tmp_path: Path) -> None:
    for args in ((), ("sample",)):
        out = cli(*args, cwd=tmp_path)
        assert out.returncode == 2 and out.stderr.count("\n") == 1


def test_settings_file_with_a_bad_value(tmp_path: Path) -> None:
    (tmp_path / "s.json").write_text(json.dumps({"blocks": {"hues": {"change_probability": 2}}}))
    out = cli("sample", "--preset", "s.json", "--out", "never", cwd=tmp_path)
    assert out.returncode == 2 and "blocks.hues.change_probability" in out.stderr
    assert "[0, 1]" in out.stderr and not (tmp_path / "never").exists()


def test_a_manifest_reproduces_its_latents(tmp_path: Path) -> None:
    assert cli("sample", "--preset", "part2_causal", "--n-pairs", "30", "--seed", "5",
               "--out", "a", cwd=tmp_path).returncode == 0
    assert cli("sample", "--preset", "a/manifest.json", "--out", "b", cwd=tmp_path).returncode == 0
    for rel in ("factors/m1/raw_latents.npy", "factors/m2/latents.npy", "manifest.json"):
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes()


def test_the_package_and_cli_need_no_bpy(tmp_path: Path) -> None:
    script = (
        "import sys; sys.modules['bpy'] = None\n"  # any `import bpy` now fails
        "import identbox, identbox.sampling, identbox.settings.pairs, identbox.presets\n"
        "import identbox.dataset, identbox.cli\n"
        "sys.exit(identbox.cli.main(['sample', '--n-pairs', '5', '--out', 'x']))\n")
    out = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "x/manifest.json").exists()


def test_published_is_one_switch_recorded_in_the_manifest(tmp_path: Path) -> None:
    """--published: legacy hues, MyMetal/Rubber and the published render settings, with the
    same latents as without it; the manifest says whether a dataset has the published look."""
    for name, extra in (("plain", ()), ("published", ("--published",)),
                        ("changed", ("--published", "--samples", "64"))):
        out = cli("sample", "--preset", "positions_hues_rotations", "--n-pairs", "5", *extra,
                  "--out", name, cwd=tmp_path)
        assert out.returncode == 0, out.stderr
    manifests = {name: read_manifest(tmp_path / name / "manifest.json")
                 for name in ("plain", "published", "changed")}
    assert [m["published_look"] for m in manifests.values()] == [False, True, False]
    published = manifests["published"]["settings"]
    assert published["scene"] == {"hue_mapping": "legacy", "view1_material": "MyMetal",
                                  "view2_material": "Rubber", "teapot_resolution": 10}
    assert (published["render"]["resolution"], published["render"]["samples"],
            published["render"]["denoiser"]) == (224, 512, "openimagedenoise")
    assert manifests["plain"]["settings"]["scene"]["hue_mapping"] == "wrapped"
    assert manifests["changed"]["settings"]["render"]["samples"] == 64
    assert manifests["changed"]["settings"]["scene"]["hue_mapping"] == "legacy"
    latents = [np.load(tmp_path / name / "factors/m1/latents.npy") for name in manifests]
    assert all(np.array_equal(latents[0], other) for other in latents[1:])


def test_every_render_preset_is_offered_and_recorded_in_the_manifest(tmp_path: Path) -> None:
    """--render-preset takes each bundled render preset (published_fast among them), --help
    lists them all with their settings, and the manifest records the preset's settings."""
    from identbox.presets import load_render_preset, render_preset_names

    names = render_preset_names()
    assert "published_fast" in names
    help_text = " ".join(cli("sample", "--help", cwd=tmp_path).stdout.split())
    for name in names:
        assert f"{name}: {load_render_preset(name).resolution} px" in help_text, help_text
        out = cli("sample", "--n-pairs", "2", "--render-preset", name, "--out", name,
                  cwd=tmp_path)
        assert out.returncode == 0, out.stderr
        manifest = read_manifest(tmp_path / name / "manifest.json")
        assert settings_from_manifest(manifest).render == load_render_preset(name)


def test_an_empty_out_is_refused(tmp_path: Path) -> None:
    out = cli("sample", "--n-pairs", "2", "--out", "", cwd=tmp_path)
    assert out.returncode == 2 and "out = ''" in out.stderr and len(out.stderr.splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_every_render_setting_has_a_flag_recorded_in_the_manifest(tmp_path: Path) -> None:
    """One flag per render setting (RENDER_SPECS), read back by the same table: bounces and
    the glossy filter had no flag, and the flags were listed twice."""
    from identbox.limits import Choice
    from identbox.settings.render import RENDER_SPECS, RenderSettings

    default = RenderSettings()
    arguments, expected = [], {}
    for spec in RENDER_SPECS:
        if isinstance(spec, Choice):
            value = next(o for o in spec.options if o != getattr(default, spec.name)
                         and o != "optix")
        else:
            value = int(spec.minimum) + 1 if spec.is_integer else float(spec.maximum) / 2
        arguments += [f"--{spec.name.replace('_', '-')}", str(value)]
        expected[spec.name] = value
    out = cli("sample", "--n-pairs", "2", *arguments, "--out", "flags", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    render = settings_from_manifest(read_manifest(tmp_path / "flags" / "manifest.json")).render
    assert {name: getattr(render, name) for name in expected} == expected
