"""The cube render loop: labels first, then every frame of the shard at every size."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..dataset.files.layout import cube_image_folder, cube_image_path
from ..dataset.files.temporaries import removal_line, remove_abandoned
from ..dataset.writing.cube_writer import LABELS, VISIBLE, write_cube_labels
from ..settings.cube import CubeSettings
from ..settings.render import RunOptions
from .loop import FrameRenderer, ImageJob, shard_indices


class CubeJob(ImageJob):
    """One shard of a cube dataset."""

    def __init__(self, settings: CubeSettings, root: Path | str,
                 options: RunOptions | None = None) -> None:
        self.settings = settings
        self.options = options or RunOptions()
        root, frames, _ = write_cube_labels(settings, root)
        self.labels = np.load(root / LABELS, mmap_mode="r")
        self.visible = np.load(root / VISIBLE, mmap_mode="r")
        indices = shard_indices(frames, self.options.batch_index, self.options.n_batches)
        folders = [cube_image_folder(root, size) for size in settings.sizes]
        super().__init__(root, indices, folders)
        self.removed = [*remove_abandoned([root, root / "nodes"]), *self.removed]
        removal = removal_line(self.removed, root)
        self.notes = [removal] if removal else []

    def paths(self, index: int) -> list[Path]:
        """One image per size."""
        return [cube_image_path(self.root, size, index, self.settings.extension)
                for size in self.settings.sizes]

    def draw(self, renderer: FrameRenderer, index: int, which: int, path: Path) -> None:
        """The frame at one size."""
        renderer.render_frame(np.asarray(self.labels[index, :, :3]),
                              np.asarray(self.visible[index]), self.settings.sizes[which], path)
