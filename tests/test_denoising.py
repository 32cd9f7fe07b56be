"""Denoising: the dataset's denoiser setting, run the way the device allows (OptiX only on an
OptiX GPU, OpenImageDenoise on the GPU where Cycles can), and a denoiser that cannot start gives
way to the next with one warning, never to no denoising. The Blender tests use real failures of
this CPU-only machine: OptiX, which Cycles does not offer here, and OpenImageDenoise with its
CPU device turned off (OIDN_DEVICE_CPU=0, OpenImageDenoise's own switch)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import run_blender
from image_checks import load_rgba

from identbox.dataset import read_manifest
from identbox.errors import SettingsError
from identbox.settings.denoising import (
    OIDN_CPU,
    OIDN_GPU,
    OPTIX_WAY,
    DenoiserError,
    DenoiserSupport,
    denoiser_ways,
    first_that_starts,
)

CPU = DenoiserSupport(optix=False, oidn_gpu=False, oidn=True, device="CPU")
OPTIX_GPU = DenoiserSupport(optix=True, oidn_gpu=True, oidn=True, device="GPU via OPTIX: H100")
CUDA_GPU = DenoiserSupport(optix=False, oidn_gpu=True, oidn=True, device="GPU via CUDA: H100")
OLD_GPU = DenoiserSupport(optix=False, oidn_gpu=False, oidn=True, device="GPU via CUDA: K80")
NO_OIDN = DenoiserSupport(optix=False, oidn_gpu=False, oidn=False, device="CPU",
                          blender="Blender 3.4.1")


@pytest.mark.parametrize("denoiser,support,ways,warned", [
    ("none", OPTIX_GPU, [], False),
    ("optix", OPTIX_GPU, [OPTIX_WAY, OIDN_GPU, OIDN_CPU], False),
    ("optix", CUDA_GPU, [OIDN_GPU, OIDN_CPU], True),  # OptiX only on an OptiX device
    ("optix", CPU, [OIDN_CPU], True),
    ("openimagedenoise", OPTIX_GPU, [OIDN_GPU, OIDN_CPU], False),  # never OptiX instead
    ("openimagedenoise", OLD_GPU, [OIDN_CPU], False),
    ("openimagedenoise", CPU, [OIDN_CPU], False),
    ("none", NO_OIDN, [], False),
])
def test_the_device_decides_how_the_denoiser_runs(denoiser, support, ways, warned) -> None:
    got, warnings = denoiser_ways(denoiser, support)
    assert got == ways
    assert len(warnings) == int(warned)
    if warned:
        assert "'optix'" in warnings[0] and support.device in warnings[0]
        assert warnings[0].endswith(f"denoising with {ways[0].label} instead")


def test_without_openimagedenoise_a_denoised_dataset_is_refused() -> None:
    """Debian's 3.4: a manifest that says denoised must not get images without it."""
    for denoiser in ("openimagedenoise", "optix"):
        with pytest.raises(SettingsError) as caught:
            denoiser_ways(denoiser, NO_OIDN)
        assert caught.value.setting == "denoiser" and "Blender 3.4.1" in str(caught.value)
        assert "\n" not in str(caught.value)


def test_a_failing_denoiser_falls_back_to_the_next_with_one_warning() -> None:
    """OptiX failing as on the H100 machine: OpenImageDenoise on the GPU takes over; the one
    after it is never tried."""
    tried, warnings = [], []

    def failure(way):
        tried.append(way)
        return "Failed to create OptiX denoiser" if way == OPTIX_WAY else None

    ways, _ = denoiser_ways("optix", OPTIX_GPU)
    assert first_that_starts("optix", ways, failure, warnings.append) == OIDN_GPU
    assert tried == [OPTIX_WAY, OIDN_GPU]
    assert warnings == ["OptiX could not start (Failed to create OptiX denoiser); denoising "
                        "with OpenImageDenoise on the GPU instead"]


def test_when_no_denoiser_starts_the_run_stops_rather_than_go_undenoised() -> None:
    warnings: list[str] = []
    ways, _ = denoiser_ways("optix", OPTIX_GPU)
    with pytest.raises(DenoiserError) as caught:
        first_that_starts("optix", ways, lambda way: f"{way.label} broke", warnings.append)
    assert len(warnings) == 2  # OptiX -> OIDN GPU -> OIDN CPU, then nothing
    message = str(caught.value)
    assert "OpenImageDenoise on the CPU: OpenImageDenoise on the CPU broke" in message
    assert "does not fall back to no denoising" in message and "\n" not in message


# ----- the real Blender (bpy wheel) on this CPU-only machine -----

