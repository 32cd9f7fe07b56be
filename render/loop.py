"""The render loop shared by every way in (CLI, operator, modal operator, cluster shards).

It writes the latents first, then renders the pairs of one shard that are not complete yet,
each image to a temporary name renamed when whole. Processes sharing a shard claim each pair
before drawing it (dataset/files/claims.py), so each draws different pairs. It reports progress
through a callback and never touches Blender itself: a renderer object (see
scene/renderer.py) draws the images.
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ..dataset.files.claims import claim
from ..dataset.files.layout import (
    PNG_SIGNATURE,
    factors_dir,
    is_complete_image,
    pair_folders,
    pair_passes,
    pair_paths,
)
from ..dataset.files.temporaries import removal_line, remove_abandoned, temporary_path
from ..dataset.files.watch import LatentsWatch
from ..dataset.writing.writer import write_latents
from ..errors import raise_if_disk_full
from ..settings.contract import PairKindSettings
from ..settings.render import RunOptions
from ..settings.views import image_views


class Renderer(Protocol):
    """What the loop and the panel need of every renderer (the bpy ones, or fakes in tests)."""

    render_seconds: float  # time inside the render calls alone: the loop's overhead is the rest

    @property
    def scene(self) -> Any:
        """The Blender scene it draws (the panel shows it while a run draws)."""


class PairRenderer(Renderer, Protocol):
    """Draws one view of one pair, its object mask, or its depth map, into a file."""

    def render_view(self, latents_row: np.ndarray, view: int, path: Path) -> None: ...

    def render_mask(self, latents_row: np.ndarray, view: int, path: Path) -> None: ...

    def render_depth(self, latents_row: np.ndarray, view: int, path: Path) -> None: ...


class FrameRenderer(Renderer, Protocol):
    """Draws one cube frame at one size into a file."""

    def render_frame(self, positions: np.ndarray, visible: np.ndarray, size: int,
                     path: Path) -> None: ...


def shard_indices(n_pairs: int, batch_index: int, n_batches: int) -> range:
    """Pair indices of one shard: numpy.array_split's contiguous near-equal chunks."""
    base, extra = divmod(n_pairs, n_batches)
    start = batch_index * base + min(batch_index, extra)
    return range(start, start + base + (1 if batch_index < extra else 0))


WAIT_SECONDS = 0.1  # how often a run whose last indices others draw looks again
PNG_TEXT_CHUNKS = (b"tEXt", b"zTXt", b"iTXt", b"tIME")


def strip_png_text(path: Path) -> None:
    """Drop a PNG's text and time chunks (Blender stamps render times into them), so the same
    frame gives the same bytes in every run, shard and process."""
    data = path.read_bytes()
    if data[:8] != PNG_SIGNATURE:
        return
    kept, position = [data[:8]], 8
    while position + 8 <= len(data):
        length = int.from_bytes(data[position:position + 4], "big")
        end = position + 12 + length
        if data[position + 4:position + 8] not in PNG_TEXT_CHUNKS:
            kept.append(data[position:end])
        position = end
    stripped = b"".join(kept)
    if len(stripped) != len(data):
        path.write_bytes(stripped)


@dataclass(frozen=True)
class Progress:
    """Where a run stands: pairs done in its shard (rendered now or already there)."""

    done: int
    total: int
    rendered: int  # pairs completed since this run began, by it or by processes sharing it
    elapsed: float  # seconds since this run began drawing

    @property
    def pairs_per_second(self) -> float:
        """Pairs completed per second since this run began."""
        return self.rendered / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def eta_seconds(self) -> float | None:
        """Seconds left at the current rate, or None before the first pair."""
        rate = self.pairs_per_second
        return (self.total - self.done) / rate if rate > 0 else None

    @property
    def fraction(self) -> float:
        """Share of the shard that is done, 0 to 1."""
        return self.done / self.total if self.total else 1.0

    def line(self, unit: str = "pairs") -> str:
        """'12/100 pairs (12.0%), 1.93 pairs/s, ETA 0:00:45'."""
        eta = self.eta_seconds
        eta_text = "--:--" if eta is None else time.strftime("%H:%M:%S", time.gmtime(eta))
        return (f"{self.done}/{self.total} {unit} ({100 * self.fraction:.1f}%), "
                f"{self.pairs_per_second:.2f} {unit}/s, ETA {eta_text}")


class RenderError(RuntimeError):
    """The renderer did not produce a complete image."""


