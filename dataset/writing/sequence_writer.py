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

With independent frames (sampling/triplets.py) and triplets, also:
- factors/independent_latents.npy float64 (n_independent, variables), images in independent/;
- factors/triplets.npy int64 (n_triplets, 2): the source frames i and j of each triplet;
- factors/sources_mask.npy uint8 (n_triplets, variables): 1 where the third frame takes the
  variable from frame j (a group's variables together), 0 from frame i;
- factors/triplet_latents.npy float64 (n_triplets, variables): the third frames, images in
  triplets/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ...settings.kinds import SEQUENCE_FORMAT
from ...settings.sequence import SequenceSettings
from ...version import __version__
from ..files.footprint import Probe, check_footprint, described, probe
from ..files.layout import is_complete_image
from .writer import (
    write_frames_dataset,
)

LATENTS = "factors/latents.npy"
INTERVENTIONS = "factors/interventions.npy"
NOISE = "factors/noise.npy"
INDEPENDENT_LATENTS = "factors/independent_latents.npy"
TRIPLETS = "factors/triplets.npy"
SOURCES_MASK = "factors/sources_mask.npy"
TRIPLET_LATENTS = "factors/triplet_latents.npy"
IMAGES = "samples"
INDEPENDENT_IMAGES = "independent"
TRIPLET_IMAGES = "triplets"


def sequence_arrays(settings: SequenceSettings,
                    checked_in: Path | None = None) -> dict[str, np.ndarray]:
    """Every factor file of a sequence dataset, by its path relative to the dataset root;
    first, with `checked_in` (the dataset folder), whether the machine has the memory and
    disk they take (footprint.py)."""
    if checked_in is not None:
        check_footprint(checked_in, _factor_probe(settings), described(settings))
    trajectory = settings.trajectory()
    n_variables = trajectory.values.shape[-1]
    targets = np.zeros(trajectory.values.shape, dtype=np.uint8)
    targets[:, 1:] = trajectory.interventions.mask
    latents = trajectory.values.reshape(-1, n_variables)
    arrays = {LATENTS: latents, INTERVENTIONS: targets.reshape(-1, n_variables),
              NOISE: trajectory.noise.reshape(-1, n_variables)}
    if settings.n_independent:
        arrays[INDEPENDENT_LATENTS] = settings.independent()
    if settings.n_triplets:
        triplets = settings.triplets(latents)
        arrays |= {TRIPLETS: triplets.sources, SOURCES_MASK: triplets.mask.astype(np.uint8),
                   TRIPLET_LATENTS: triplets.values}
    return arrays


def item_latents(arrays: dict[str, np.ndarray]) -> np.ndarray:
    """The latents of every image the render loop draws, in its index order: the frames, the
    independent frames, the triplets' third frames."""
    return np.concatenate([arrays[name] for name in (LATENTS, INDEPENDENT_LATENTS,
                                                     TRIPLET_LATENTS) if name in arrays])


def image_path(root: Path, frame: int, extension: str) -> Path:
    """samples/000000.png ...: one image per frame."""
    return root / IMAGES / f"{frame:06d}{extension}"


def item_path(root: Path, settings: SequenceSettings, index: int) -> Path:
    """The image of the render loop's index: a frame (samples/), an independent frame
    (independent/) or a triplet's third frame (triplets/), each part numbered from 0."""
    extension = settings.render.extension
    if index < settings.frames:
        return image_path(root, index, extension)
    index -= settings.frames
    if index < settings.n_independent:
        return root / INDEPENDENT_IMAGES / f"{index:06d}{extension}"
    return root / TRIPLET_IMAGES / f"{index - settings.n_independent:06d}{extension}"


def item_complete(root: Path, settings: SequenceSettings, index: int) -> bool:
    """The render loop's image `index` exists and is whole."""
    return is_complete_image(item_path(root, settings, index))


def image_folders(settings: SequenceSettings) -> list[str]:
    """The image folders a dataset of these settings has."""
    return [IMAGES, *([INDEPENDENT_IMAGES] if settings.n_independent else []),
            *([TRIPLET_IMAGES] if settings.n_triplets else [])]


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
        "independent_frames": settings.n_independent,
        "triplets": settings.n_triplets,
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
            **({INDEPENDENT_LATENTS: "(n_independent, variables) float64: frames whose every "
                                     "variable is drawn independently, uniform over its range",
                f"{INDEPENDENT_IMAGES}/000000{settings.render.extension}":
                    "one image per independent frame"} if settings.n_independent else {}),
            **({TRIPLETS: "(n_triplets, 2) int64: the source frames i and j of each triplet",
                SOURCES_MASK: "(n_triplets, variables) uint8: 1 where the third frame takes the "
                              "variable from frame j, 0 from frame i (groups together)",
                TRIPLET_LATENTS: "(n_triplets, variables) float64: the third frames",
                f"{TRIPLET_IMAGES}/000000{settings.render.extension}":
                    "one image per triplet: its third frame"} if settings.n_triplets else {}),
        },
        "sha256": checksums,
    }


def _factor_probe(settings: SequenceSettings) -> Probe:
    """The factor files' bytes and drawing time, from one episode's frames drawn alone and
    scaled to every image (an independent frame or a triplet's image counted as a frame,
    which is more)."""
    def of(frames: int) -> int:
        alone = settings.replace(n_frames=frames, n_episodes=1, n_independent=0, n_triplets=0)
        return sum(array.nbytes for array in sequence_arrays(alone).values())
    return probe(settings.frames + settings.n_independent + 3 * settings.n_triplets, of)


def write_sequence(settings: SequenceSettings, root: Path | str) -> tuple[Path, int, bool]:
    """Write the factor files and the manifest (last). Returns (root, frames, written); the
    same dataset already there is kept, a different one is refused."""
    return write_frames_dataset(
        root, settings, SEQUENCE_FORMAT, "sequence", IMAGES,
        lambda: sequence_arrays(settings, checked_in=Path(root)),
        lambda checksums, _frames: sequence_manifest(settings, checksums),
        lambda _arrays: settings.frames)


def sample_frames(settings: SequenceSettings, root: Path | str,
                  extra: dict[str, Any] | None = None) -> str:
    """The kinds table's `sample` part: write the sequence's factor files and manifest (or
    find them there) and say so in a line. (`extra`, a split's entry, never comes: a sequence
    has no splits.)"""
    _, frames, written = write_sequence(settings, root)
    return (f"wrote the latents, interventions and noise of {frames} frames ({settings.name}, "
            f"seed {settings.seed}) and manifest.json" if written else
            f"already holds this sequence ({frames} frames, seed {settings.seed}); "
            "nothing written")


def latent_files(settings: SequenceSettings) -> list[str]:
    """The files whose rows are images, in the render loop's order."""
    return [LATENTS, *([INDEPENDENT_LATENTS] if settings.n_independent else []),
            *([TRIPLET_LATENTS] if settings.n_triplets else [])]


def sequence_files(settings: SequenceSettings) -> list[str]:
    """Every factor file of a dataset of these settings (what sequence_arrays writes)."""
    return [LATENTS, INTERVENTIONS, NOISE,
            *([INDEPENDENT_LATENTS] if settings.n_independent else []),
            *([TRIPLETS, SOURCES_MASK, TRIPLET_LATENTS] if settings.n_triplets else [])]
