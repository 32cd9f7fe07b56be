"""How a run denoises: the dataset's denoiser setting stays what its manifest records; the
device decides how it runs (OptiX only on an OptiX GPU, OpenImageDenoise on the GPU where
Cycles can, else on the CPU), and a denoiser that cannot start gives way to the next one.

Never to no denoising: images without it would not match a manifest that says they are
denoised, nor the shards drawn elsewhere, so a run refuses instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..errors import SettingsError
from .render import DENOISER

OPTIX = "optix"
OIDN = "openimagedenoise"


@dataclass(frozen=True)
class DenoiserSupport:
    """What this Blender and the run's device can denoise with."""

    optix: bool  # an OptiX GPU renders, and Cycles offers its OptiX denoiser
    oidn_gpu: bool  # OpenImageDenoise on the rendering GPU (Blender 4.1+, a GPU it supports)
    oidn: bool  # Blender is built with OpenImageDenoise
    device: str  # where the run renders, for messages: 'the CPU', 'a CUDA GPU'
    blender: str = "Blender"  # e.g. 'Blender 3.4.1', for messages


@dataclass(frozen=True)
class DenoiserWay:
    """One way to run a denoiser: which one, and on the GPU or the CPU."""

    denoiser: str
    on_gpu: bool

    @property
    def label(self) -> str:
        """What the log says: 'OptiX', 'OpenImageDenoise on the GPU'."""
        if self.denoiser == OPTIX:
            return "OptiX"
        return f"OpenImageDenoise on the {'GPU' if self.on_gpu else 'CPU'}"


OPTIX_WAY = DenoiserWay(OPTIX, on_gpu=True)
OIDN_GPU = DenoiserWay(OIDN, on_gpu=True)
OIDN_CPU = DenoiserWay(OIDN, on_gpu=False)


def denoiser_ways(denoiser: str, support: DenoiserSupport) -> tuple[list[DenoiserWay], list[str]]:
    """The ways to try for the `denoiser` setting here, best first, and a warning when the
    one asked for cannot run on this device. SettingsError when no way can: this Blender has
    no denoiser for it."""
    if denoiser == "none":
        return [], []
    oidn = [way for way, able in ((OIDN_GPU, support.oidn_gpu), (OIDN_CPU, support.oidn))
            if able]
    warnings = []
    if denoiser == OPTIX and support.optix:
        ways = [OPTIX_WAY, *oidn]
    else:
        ways = oidn
        if denoiser == OPTIX and ways:
            warnings.append(f"denoiser 'optix' needs an OptiX GPU (this run renders on "
                            f"{support.device}); denoising with {ways[0].label} instead")
    if not ways:
        raise SettingsError("denoiser", denoiser, f"'none' in {support.blender}, which is "
                            "built without OpenImageDenoise (IdentBox does not render "
                            "images its manifest calls denoised without a denoiser); or "
                            "render with a Blender that has it, such as the bpy wheel")
    return ways, warnings


class DenoiserError(RuntimeError):
    """No way the denoiser setting allows could start on this machine."""


def first_that_starts(denoiser: str, ways: list[DenoiserWay],
                      failure: Callable[[DenoiserWay], str | None],
                      warn: Callable[[str], None]) -> DenoiserWay:
    """The first of `ways` whose `failure(way)` is None (it started); a warning for each that
    did not, naming the next; DenoiserError when the last one did not either."""
    following: list[DenoiserWay | None] = [*ways[1:], None]
    for way, then in zip(ways, following, strict=True):
        reason = failure(way)
        if reason is None:
            return way
        if then is None:
            raise DenoiserError(refusal(denoiser, way, reason))
        warn(fallback_warning(way, reason, then))
    raise DenoiserError(f"denoiser '{denoiser}': no way to run it was given")


def fallback_warning(failed: DenoiserWay, reason: str, then: DenoiserWay) -> str:
    """The one line a run logs when a denoiser could not start and the next one takes over."""
    return f"{failed.label} could not start ({reason}); denoising with {then.label} instead"


def refusal(denoiser: str, failed: DenoiserWay, reason: str) -> str:
    """Why a run stops when the last denoiser it could try did not start."""
    return (f"denoiser '{denoiser}' could not start here ({failed.label}: {reason}); "
            "IdentBox does not fall back to no denoising, which would change the dataset's "
            "look: render where it starts, or choose denoiser 'none' (a dataset of its own)")


def denoiser_offered(denoiser: str, offered: tuple[str, ...], blender: str) -> tuple[str, str]:
    """The denoiser a preset asks for, if this Blender offers it, else 'none', with the note
    that says so ('' when nothing changed): Blender 3.4 from Debian has no OpenImageDenoise,
    and the panel must not show a setting its run would then refuse."""
    if denoiser in offered:
        return denoiser, ""
    return "none", (f"Denoiser: {blender} has no {DENOISER.label_of(denoiser)}, so the "
                    "preset's images are drawn without denoising (set to None)")
