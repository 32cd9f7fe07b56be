"""Load a sequence dataset for learning: steps (x_t, x_{t+1}, targets) as CITRIS trains on
them, optionally with their latents; or its independent frames (x, z); or its triplets
(x_i, x_j, x_third, mask, z_third).

A step never crosses from one episode into the next. targets are the intervention targets of
frame t + 1 (uint8 0/1 over the model's variables, a group's variables together). Images and
tensors as IdentBoxPairs gives them (normalize, tensors, transform); latents in the reference's
raw units (positions [-2, 2], angles in radians, the shape's index).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ...errors import DatasetError
from ..checking.images import load_rgba
from ..files.manifest import read_manifest, read_npy
from ..writing.sequence_writer import (
    INDEPENDENT_LATENTS,
    INTERVENTIONS,
    LATENTS,
    SEQUENCE_FORMAT,
    SOURCES_MASK,
    TRIPLET_LATENTS,
    TRIPLETS,
    item_path,
)
from .loader import _Base, loader_image, torch

PARTS = ("steps", "independent", "triplets")
PART_FILES = {"steps": (LATENTS, INTERVENTIONS), "independent": (INDEPENDENT_LATENTS,),
              "triplets": (LATENTS, TRIPLETS, SOURCES_MASK, TRIPLET_LATENTS)}
# What each file holds one row of, as the settings count them.
ROWS_OF = {LATENTS: "frames", INTERVENTIONS: "frames", INDEPENDENT_LATENTS: "independent frames",
           TRIPLETS: "triplets", SOURCES_MASK: "triplets", TRIPLET_LATENTS: "triplets"}


class IdentBoxSequence(_Base):
    """A sequence dataset (or its `split` subfolder), as one of its PARTS:

    steps: (x_t, x_{t+1}, targets), with latents=True (x_t, x_{t+1}, z_t, z_{t+1}, targets);
    independent: (x, z), frames whose every variable was drawn independently;
    triplets: (x_i, x_j, x_third, mask, z_third), mask 1 where the third frame took the
    variable from frame j."""

    def __init__(self, root: str | Path, split: str | None = None, part: str = "steps",
                 latents: bool = False, transform: Callable[[Any], Any] | None = None,
                 normalize: bool = False, tensors: bool | None = None) -> None:
        from ...settings.sequence import SequenceSettings

        self.root = Path(root) / split if split else Path(root)
        if part not in PARTS:
            raise ValueError(f"part must be one of {', '.join(map(repr, PARTS))}, not {part!r}")
        self.tensors = torch is not None if tensors is None else tensors
        if self.tensors and torch is None:
            raise ImportError("tensors=True needs torch (pip install torch)")
        manifest = read_manifest(self.root / "manifest.json", SEQUENCE_FORMAT)
        self.settings = SequenceSettings.from_dict(manifest["settings"])
        self.columns: list[str] = list(manifest["columns"])
        self.part, self.latents = part, latents
        self.transform, self.normalize = transform, normalize
        settings = self.settings
        if part == "independent" and not settings.n_independent:
            raise ValueError(f"{self.root} has no independent frames (n_independent is 0)")
        if part == "triplets" and not settings.n_triplets:
            raise ValueError(f"{self.root} has no triplets (n_triplets is 0)")
        steps = settings.n_frames - 1  # per episode
        self._starts = np.array([e * settings.n_frames + t for e in range(settings.n_episodes)
                                 for t in range(steps)], dtype=np.int64)
        self.length = {"steps": len(self._starts), "independent": settings.n_independent,
                       "triplets": settings.n_triplets}[part]
        self._opened: tuple[int, dict[str, np.ndarray]] | None = None
        self._check_lengths()

    def _check_lengths(self) -> None:
        """DatasetError naming a file of the part with other than one row per frame (or
        triplet): an item past a short file's end would end an epoch early without a word."""
        settings = self.settings
        counts = {"frames": settings.frames, "independent frames": settings.n_independent,
                  "triplets": settings.n_triplets}
        for name in PART_FILES[self.part]:
            rows, expected = len(read_npy(self.root / name)), counts[ROWS_OF[name]]
            if rows != expected:
                raise DatasetError(f"{self.root / name} holds {rows} rows; the sequence has "
                                   f"{expected} {ROWS_OF[name]}: a cut-short file, or another "
                                   "sequence's")

    def __len__(self) -> int:
        return self.length

    def _arrays(self) -> dict[str, np.ndarray]:
        """The factor files, memory-mapped once per process."""
        if self._opened is None or self._opened[0] != os.getpid():
            self._opened = (os.getpid(), {name: np.load(self.root / name, mmap_mode="r")
                                          for name in PART_FILES[self.part]})
        return self._opened[1]

    def _out(self, array: np.ndarray) -> Any:
        return torch.from_numpy(np.ascontiguousarray(array)) if self.tensors else array

    def image(self, index: int) -> Any:
        """Image number `index` of the render loop (frames, then independent, then third
        frames), as the loader gives images."""
        rgb = load_rgba(item_path(self.root, self.settings, index))[..., :3]
        return loader_image(rgb, self.normalize, self.tensors, self.transform)

    def _z(self, rows: np.ndarray, index: int) -> Any:
        return self._out(np.asarray(rows[index], dtype=np.float32))

    def __getitem__(self, index: int) -> tuple[Any, ...]:
        if not 0 <= index < self.length:
            raise IndexError(f"{self.part} item {index} of {self.length}")
        arrays, settings = self._arrays(), self.settings
        if self.part == "independent":
            return self.image(settings.frames + index), self._z(arrays[INDEPENDENT_LATENTS],
                                                                index)
        if self.part == "triplets":
            i, j = (int(s) for s in arrays[TRIPLETS][index])
            third = settings.frames + settings.n_independent + index
            mask = self._out(np.array(arrays[SOURCES_MASK][index], dtype=np.uint8))
            return (self.image(i), self.image(j), self.image(third), mask,
                    self._z(arrays[TRIPLET_LATENTS], index))
        t = int(self._starts[index])
        targets = self._out(np.array(arrays[INTERVENTIONS][t + 1], dtype=np.uint8))
        if self.latents:
            return (self.image(t), self.image(t + 1), self._z(arrays[LATENTS], t),
                    self._z(arrays[LATENTS], t + 1), targets)
        return self.image(t), self.image(t + 1), targets

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_opened"] = None  # memory maps do not travel to workers
        return state