class ImageJob:
    """One run over one shard of indices, each drawn into a fixed set of image files: pending
    items found once, each image drawn to a temporary name and renamed when whole. Subclasses
    say which files an index has (`paths`) and how to draw one (`draw`), and may set `watch`
    (checked before each item and after the last) and `notes` (lines for the log)."""

    watch: LatentsWatch | None = None

    def __init__(self, root: Path | str, indices: range, folders: list[Path]) -> None:
        self.root = Path(root)
        self.indices = indices
        self.folders = folders
        for folder in folders:
            folder.mkdir(parents=True, exist_ok=True)
        self.removed = remove_abandoned(folders)  # other processes' live ones are kept
        self.notes: list[str] = []
        self.pending = deque(i for i in indices if not self.item_complete(i))
        self.first_pending = len(self.pending)
        self.rendered = 0  # indices this process drew (others may share the shard)
        self.began, self.started = False, time.perf_counter()

    def paths(self, index: int) -> list[Path]:
        """The final image files of one index."""
        raise NotImplementedError

    def draw(self, renderer: Any, index: int, which: int, path: Path) -> None:
        """Draw image number `which` of `paths(index)` into `path`."""
        raise NotImplementedError

    def item_complete(self, index: int) -> bool:
        """Every image of the index exists and is whole."""
        return all(is_complete_image(path) for path in self.paths(index))

    @property
    def finished(self) -> bool:
        """No index of the shard is left to draw."""
        return not self.pending

    def progress(self) -> Progress:
        """Where the run stands now."""
        total = len(self.indices)
        return Progress(total - len(self.pending), total, self.first_pending - len(self.pending),
                        time.perf_counter() - self.started)

    def render_next(self, renderer: Any) -> int | None:
        """Draw the first pending index no other process has claimed (all its images) and
        return it; None when every pending index is being drawn by another process. Indices
        found complete on the way (drawn by others) leave the pending list."""
        if not self.began:
            self.began, self.started = True, time.perf_counter()
        if self.watch:
            self.watch.check_if_due()
        position = 0
        while position < len(self.pending):
            index = self.pending[position]
            if self.item_complete(index):
                del self.pending[position]
                continue
            held = claim(self.paths(index)[0])
            if held is None:  # another process draws it
                position += 1
                continue
            with held:
                if not self.item_complete(index):  # unless finished just before the claim
                    self.draw_item(renderer, index)
                    self.rendered += 1
            del self.pending[position]
            if self.watch and not self.pending:
                self.watch.check()  # a run that ends reports a change however recent
            return index
        return None

    def draw_item(self, renderer: Any, index: int) -> None:
        """Draw the missing images of one index, each to a temporary name renamed when whole."""
        for which, final in enumerate(self.paths(index)):
            if is_complete_image(final):
                continue
            temporary = temporary_path(final)
            try:
                self.draw(renderer, index, which, temporary)
                if not is_complete_image(temporary):
                    raise_if_disk_full(final.parent)
                    raise RenderError(f"the renderer wrote no complete image for {final}")
                strip_png_text(temporary)
                os.replace(temporary, final)
            finally:
                temporary.unlink(missing_ok=True)

    def refresh(self, look_ahead: int) -> None:
        """Drop from the pending list the indices other processes completed, looking at most
        `look_ahead` incomplete ones past the front (they draw the shard front to back)."""
        position, incomplete = 0, 0
        while position < len(self.pending) and incomplete < look_ahead:
            if self.item_complete(self.pending[position]):
                del self.pending[position]
            else:
                position, incomplete = position + 1, incomplete + 1

    def run(self, renderer: Any, on_progress: Callable[[Progress], None] | None = None,
            should_stop: Callable[[], bool] | None = None) -> Progress:
        """Draw every pending index, or until should_stop() says so (after a whole index).
        Waits while other processes draw the last ones, as they may stop before finishing."""
        while self.pending and not (should_stop and should_stop()):
            if self.render_next(renderer) is None:
                time.sleep(WAIT_SECONDS)
            if on_progress:
                on_progress(self.progress())
        return self.progress()


class RenderJob(ImageJob):
    """One shard of a pair dataset: latents written first, then every view of each pair."""

    def __init__(self, settings: PairKindSettings, root: Path | str,
                 options: RunOptions | None = None, only: range | None = None,
                 extra: dict[str, Any] | None = None, restore: bool = False) -> None:
        self.settings = settings
        self.options = options or RunOptions()
        root = Path(root)
        written = write_latents(settings, root, extra=extra, restore=restore)
        indices = shard_indices(settings.n_pairs, self.options.batch_index,
                                self.options.n_batches)
        if only is not None:  # a range of pairs (reproduce): the shard's part of it
            start, stop = max(indices.start, only.start), min(indices.stop, only.stop)
            indices = range(start, max(start, stop))
        # The shard's rows, read once and then checked: a later change on disk cannot reach
        # the images, and the watch notices it.
        self.first = indices.start
        self.views = image_views(settings)  # text views were written with the latents
        self.latents = {view: np.array(np.load(factors_dir(root, f"m{view}") / "latents.npy",
                                               mmap_mode="r")[indices.start:indices.stop])
                        for view in self.views}
        self.watch = LatentsWatch(root)
        self.watch.check()
        super().__init__(root, indices, pair_folders(root, settings))
        self.removed = [*written.removed, *self.removed]
        removal = removal_line(self.removed, root)
        self.notes = [removal] if removal else []
        if written.restored:
            self.notes.append("wrote again from the manifest: " + ", ".join(
                str(path.relative_to(root)) for path in written.restored))

    def paths(self, index: int) -> list[Path]:
        """View 1, view 2, ... view k; then their masks and depth maps when the settings ask."""
        return pair_paths(self.root, self.settings, index)

    def draw(self, renderer: PairRenderer, index: int, which: int, path: Path) -> None:
        """One view of one pair, or its mask, or its depth map."""
        pass_number, position = divmod(which, len(self.views))
        kind, view = pair_passes(self.settings)[pass_number], self.views[position]
        row = self.latents[view][index - self.first]
        draw = {"image": renderer.render_view, "mask": renderer.render_mask,
                "depth": renderer.render_depth}[kind]
        draw(row, view, path)
