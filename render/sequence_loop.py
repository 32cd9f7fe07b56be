"""The sequence render loop: the whole sequence's latents first, then each image of the shard
(a shard is a range of the frames, then the independent frames, then the triplets' third
frames), resumable and shared between processes like pairs."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np

from ..dataset.files.temporaries import removal_line, remove_abandoned
from ..dataset.writing.sequence_writer import (
    image_folders,
    item_latents,
    item_path,
    latent_files,
    write_sequence,
)
from ..settings.render import RunOptions
from ..settings.sequence import SequenceSettings
from .loop import ImageJob, Renderer, shard_indices


class SequenceRenderer(Renderer, Protocol):
    """Draws one frame (a row of latents.npy) into a file."""

    def render_frame(self, latents_row: np.ndarray, path: Path) -> None: ...


class SequenceJob(ImageJob):
    """One shard of a sequence dataset."""

    def __init__(self, settings: SequenceSettings, root: Path | str,
                 options: RunOptions | None = None) -> None:
        self.settings = settings
        self.options = options or RunOptions()
        root, _, _ = write_sequence(settings, root)
        indices = shard_indices(settings.items, self.options.batch_index,
                                self.options.n_batches)
        self.first = indices.start
        stored = {name: np.load(root / name, mmap_mode="r") for name in latent_files(settings)}
        self.latents = np.array(item_latents(stored)[indices.start:indices.stop])
        super().__init__(root, indices, [root / name for name in image_folders(settings)])
        self.removed = [*remove_abandoned([root, root / "factors"]), *self.removed]
        removal = removal_line(self.removed, root)
        self.notes = [removal] if removal else []

    def paths(self, index: int) -> list[Path]:
        """One image per frame (independent frames and third frames of triplets included)."""
        return [item_path(self.root, self.settings, index)]

    def draw(self, renderer: SequenceRenderer, index: int, which: int, path: Path) -> None:
        """The frame."""
        renderer.render_frame(self.latents[index - self.first], path)
