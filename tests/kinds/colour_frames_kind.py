"""A kind with a file layout of its own, defined outside the package in this one module with one
`register(...)` (tests/test_new_kind.py runs it through the command line): a sequence of frames
of one colour whose hue drifts step to step. Nothing in the package is edited for it.

Layout: manifest.json, factors/hues.npy (frames,) float64 in [0, 2 pi), frames/000000.png ...
Its parts: settings, the factor file and manifest (written by the package's frames writer), the
render job and a renderer (numpy: no Blender), validate, the loader, the size estimate and an
export format (frames.npz).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from identbox.dataset.checking.checks import Check
from identbox.dataset.checking.images import decoded, dominant_hue_of, hue_distance
from identbox.dataset.checking.view_look import GROUND_HUE_TOLERANCE, expected_hue
from identbox.dataset.files.layout import MANIFEST, is_complete_image
from identbox.dataset.files.manifest import file_sha256, read_manifest, read_npy
from identbox.dataset.sheets.raster import write_png
from identbox.dataset.writing.writer import write_frames_dataset
from identbox.errors import DatasetError, SettingsError
from identbox.model.colors import hue_to_rgb
from identbox.model.constants import GROUND_SATURATION
from identbox.render.estimates import JobEstimate
from identbox.render.loop import ImageJob, shard_indices
from identbox.settings.kinds import Kind, register
from identbox.settings.render import RenderSettings, RunOptions

NAME = "colour_frames"
FORMAT = "identbox-colour-frames/1"
HUES = "factors/hues.npy"
FRAMES = "frames"
MOST_FRAMES = 10_000
DRIFT = 0.3  # the hue's step-to-step standard deviation, radians


@dataclass(frozen=True)
class ColourFramesSettings:
    """How many frames, the seed and the render settings (only the resolution is used)."""

    name: str = NAME
    description: str = ""
    n_frames: int = 8
    seed: int = 0
    render: RenderSettings = field(default_factory=RenderSettings)

    def __post_init__(self) -> None:
        if not (isinstance(self.n_frames, int) and 1 <= self.n_frames <= MOST_FRAMES):
            raise SettingsError("n_frames", self.n_frames, f"an integer in [1, {MOST_FRAMES}]")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ColourFramesSettings:
        """The settings of a preset or manifest."""
        values = dict(data)
        values["render"] = RenderSettings(**values.get("render", {}))
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        """What a preset or manifest holds."""
        return {"kind": NAME, "name": self.name, "description": self.description,
                "n_frames": self.n_frames, "seed": self.seed,
                "render": dataclasses.asdict(self.render)}

    def replace(self, **changes: Any) -> ColourFramesSettings:
        """A copy with some settings changed."""
        return dataclasses.replace(self, **changes)

    def summary(self) -> str:
        """One line for the render log."""
        return f"{self.render.resolution} px frames of one colour"

    def hues(self) -> np.ndarray:
        """Each frame's hue: a random walk on the colour circle."""
        steps = np.random.default_rng(self.seed).normal(0.0, DRIFT, self.n_frames)
        steps[0] = np.random.default_rng(self.seed + 1).uniform(0.0, 2 * np.pi)
        return np.asarray(np.cumsum(steps) % (2 * np.pi))


def _manifest(settings: ColourFramesSettings, checksums: dict[str, str]) -> dict[str, Any]:
    return {"format": FORMAT, "settings": settings.to_dict(), "frames": settings.n_frames,
            "files": {HUES: "(frames,) float64: each frame's hue, radians",
                      f"{FRAMES}/000000.png": "one image per frame"},
            "sha256": checksums}


def write(settings: ColourFramesSettings, root: Path | str) -> tuple[Path, int, bool]:
    """The factor file and the manifest (last); the same dataset there is kept."""
    return write_frames_dataset(root, settings, FORMAT, NAME, FRAMES,
                                lambda: {HUES: settings.hues()},
                                lambda checksums, _frames: _manifest(settings, checksums),
                                lambda _arrays: settings.n_frames)


def sample(settings: ColourFramesSettings, root: Path | str,
           extra: dict[str, Any] | None = None) -> str:
    """What `sample` says, having written the factor file alone."""
    _, frames, written = write(settings, root)
    return f"wrote the hues of {frames} frames and manifest.json" if written else \
        f"already holds these {frames} frames; nothing written"


def frame_path(root: Path, index: int) -> Path:
    return root / FRAMES / f"{index:06d}.png"


def complete(root: Path, settings: ColourFramesSettings, index: int) -> bool:
    """Frame `index` is there and whole."""
    return is_complete_image(frame_path(root, index))


class ColourFramesJob(ImageJob):
    """One shard of the frames: the hues written first, then a frame per index."""

    def __init__(self, settings: ColourFramesSettings, root: Path | str,
                 options: RunOptions | None = None) -> None:
        options = options or RunOptions()
        root, _, _ = write(settings, root)
        self.hues = np.load(root / HUES)
        super().__init__(root, shard_indices(settings.n_frames, options.batch_index,
                                             options.n_batches), [root / FRAMES])

    def paths(self, index: int) -> list[Path]:
        return [frame_path(self.root, index)]

    def draw(self, renderer: ColourRenderer, index: int, which: int, path: Path) -> None:
        renderer.render_frame(float(self.hues[index]), path)


