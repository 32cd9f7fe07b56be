"""Start a run's denoiser on its device: each way settings/denoising.py allows is tried with a
tiny render, best first, and the first that works is kept and named in the log once.

A denoiser can fail only when Cycles first creates it (as OptiX did on an H100 machine:
'Failed to create OptiX denoiser'); a test render finds that out before any image is written.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import bpy

from ..console import quiet_stdout
from ..settings.denoising import (
    DenoiserSupport,
    DenoiserWay,
    denoiser_ways,
    first_that_starts,
)
from .device import DeviceChoice, cycles_preferences
from .render_setup import has_openimagedenoise, set_denoiser

TEST_PIXELS = 16  # the test render's width and height, at one sample


def _asks(preferences: Any, method: str, otherwise: bool) -> bool:
    """A Cycles preferences check that older Blenders lack (then `otherwise`)."""
    check = getattr(preferences, method, None)
    return bool(check()) if check is not None else otherwise


def denoiser_support(scene: Any, device: DeviceChoice) -> DenoiserSupport:
    """What this Blender can denoise with on the device select_device chose."""
    preferences = cycles_preferences()
    gpu = device.kind == "GPU" and preferences is not None
    oidn = has_openimagedenoise()
    return DenoiserSupport(
        optix=gpu and device.backend == "OPTIX"
        and _asks(preferences, "has_optixdenoiser_gpu_devices", True),
        oidn_gpu=gpu and oidn and hasattr(scene.cycles, "denoising_use_gpu")
        and _asks(preferences, "has_oidn_gpu_devices", False),
        oidn=oidn, device=device.describe(), blender=f"Blender {bpy.app.version_string}")


def trial_render_failure(scene: Any, way: DenoiserWay) -> str | None:
    """Render a tiny trial frame denoised with `way`; why it failed, or None when it worked. A
    failure Cycles does not put on denoising (a device error) is raised as it is."""
    render, cycles = scene.render, scene.cycles
    saved = (render.resolution_x, render.resolution_y, cycles.samples, render.filepath)
    with tempfile.TemporaryDirectory(prefix="identbox-denoiser-") as folder:
        path = Path(folder) / "test-render"
        try:
            set_denoiser(scene, way)
            render.resolution_x = render.resolution_y = TEST_PIXELS
            cycles.samples = 1
            render.filepath = str(path)
            with quiet_stdout():
                bpy.ops.render.render(write_still=True, scene=scene.name)
        except TypeError:  # the denoiser enum does not offer it in this Blender, here
            return "this Blender does not offer it here"
        except RuntimeError as error:
            reason = str(error).strip().splitlines()[0].removeprefix("Error: ")
            if "denois" not in reason.lower():
                raise
            return reason
        finally:
            render.resolution_x, render.resolution_y, cycles.samples, render.filepath = saved
        return None if path.exists() else "its test render wrote no image"


def start_denoiser(scene: Any, denoiser: str, device: DeviceChoice,
                   log: Callable[[str], None]) -> tuple[DenoiserWay | None, list[str]]:
    """Set `scene` to denoise as the `denoiser` setting asks, the best way that starts on
    `device`, and log it once; return it (None: no denoising) and the warnings logged.
    SettingsError when this Blender has no such denoiser, DenoiserError when none starts."""
    warnings: list[str] = []

    def warn(text: str) -> None:
        warnings.append(text)
        log(f"IdentBox: warning: {text}")

    ways, notes = denoiser_ways(denoiser, denoiser_support(scene, device))
    for note in notes:
        warn(note)
    if not ways:
        set_denoiser(scene, None)
        return None, warnings
    way = first_that_starts(denoiser, ways, lambda way: trial_render_failure(scene, way), warn)
    set_denoiser(scene, way)
    log(f"IdentBox: denoising with {way.label}")
    return way, warnings
