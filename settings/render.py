"""How pairs are rendered (RenderSettings) and how latents map to the scene (SceneSettings).

Both are part of a dataset's identity and its manifest; where it runs (device, shard) is not:
see RunOptions.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import SettingsError
from ..limits import Choice, Limit
from ..model.colors import HUE_MAPPINGS
from ..model.constants import MATERIALS
from ..model.constants import TEAPOT_RESOLUTION as PUBLISHED_TEAPOT_RESOLUTION

RESOLUTION = Limit("resolution", "Resolution", "Width and height of each image, in pixels",
                   128, 8, 8192)
SAMPLES = Limit("samples", "Samples", "Cycles samples per pixel (render time grows with it)",
                32, 1, 1_000_000)
ADAPTIVE_THRESHOLD = Limit(
    "adaptive_threshold", "Adaptive Threshold",
    "Cycles adaptive-sampling noise threshold; 0 turns adaptive sampling off", 0.0, 0.0, 1.0)
DENOISER = Choice("denoiser", "Denoiser",
                  "Denoise each image: none, OpenImageDenoise (on the GPU where Cycles can; "
                  "on a CPU about 0.2 s per 128 px frame) or OptiX (on an OptiX GPU; "
                  "elsewhere OpenImageDenoise)", ("none", "openimagedenoise", "optix"),
                  ("None", "OpenImageDenoise", "OptiX"))
MAX_BOUNCES = Limit("max_bounces", "Max Bounces", "Cycles light bounces (0 as published)",
                    0, 0, 1024)
TRANSPARENT_BOUNCES = Limit("transparent_bounces", "Transparent Bounces",
                            "Cycles transparent bounces (8 as published)", 8, 0, 1024)
BLUR_GLOSSY = Limit("blur_glossy", "Filter Glossy",
                    "Cycles glossy filter that reduces fireflies (2 as published)", 2.0, 0.0, 10.0)
FILE_FORMAT = Choice("file_format", "File Format", "Image files: PNG (RGBA, 8 bit) or JPEG",
                     ("PNG", "JPEG"))
JPEG_QUALITY = Limit("jpeg_quality", "JPEG Quality", "JPEG quality", 95, 1, 100)

HUE_MAPPING = Choice("hue_mapping", "Hue Mapping",
                     "wrapped: hue = value / 2pi mod 1; legacy: the originals' unwrapped, clamped "
                     "colours, to reproduce published images", HUE_MAPPINGS)
VIEW1_MATERIAL = Choice("view1_material", "View 1 Material", "Object material in view 1",
                        MATERIALS)
VIEW2_MATERIAL = Choice("view2_material", "View 2 Material", "Object material in view 2",
                        ("Rubber", "MyMetal", "Crystal"))
TEAPOT_RESOLUTION = Limit("teapot_resolution", "Teapot Resolution",
                          "Quads per Bezier patch edge of the teapot mesh (10 as published)",
                          PUBLISHED_TEAPOT_RESOLUTION, 1, 64)

FILE_EXTENSIONS = {"PNG": ".png", "JPEG": ".jpg"}


RENDER_SPECS = (RESOLUTION, SAMPLES, ADAPTIVE_THRESHOLD, DENOISER, MAX_BOUNCES,
                TRANSPARENT_BOUNCES, BLUR_GLOSSY, FILE_FORMAT, JPEG_QUALITY)
SCENE_SPECS = (HUE_MAPPING, VIEW1_MATERIAL, VIEW2_MATERIAL, TEAPOT_RESOLUTION)


@dataclass(frozen=True)
class RenderSettings:
    """Cycles settings for every image. The defaults are fast, for trying things out; the
    `published` render preset has the published values (224 px, 512 samples, denoised)."""

    resolution: int = RESOLUTION.default
    samples: int = SAMPLES.default
    adaptive_threshold: float = ADAPTIVE_THRESHOLD.default
    denoiser: str = DENOISER.default
    max_bounces: int = MAX_BOUNCES.default
    transparent_bounces: int = TRANSPARENT_BOUNCES.default
    blur_glossy: float = BLUR_GLOSSY.default
    file_format: str = FILE_FORMAT.default
    jpeg_quality: int = JPEG_QUALITY.default

    def __post_init__(self) -> None:
        for spec in RENDER_SPECS:
            spec.check(getattr(self, spec.name))

    @property
    def extension(self) -> str:
        """Image file extension, with its dot."""
        return FILE_EXTENSIONS[self.file_format]


@dataclass(frozen=True)
class SceneSettings:
    """How latents become the scene: hue mapping, the object's material per view, the mesh."""

    hue_mapping: str = HUE_MAPPING.default
    view1_material: str = VIEW1_MATERIAL.default
    view2_material: str = VIEW2_MATERIAL.default
    teapot_resolution: int = TEAPOT_RESOLUTION.default

    def __post_init__(self) -> None:
        for spec in SCENE_SPECS:
            spec.check(getattr(self, spec.name))

    def material(self, view: int) -> str:
        """The object's material in a view: view 1's, or view 2's in view 2 and every later view
        (a dataset of k > 2 views tells view 1 apart by its material, as two-view ones do)."""
        return self.view1_material if view == 1 else self.view2_material


DEVICE = Choice("device", "Device",
                "auto: the first GPU backend found (OptiX, CUDA, HIP, Metal, oneAPI), else CPU; "
                "gpu: fail if there is none", ("auto", "cpu", "gpu"))
N_BATCHES = Limit("n_batches", "Shards", "Split the pairs into this many contiguous shards",
                  1, 1, 1_000_000)
BATCH_INDEX = Limit("batch_index", "Shard", "Which shard this run renders (from 0)",
                    0, 0, 999_999)
WORKERS = Limit("workers", "Workers",
                "Blender processes that render this shard together on this machine, each "
                "taking the next pair left; 0: auto (1 on a CPU, which Cycles already fills; "
                "2 per GPU, a guess until a GPU benchmark replaces it)", 1, 0, 64)
# Workers per GPU that `auto` starts. Not measured yet (no GPU in issue 14's sessions): 2 is a
# cautious guess until benchmarks/workers.py's best on a GPU replaces it.
GPU_WORKERS = 2


def auto_workers(has_gpu: bool) -> int:
    """What `workers = 0` (auto) starts: GPU_WORKERS on a GPU; 1 on a CPU, since Cycles
    renders on every core and more processes would only share them."""
    return GPU_WORKERS if has_gpu else 1


@dataclass(frozen=True)
class RunOptions:
    """Where and which part of a dataset one run renders; not part of the dataset itself."""

    device: str = DEVICE.default
    batch_index: int = BATCH_INDEX.default
    n_batches: int = N_BATCHES.default
    workers: int = WORKERS.default  # 0: auto

    def __post_init__(self) -> None:
        DEVICE.check(self.device)
        WORKERS.check(self.workers)
        N_BATCHES.check(self.n_batches)
        BATCH_INDEX.check(self.batch_index)
        if self.batch_index >= self.n_batches:
            raise SettingsError("batch_index", self.batch_index,
                                f"an integer in [0, {self.n_batches - 1}] (n_batches = "
                                f"{self.n_batches})")