def render(*args: str, cwd: Path, env: dict[str, str] | None = None):
    return subprocess.run([sys.executable, "-m", "identbox", "render", "--n-pairs", "1",
                           "--resolution", "48", "--samples", "2", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def roughness(path: Path) -> float:
    """Mean absolute difference between neighbouring pixels: the noise of a 2-sample render."""
    rgb = load_rgba(path)[..., :3].astype(float)
    return float(np.abs(np.diff(rgb, axis=0)).mean() + np.abs(np.diff(rgb, axis=1)).mean())


@pytest.mark.blender
def test_optix_on_a_cpu_falls_back_to_openimagedenoise_and_renders(tmp_path: Path) -> None:
    out = render("--denoiser", "optix", "--out", "optix", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    log = out.stderr.splitlines()
    assert [line for line in log if "warning" in line] == [
        "IdentBox: warning: denoiser 'optix' needs an OptiX GPU (this run renders on CPU); "
        "denoising with OpenImageDenoise on the CPU instead"]
    assert log.count("IdentBox: denoising with OpenImageDenoise on the CPU") == 1
    # The manifest keeps the user's choice: it is the dataset's setting.
    assert read_manifest(tmp_path / "optix/manifest.json")["settings"]["render"][
        "denoiser"] == "optix"
    plain = render("--denoiser", "none", "--out", "plain", cwd=tmp_path)
    assert plain.returncode == 0, plain.stderr
    assert "denoising with" not in plain.stderr
    image = "samples/m1/000000.png"
    assert roughness(tmp_path / "optix" / image) < 0.5 * roughness(tmp_path / "plain" / image)


@pytest.mark.blender
def test_a_denoiser_that_cannot_start_stops_the_run_before_it_writes(tmp_path: Path) -> None:
    """OpenImageDenoise with its CPU device turned off fails in Cycles as OptiX did on the
    H100 ('could not create'); with no denoiser after it, the run refuses in one line."""
    env = {**os.environ, "OIDN_DEVICE_CPU": "0"}
    out = render("--denoiser", "openimagedenoise", "--out", "x", cwd=tmp_path, env=env)
    assert out.returncode == 1
    error = out.stderr.strip().splitlines()[-1]
    assert error.startswith("identbox: error: denoiser 'openimagedenoise' could not start here "
                            "(OpenImageDenoise on the CPU: OpenImageDenoise error:")
    assert "does not fall back to no denoising" in error
    assert not (tmp_path / "x").exists()
    assert render("--out", "y", cwd=tmp_path, env=env).returncode == 0  # none needs no OIDN


TRIAL = """
import bpy
from identbox.scene.denoising import trial_render_failure
from identbox.scene.renderer import BlenderPairRenderer
from identbox.settings.denoising import OIDN_CPU, OPTIX_WAY, first_that_starts
from identbox.settings.pairs import DatasetSettings
from identbox.settings.render import RenderSettings

settings = DatasetSettings(n_pairs=1, render=RenderSettings(resolution=40, samples=3))
renderer = BlenderPairRenderer(settings, log=lambda m: None)
scene = renderer.scene
warnings = []
way = first_that_starts("optix", [OPTIX_WAY, OIDN_CPU],
                        lambda way: trial_render_failure(scene, way), warnings.append)
c = scene.cycles
report({"way": way.label, "warnings": warnings,
        "kept": [scene.render.resolution_x, c.samples, scene.render.filepath],
        "set": [c.use_denoising, c.denoiser, c.denoising_use_gpu]})
"""


@pytest.mark.blender
def test_a_denoiser_blender_does_not_offer_gives_way_in_the_trial_render(tmp_path) -> None:
    """OptiX, a real unavailable denoiser here, fails its trial render; OpenImageDenoise on
    the CPU starts, and the trial leaves the scene's size, samples and path as they were."""
    result = run_blender(TRIAL, tmp_path)
    assert result["way"] == "OpenImageDenoise on the CPU"
    assert result["warnings"] == ["OptiX could not start (this Blender does not offer it here); "
                                  "denoising with OpenImageDenoise on the CPU instead"]
    assert result["kept"] == [40, 3, "//"]
    assert result["set"] == [True, "OPENIMAGEDENOISE", False]


@pytest.mark.blender
def test_blender_34_refuses_a_denoised_dataset(tmp_path: Path, debian_blender: str) -> None:
    """Debian's 3.4 has no OpenImageDenoise: one line saying so, exit 2, nothing written."""
    out = render("--denoiser", "openimagedenoise", "--out", "d", "--blender", debian_blender,
                 cwd=tmp_path)
    assert out.returncode == 2, out.stdout + out.stderr
    assert ("identbox: error: denoiser = 'openimagedenoise' is not allowed: 'none' in "
            "Blender 3.4.1") in out.stderr
    assert not (tmp_path / "d").exists()
