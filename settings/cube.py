"""The one plain description of a cube-pose job (cLPR-compatible), validated on construction."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from ..errors import SettingsError
from ..limits import Choice, Limit
from ..sampling.cube import GRID_END

STEP = Limit("step", "Step", "Grid step in radians per axis (numpy.arange(0, 6.3, step); "
             "0.1 gives 250,047 frames)", 0.1, 0.01, GRID_END)
RANDOM_FRAMES = Limit("random_frames", "Random Frames",
                      "Draw this many random rotations instead of the grid (0: the grid)",
                      0, 0, 10_000_000)
CUBE_SEED = Limit("seed", "Seed", "Seed of the random rotations", 0, 0, 2**31 - 1)
CUBE_SIZE = Limit("size", "Size", "Image width and height in pixels", 256, 8, 4096)
CUBE_FORMAT = Choice("file_format", "File Format",
                     "PNG, or JPEG (as published: quality 100)", ("PNG", "JPEG"))
CUBE_JPEG_QUALITY = Limit("jpeg_quality", "JPEG Quality", "JPEG quality, 1 to 100", 100, 1, 100)
CUBE_SAMPLES = Limit("samples", "Samples",
                     "Samples per pixel; 1 gives cLPR's hard, unblended edges", 1, 1, 4096)
DEFAULT_SIZES = (32, 64, 128, 256)


@dataclass(frozen=True)
class CubeSettings:
    """Which rotations (a grid, or random ones), at which sizes, in which file format."""

    name: str = "cube"
    step: float = STEP.default
    random_frames: int = RANDOM_FRAMES.default
    seed: int = CUBE_SEED.default
    sizes: tuple[int, ...] = DEFAULT_SIZES
    file_format: str = CUBE_FORMAT.default
    jpeg_quality: int = CUBE_JPEG_QUALITY.default
    samples: int = CUBE_SAMPLES.default

    def __post_init__(self) -> None:
        for spec in (STEP, RANDOM_FRAMES, CUBE_SEED, CUBE_FORMAT, CUBE_JPEG_QUALITY, CUBE_SAMPLES):
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

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready)."""
        data = dataclasses.asdict(self)
        data["sizes"] = list(self.sizes)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CubeSettings:
        """From plain data; unknown keys are errors."""
        known = {f.name for f in dataclasses.fields(cls)}
        for key in data:
            if key not in known:
                raise SettingsError(key, data[key], "an unknown setting; known: "
                                    + ", ".join(sorted(known)))
        return cls(**data)
