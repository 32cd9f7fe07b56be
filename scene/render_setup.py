"""Cycles settings for the IdentBox scene, each read back after being set.

Python-defined property groups accept misspelled names silently, and enum values can be
refused by a given build, so every value is checked once set.
"""

from __future__ import annotations

from typing import Any

from ..settings.denoising import OIDN_CPU, DenoiserWay
from ..settings.render import RenderSettings


class RenderSetupError(RuntimeError):
    """A render setting did not take the value asked for."""


def set_checked(owner: Any, attribute: str, value: Any) -> None:
    """Set an attribute and raise RenderSetupError unless it reads back equal."""
    if not hasattr(owner, attribute):
        raise RenderSetupError(f"{owner!r} has no setting {attribute!r}")
    setattr(owner, attribute, value)
    got = getattr(owner, attribute)
    if isinstance(value, float) and abs(got - value) <= 1e-6 * max(1.0, abs(value)):
        return
    if got != value:
        raise RenderSetupError(f"{attribute} = {value!r} did not hold (reads {got!r})")


def disable_metadata(render: Any) -> None:
    """No date, render time or memory stamped into the files: the same frame gives the same
    bytes in every run, shard or process."""
    for name in dir(render):
        if name.startswith("use_stamp") and isinstance(getattr(render, name), bool):
            set_checked(render, name, False)


def configure_frame_loop(scene: Any) -> None:
    """What every IdentBox render loop wants: Cycles, the scene kept between frames, no
    compositing, files named by us without stamped metadata, a fixed seed, no light tree
    (no help with a few lights), and the Standard view so colours come out as set."""
    render = scene.render
    set_checked(render, "engine", "CYCLES")
    set_checked(render, "resolution_percentage", 100)
    set_checked(render, "use_persistent_data", True)  # keep the scene in Cycles between frames
    set_checked(render, "use_compositing", False)
    set_checked(render, "use_sequencer", False)
    set_checked(render, "use_file_extension", False)  # we name the temporary file ourselves
    disable_metadata(render)
    cycles = scene.cycles
    set_checked(cycles, "seed", 0)
    set_checked(cycles, "pixel_filter_type", "BLACKMAN_HARRIS")  # 1.5 px, as published
    set_checked(cycles, "filter_width", 1.5)
    if hasattr(cycles, "use_light_tree"):  # 3.5+
        set_checked(cycles, "use_light_tree", False)
    view = scene.view_settings
    set_checked(view, "view_transform", "Standard")
    set_checked(view, "look", "None")
    set_checked(view, "exposure", 0.0)
    set_checked(view, "gamma", 1.0)
    set_checked(scene.display_settings, "display_device", "sRGB")


def has_openimagedenoise() -> bool:
    """Whether this Blender is built with OpenImageDenoise (Debian's 3.4 is not)."""
    try:
        import _cycles  # type: ignore[import-not-found]  # Blender's own Cycles module
    except ImportError:
        return False
    return bool(getattr(_cycles, "with_openimagedenoise", True))


def denoisers_here() -> tuple[str, ...]:
    """The denoiser settings a run in this Blender can keep: all where it has
    OpenImageDenoise (OptiX falls back to it off an OptiX GPU), else 'none' alone."""
    return ("none", "openimagedenoise", "optix") if has_openimagedenoise() else ("none",)


def set_denoiser(scene: Any, way: DenoiserWay | None) -> None:
    """Denoise with `way` (None: not at all), with the guides and quality named, so that a
    change of Blender's defaults cannot change the look."""
    cycles = scene.cycles
    set_checked(cycles, "use_denoising", way is not None)
    if way is None:
        return
    set_checked(cycles, "denoiser", way.denoiser.upper())
    if hasattr(cycles, "denoising_use_gpu"):  # 4.1+
        set_checked(cycles, "denoising_use_gpu", way.on_gpu)
    for name, value in (("denoising_input_passes", "RGB_ALBEDO_NORMAL"),
                        ("denoising_prefilter", "ACCURATE"), ("denoising_quality", "HIGH")):
        if hasattr(cycles, name):  # quality: 4.1+
            set_checked(cycles, name, value)


def configure_render(scene: Any, settings: RenderSettings) -> None:
    """Apply the render settings to `scene`, denoising on the CPU where the setting asks for a
    denoiser and this Blender has one (what a preview shows); a renderer then starts the
    denoiser its device runs best (scene/denoising.py)."""
    configure_frame_loop(scene)
    render = scene.render
    set_checked(render, "resolution_x", settings.resolution)
    set_checked(render, "resolution_y", settings.resolution)
    set_checked(render, "film_transparent", False)
    set_checked(render, "dither_intensity", 0.0)  # as the published scene: no dither noise
    image = render.image_settings
    set_checked(image, "file_format", settings.file_format)
    set_checked(image, "color_mode", "RGBA" if settings.file_format == "PNG" else "RGB")
    set_checked(image, "color_depth", "8")
    if settings.file_format == "JPEG":
        set_checked(image, "quality", settings.jpeg_quality)
    else:
        set_checked(image, "compression", 15)

    cycles = scene.cycles
    set_checked(cycles, "samples", settings.samples)
    set_checked(cycles, "use_adaptive_sampling", settings.adaptive_threshold > 0)
    if settings.adaptive_threshold > 0:
        set_checked(cycles, "adaptive_threshold", settings.adaptive_threshold)
    set_checked(cycles, "max_bounces", settings.max_bounces)
    set_checked(cycles, "transparent_max_bounces", settings.transparent_bounces)
    set_checked(cycles, "blur_glossy", settings.blur_glossy)
    set_checked(cycles, "use_animated_seed", False)
    denoise = settings.denoiser != "none" and has_openimagedenoise()
    set_denoiser(scene, OIDN_CPU if denoise else None)
