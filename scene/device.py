"""Choose the Cycles device without relying on user preferences (factory settings included)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import bpy

GPU_BACKENDS = ("OPTIX", "CUDA", "HIP", "METAL", "ONEAPI")


class DeviceError(RuntimeError):
    """The device asked for is not available."""


@dataclass(frozen=True)
class DeviceChoice:
    """What renders: 'CPU' or 'GPU', the backend, and the device names used."""

    kind: str
    backend: str | None
    names: tuple[str, ...]

    def describe(self) -> str:
        """One line for the log."""
        if self.kind == "CPU":
            return "CPU"
        return f"GPU via {self.backend}: {', '.join(self.names)}"


def cycles_preferences() -> Any:
    """The Cycles add-on's preferences (devices, backend), or None without them."""
    preferences = bpy.context.preferences
    if preferences is None:
        return None
    addon = preferences.addons.get("cycles")
    return addon.preferences if addon is not None else None


def _try_backend(prefs: Any, backend: str) -> list[Any]:
    """The GPUs of one backend, enabled (and every other device disabled); [] if none."""
    try:
        prefs.compute_device_type = backend
    except TypeError:  # this build does not know the backend
        return []
    prefs.refresh_devices()
    gpus = [d for d in prefs.devices if d.type == backend]
    for device in prefs.devices:
        device.use = device in gpus
    return gpus


def select_device(scene: Any, wanted: str,
                  backends: tuple[str, ...] = GPU_BACKENDS) -> DeviceChoice:
    """'auto': the first of `backends` with a GPU, else the CPU; 'gpu': the same but an error
    without one; 'cpu': the CPU."""
    if wanted != "cpu":
        prefs = cycles_preferences()
        if prefs is not None:
            for backend in backends:
                gpus = _try_backend(prefs, backend)
                if gpus:
                    scene.cycles.device = "GPU"
                    return DeviceChoice("GPU", backend, tuple(d.name for d in gpus))
            prefs.compute_device_type = "NONE"
        if wanted == "gpu":
            raise DeviceError("device = 'gpu' but Cycles found no GPU (tried "
                              + ", ".join(backends) + "); use device 'auto' or 'cpu'")
    scene.cycles.device = "CPU"
    return DeviceChoice("CPU", None, ())


def gpu_available(backends: tuple[str, ...] = GPU_BACKENDS) -> bool:
    """True when Cycles finds a GPU of one of `backends` (what `auto` would render on)."""
    prefs = cycles_preferences()
    if prefs is None:
        return False
    found = any(_try_backend(prefs, backend) for backend in backends)
    prefs.compute_device_type = "NONE"
    return found
