"""What a job will write before it runs: how many images, about how many bytes, and how long
at a rate measured before. Plain data; the panel shows it next to Render."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..dataset.files.layout import pair_passes
from ..sampling.cube import grid_frames
from ..settings.contract import PairKindSettings
from ..settings.cube import CubeSettings
from ..settings.kinds import kind_of
from ..settings.parts import as_estimate
from ..settings.render import RenderSettings, RunOptions
from ..settings.sequence import SequenceSettings
from ..settings.views import image_views
from .loop import shard_indices

# Bytes per pixel of the files, measured on IdentBox's own images: noisy 3DIdent frames as
# PNG (RGBA) or JPEG, and the cube's flat colours.
BYTES_PER_PIXEL = {"PNG": 1.5, "JPEG": 0.4, "cube": 0.1}
# Cycles on a 2-core CPU (reference blender-notes.md: 64 px at 16 samples 15-40 ms, 128 px at
# 64 samples 0.2-0.5 s, 224 px at 64 samples about 1.5 s; OpenImageDenoise 0.23 s at 128 px):
# a rough time before a run has measured one.
SECONDS_PER_PIXEL_SAMPLE = 4.5e-7
SECONDS_PER_FRAME = 0.005
DENOISE_SECONDS_PER_PIXEL = 0.23 / 128**2


@dataclass(frozen=True)
class JobEstimate:
    """A job's size: items (pairs or frames) in this shard, image files, bytes."""

    items: int
    images: int
    bytes: int
    unit: str
    rough_seconds: float  # on a 2-core CPU, before any run has measured the rate

    def seconds(self, rate: float) -> float | None:
        """Time at `rate` items per second (None without a rate)."""
        return self.items / rate if rate > 0 else None

    @property
    def rough_seconds_per_item(self) -> float:
        """The rough model's time of one item at this job's settings."""
        return self.rough_seconds / self.items if self.items else 0.0

    def calibrated_seconds(self, rate: float, rough_per_item: float) -> float | None:
        """This job's time at the speed a run measured: the rough model's time, scaled by
        how much faster or slower than the model that run went at its own settings (`rate`
        items per second where the model said `rough_per_item` seconds). A rate measured at
        64 px and 8 samples says little of 224 px and 512 samples as it stands; through the
        model it follows pixels x samples and the denoiser. None without such a run."""
        if rate <= 0 or rough_per_item <= 0:
            return None
        return self.rough_seconds * (1.0 / rate) / rough_per_item


def _seconds_per_image(render: RenderSettings) -> float:
    """Rough Cycles time of one image at these render settings, denoising included."""
    pixels = render.resolution ** 2
    denoise = DENOISE_SECONDS_PER_PIXEL * pixels if render.denoiser != "none" else 0.0
    return SECONDS_PER_FRAME + pixels * render.samples * SECONDS_PER_PIXEL_SAMPLE + denoise


def estimate(settings: Any, options: RunOptions) -> JobEstimate:
    """The images one run of this shard writes, and about how many bytes they take (the
    kind's own estimate, from the kinds table)."""
    found: JobEstimate = as_estimate(kind_of(settings).estimate)(settings, options)
    return found


def cube_estimate(settings: CubeSettings, options: RunOptions) -> JobEstimate:
    """The cube: every size of each frame, flat colours."""
    frames = settings.random_frames or grid_frames(settings.step)
    indices = shard_indices(frames, options.batch_index, options.n_batches)
    pixels = sum(size * size for size in settings.sizes)
    seconds = len(indices) * (len(settings.sizes) * SECONDS_PER_FRAME
                              + pixels * settings.samples * SECONDS_PER_PIXEL_SAMPLE)
    return JobEstimate(len(indices), len(indices) * len(settings.sizes),
                       int(len(indices) * pixels * BYTES_PER_PIXEL["cube"]), "frames", seconds)


def sequence_estimate(settings: SequenceSettings, options: RunOptions) -> JobEstimate:
    """A sequence: an image per frame, independent frame and triplet."""
    indices = shard_indices(settings.items, options.batch_index, options.n_batches)
    render = settings.render
    per_image = render.resolution ** 2 * BYTES_PER_PIXEL[render.file_format]
    return JobEstimate(len(indices), len(indices), int(len(indices) * per_image), "frames",
                       len(indices) * _seconds_per_image(render))


def pair_estimate(settings: PairKindSettings, options: RunOptions) -> JobEstimate:
    """A pair kind: each image view's image, mask and depth map of every pair."""
    indices = shard_indices(settings.n_pairs, options.batch_index, options.n_batches)
    views = len(image_views(settings))  # text views are written with the latents
    per_pair = views * len(pair_passes(settings))
    pixels = settings.render.resolution ** 2
    per_image = pixels * BYTES_PER_PIXEL[settings.render.file_format]
    per_view = _seconds_per_image(settings.render)
    flat_passes = per_pair - views  # masks and depth: one sample each
    seconds = len(indices) * (views * per_view + flat_passes * (SECONDS_PER_FRAME
                                                           + pixels * SECONDS_PER_PIXEL_SAMPLE))
    return JobEstimate(len(indices), len(indices) * per_pair,
                       int(len(indices) * per_pair * per_image), "pairs", seconds)


def free_bytes(folder: Path) -> int:
    """Free space where `folder` is (or would be made)."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    return shutil.disk_usage(existing).free


def size_text(count: float) -> str:
    """'850 KB', '1.2 GB'."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if count < 1000 or unit == "TB":
            return f"{count:.0f} {unit}" if unit in ("B", "KB") else f"{count:.1f} {unit}"
        count /= 1000
    return f"{count:.1f} TB"


def clock_text(seconds: float) -> str:
    """'00:02:05', '3 d 04:00:00'; under a second is said so (not '00:00:00')."""
    if seconds < 1:
        return "under a second"
    days, rest = divmod(round(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    return (f"{days} d " if days else "") + f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"
