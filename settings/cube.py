"""The one plain description of a cube-pose job (cLPR-compatible), validated on construction."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import SettingsError
from ..limits import Limit, reject_unknown_keys
from ..sampling.cube import GRID_END
from .render import FILE_FORMAT, JPEG_QUALITY, SAMPLES

STEP = Limit("step", "Step", "Grid step in radians per axis (numpy.arange(0, 6.3, step); "
             "0.1 gives 250,047 frames)", 0.1, 0.01, GRID_END)
RANDOM_FRAMES = Limit("random_frames", "Random Frames",
                      "Draw this many random rotations instead of the grid (0: the grid)",
                      0, 0, 10_000_000)
CUBE_SEED = Limit("seed", "Seed", "Seed of the random rotations", 0, 0, 2**31 - 1)
CUBE_SIZE = Limit("size", "Size", "Image width and height in pixels", 256, 8, 4096)
# The render settings' own limits, with the cube's defaults (cLPR's: JPEG at quality 100,
# one sample for hard, unblended edges).
CUBE_FILE_FORMAT = dataclasses.replace(FILE_FORMAT, description="PNG, or JPEG (as published: "
                                  "quality 100)")
CUBE_JPEG_QUALITY = dataclasses.replace(JPEG_QUALITY, default=100)
CUBE_SAMPLES = dataclasses.replace(
    SAMPLES, default=1, maximum=4096,
    description="Samples per pixel; 1 gives cLPR's hard, unblended edges")
DEFAULT_SIZES = (32, 64, 128, 256)


@dataclass(frozen=True)
class CubeSettings:
    """Which rotations (a grid, or random ones), at which sizes, in which file format."""

    name: str = "cube"
    step: float = STEP.default
    random_frames: int = RANDOM_FRAMES.default
    seed: int = CUBE_SEED.default
    sizes: tuple[int, ...] = DEFAULT_SIZES
    file_format: str = CUBE_FILE_FORMAT.default
    jpeg_quality: int = CUBE_JPEG_QUALITY.default
    samples: int = CUBE_SAMPLES.default

    def __post_init__(self) -> None:
        for spec in (STEP, RANDOM_FRAMES, CUBE_SEED, CUBE_FILE_FORMAT, CUBE_JPEG_QUALITY,
                     CUBE_SAMPLES):
            spec.check(getattr(self, spec.name))
        object.__setattr__(self, "sizes", tuple(self.sizes))
        if not self.sizes:
            raise SettingsError("sizes", [], "one or more image sizes")
        for size in self.sizes:
            try:
                CUBE_SIZE.check(size)
            except SettingsError as error:
                raise SettingsError("sizes", list(self.sizes), error.allowed) from None
        if len(set(self.sizes)) != len(self.sizes):
            raise SettingsError("sizes", list(self.sizes), "each size once")

    @property
    def extension(self) -> str:
        """Image file extension, with its dot."""
        return ".png" if self.file_format == "PNG" else ".jpg"

    def summary(self) -> str:
        """What the render log says about the job's images."""
        return f"sizes {', '.join(map(str, self.sizes))}"

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready)."""
        data = dataclasses.asdict(self)
        data["sizes"] = list(self.sizes)
        return data

    def replace(self, **changes: Any) -> CubeSettings:
        """A copy with some settings changed (checked again)."""
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CubeSettings:
        """From plain data; unknown keys are errors."""
        reject_unknown_keys(data, sorted(f.name for f in dataclasses.fields(cls)))
        return cls(**data)
