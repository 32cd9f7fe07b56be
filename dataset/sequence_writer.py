"""Write a sequence dataset's latents, interventions and noise with its manifest, atomically,
never over another dataset.

Frames are numbered over the whole dataset: episode e, step t is frame e * n_frames + t, in
every file and image name. Each file is (frames, variables), columns in the causal model's
order (for CITRIS the reference's ten latent columns, then the shape):
- factors/latents.npy float64: the values in the reference's raw units (positions on [-2, 2],
  angles in radians on [0, 2 pi), rot_gamma 0, the shape as 0..k-1);
- factors/interventions.npy uint8 0/1: row f = the targets of frame f (a group's variables
  together); an episode's first frame has none. The reference's (N - 1) rows are rows 1..;
- factors/noise.npy float64: the exogenous noise u in [0, 1) each value was made from.
A target's value is its row in latents.npy, so the three files replay the sequence.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..settings.sequence import SequenceSettings
from ..version import __version__
from .writer import (
    write_frames_dataset,
)

SEQUENCE_FORMAT = "identbox-sequence/1"
LATENTS = "factors/latents.npy"
INTERVENTIONS = "factors/interventions.npy"
NOISE = "factors/noise.npy"
IMAGES = "samples"


def sequence_arrays(settings: SequenceSettings) -> dict[str, np.ndarray]:
    """Every factor file of a sequence dataset, by its path relative to the dataset root."""
    trajectory = settings.trajectory()
    n_variables = trajectory.values.shape[-1]
    targets = np.zeros(trajectory.values.shape, dtype=np.uint8)
    targets[:, 1:] = trajectory.interventions.mask
    return {LATENTS: trajectory.values.reshape(-1, n_variables),
            INTERVENTIONS: targets.reshape(-1, n_variables),
            NOISE: trajectory.noise.reshape(-1, n_variables)}


def image_path(root: Path, frame: int, extension: str) -> Path:
    """samples/000000.png ...: one image per frame."""
    return root / IMAGES / f"{frame:06d}{extension}"


def sequence_manifest(settings: SequenceSettings, checksums: dict[str, str]) -> dict[str, Any]:
    """What a reader needs: settings, the model, the layout, versions, checksums."""
    model = settings.causal_model()
    return {
        "format": SEQUENCE_FORMAT,
        "identbox_version": __version__,
        "numpy_version": np.__version__,
        "settings": settings.to_dict(),
        "frames": settings.frames,
        "episodes": settings.n_episodes,
        "frames_per_episode": settings.n_frames,
        "columns": list(model.names),
        "model": model.describe(),
        "intervention_probability": settings.probability(),
        "shapes": {"rendered_as": list(settings.object_types),
                   "stand_ins": settings.stand_ins()},
        "files": {
            LATENTS: "(frames, variables) float64: values in the reference's raw units "
                     "(positions [-2, 2], angles radians [0, 2 pi), categories 0..k-1); frame "
                     "f = episode * frames_per_episode + step",
            INTERVENTIONS: "(frames, variables) uint8 0/1: row f = the targets of frame f "
                           "(an episode's first frame has none)",
            NOISE: "(frames, variables) float64: the exogenous noise u in [0, 1) of each value",
            f"{IMAGES}/000000{settings.render.extension}": "one image per frame",
        },
        "sha256": checksums,
    }


def write_sequence(settings: SequenceSettings, root: Path | str) -> tuple[Path, int, bool]:
    """Write the factor files and the manifest (last). Returns (root, frames, written); the
    same dataset already there is kept, a different one is refused."""
    return write_frames_dataset(
        root, settings, SEQUENCE_FORMAT, "sequence", IMAGES, lambda: sequence_arrays(settings),
        lambda checksums, _frames: sequence_manifest(settings, checksums),
        lambda _arrays: settings.frames)