class ColourRenderer:
    """Fills a frame with its hue's colour (the ground's saturation)."""

    render_seconds = 0.0
    scene = None

    def __init__(self, settings: ColourFramesSettings, device: object,
                 log: Callable[..., object] = print) -> None:
        self.size = settings.render.resolution

    def render_frame(self, hue: float, path: Path) -> None:
        rgb = hue_to_rgb(np.array([hue]), GROUND_SATURATION)[0]
        image = np.empty((self.size, self.size, 3), dtype=np.uint8)
        image[:] = np.round(255 * np.clip(rgb, 0, 1) ** (1 / 2.2)).astype(np.uint8)
        write_png(path, image)


def estimate(settings: ColourFramesSettings, options: RunOptions) -> JobEstimate:
    """A frame per index, 3 bytes a pixel at most, a millisecond each."""
    count = len(shard_indices(settings.n_frames, options.batch_index, options.n_batches))
    return JobEstimate(count, count, count * 3 * settings.render.resolution ** 2, "frames",
                       count * 0.001)


def validate(root: Path | str, sample: int = 32) -> list[Check]:
    """The factor file against the manifest and the settings, every frame whole, and a
    sample of frames showing their own hue."""
    root = Path(root)
    manifest = read_manifest(root / MANIFEST, FORMAT)
    settings = ColourFramesSettings.from_dict(
        {k: v for k, v in manifest["settings"].items() if k != "kind"})
    same = (root / HUES).is_file() and file_sha256(root / HUES) == manifest["sha256"].get(HUES)
    checks = [Check(f"{HUES} matches the manifest", same, "SHA-256 equal" if same else "changed")]
    if not same:
        return checks
    hues = np.load(root / HUES)
    again = np.array_equal(hues, settings.hues())
    checks.append(Check("the settings give these hues again", again, "re-sampled"))
    missing = [i for i in range(settings.n_frames) if not complete(root, settings, i)]
    checks.append(Check(f"{settings.n_frames} complete frames", not missing,
                        f"{len(missing)} missing or incomplete"))
    off = []
    for index in range(min(sample, settings.n_frames)):
        image, _, _ = decoded(frame_path(root, index), settings.render.resolution)
        if image is None:
            continue
        want = expected_hue(float(hues[index]), GROUND_SATURATION, "wrapped")
        seen = dominant_hue_of(image)
        if hue_distance(seen, want) > GROUND_HUE_TOLERANCE:
            off.append(f"frame {index}: hue {seen:.3f} vs {want:.3f}")
    checks.append(Check("sampled frames show their own hue", not off,
                        "; ".join(off[:3]) or f"within {GROUND_HUE_TOLERANCE}"))
    return checks


class ColourFrames:
    """The loader: item i is (frame as float32 H x W x 3 in [0, 1], its hue)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        manifest = read_manifest(self.root / MANIFEST, FORMAT)
        self.size = int(manifest["settings"]["render"]["resolution"])
        self.hues = read_npy(self.root / HUES)
        if len(self.hues) != manifest["frames"]:
            raise DatasetError(f"{self.root / HUES} holds {len(self.hues)} hues for "
                               f"{manifest['frames']} frames: cut short")

    def __len__(self) -> int:
        return len(self.hues)

    def __getitem__(self, index: int) -> tuple[np.ndarray, float]:
        image, _, problem = decoded(frame_path(self.root, index), self.size)
        if image is None:
            raise DatasetError(problem)
        return image[..., :3].astype(np.float32) / 255.0, float(self.hues[index])


def _export_prepare(root: Path) -> ColourFrames:
    found = validate(root, sample=0)
    failed = [c.name for c in found if not c.ok]
    if failed:
        raise DatasetError(f"{root} fails validate ({failed[0]}): render or repair it first")
    return ColourFrames(root)


def _export_write(frames: ColourFrames, out: Path, split: str) -> None:
    images = np.stack([np.round(frames[i][0] * 255).astype(np.uint8) for i in range(len(frames))])
    np.savez(out / f"{split or 'frames'}.npz", images=images, hues=np.asarray(frames.hues))


def _export_format() -> Any:
    from identbox.dataset.export.formats import ExportFormat

    return ExportFormat("colour_frames_npz", "each split's frames and hues in one .npz",
                        _export_prepare, _export_write, flat=True,
                        accepts=lambda kind: kind.name == NAME)


register(Kind(name=NAME, label="Colour Frames", settings=ColourFramesSettings, format=FORMAT,
              unit="frames", count="n_frames", write=write, job=ColourFramesJob,
              renderer=ColourRenderer, validate=validate, complete=complete,
              estimate=estimate, sample=sample, preview=None, loader=ColourFrames,
              exports=(_export_format(),)))
