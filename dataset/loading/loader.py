"""Load a dataset for learning: pairs (x1, x2, z1, z2), or for a dataset of k > 2 views the
k-tuples (x, z), as numpy arrays or torch tensors; a text view's x is its sentence (a str), or
its token ids (dataset/tokens.py: a vocabulary built from the data, as Multimodal3DIdent's).

Works with IdentBox datasets (manifest.json) and with folders laid out like the published
3DIdentBox data (no manifest: the 10-column layout is assumed and `assumptions` says so).
Latents are memory-mapped and opened lazily in each process, so a torch DataLoader with
several workers shares nothing it should not. torch is optional.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ...errors import DatasetError
from ...model.camera import extrinsics, intrinsics
from ...sampling.factors import FACTORS
from ...sampling.rig import poses_of
from ..checking.images import load_rgba
from ..files.layout import (
    CAMERA_FILES,
    EXTRINSICS_NPY,
    FACTORS_DIR,
    INTERVENTIONS,
    INTRINSICS_NPY,
    LATENTS_NPY,
    RAW_LATENTS_NPY,
    SENTENCES,
    SHARED,
    TWO_VIEWS,
    factors_dir,
    held_format,
    image_path,
    manifest_latent_files,
    manifest_views,
    samples_dir,
    view_numbers,
)
from ..files.manifest import load_latent_file, read_manifest, read_npy
from ..writing.sequence_writer import SEQUENCE_FORMAT
from .tokens import Vocabulary, sequence_length

# The 3DIdent family's loaders normalise images with these (reference section 6).
MEAN = np.array([0.4327, 0.2689, 0.2839], dtype=np.float32)
STD = np.array([0.1201, 0.1457, 0.1082], dtype=np.float32)
TEXT_FORMS = ("str", "ids", "one_hot")  # what a text view's x is

_Base: Any = object
try:  # a torch Dataset when torch is there; a plain class otherwise
    import torch  # type: ignore[import-not-found]
    from torch.utils.data import Dataset as _Base  # type: ignore[import-not-found,no-redef]
except ImportError:  # pragma: no cover - depends on the environment
    torch = None


def loader_image(rgb: np.ndarray, normalize: bool, tensors: bool,
                 transform: Callable[[Any], Any] | None) -> Any:
    """An RGB uint8 H x W x 3 image as every loader gives it: standardised to float32
    C x H x W with the family's mean and std (normalize), a torch tensor (tensors), then
    `transform`."""
    out: Any = rgb
    if normalize:
        out = np.ascontiguousarray(((out.astype(np.float32) / 255.0 - MEAN) / STD)
                                   .transpose(2, 0, 1))
    if tensors:
        out = torch.from_numpy(np.ascontiguousarray(out))
    return transform(out) if transform else out


def _latent_file(units: str) -> str:
    return RAW_LATENTS_NPY if units == "raw" else LATENTS_NPY


def _published_columns() -> list[dict[str, Any]]:
    return [{"name": f.name, "block": f.block, "blender_scale": f.scale} for f in FACTORS]


def select_columns(columns: list[dict[str, Any]], wanted: Sequence[str] | None) -> list[int]:
    """The indices of the columns named (a factor's name or a block's: all its factors)."""
    if wanted is None:
        return list(range(len(columns)))
    chosen: list[int] = []
    for name in wanted:
        hits = [k for k, c in enumerate(columns) if name in (c["name"], c["block"])]
        if not hits:
            known = sorted({c["name"] for c in columns} | {c["block"] for c in columns
                                                           if c["block"]})
            raise KeyError(f"no factor or block {name!r}; known: {', '.join(known)}")
        chosen += [k for k in hits if k not in chosen]
    return chosen


def _check_count(path: Path, count: int, what: str, pairs: int) -> None:
    """DatasetError when the file at `path` holds `count` rows or sentences, not `pairs`."""
    if count != pairs:
        raise DatasetError(f"{path} holds {count} {what}{'' if count == 1 else 's'}; the "
                           f"dataset has {pairs} pairs: a cut-short file, or another "
                           "dataset's")


class IdentBoxPairs(_Base):
    """Pairs of a dataset folder (or its `split` subfolder): (x1, x2, z1, z2). A dataset of
    k > 2 views (`n_views`) gives ((x1, ... xk), (z1, ... zk)) instead; `views(index)` gives
    that form for any dataset, two views included.

    normalize: images as float32 C x H x W, standardised with the family's mean and std
    (False: uint8 H x W x 3). units: 'raw' ([-1, 1]) or 'blender' latents. columns: factor
    names or block names to keep (None: all). tensors: torch tensors (default: when torch is
    installed). transform: applied to each image after the above.

    text: a text view's x as its sentence ('str'), its token ids ('ids': int64, the words,
    {eos}, then {pad} up to sequence_length) or those one-hot ('one_hot': float32, length x
    vocabulary, as Multimodal3DIdent's loader gives text). vocabulary: a Vocabulary or the path
    of one saved with `save` (default: built from this split's sentences; build it from the
    training split and pass it to the others). sequence_length: default the split's longest
    sentence in words plus one.

    targets: also return each pair's intervention targets, (x1, x2, z1, z2, targets): uint8
    0/1 over the same columns as z, 1 where the factor was a target of do() in view 2 (a
    dataset drawn with settings.intervention; factors/interventions.npy)."""

    def __init__(self, root: str | Path, split: str | None = None,
                 transform: Callable[[Any], Any] | None = None, normalize: bool = False,
                 units: str = "raw", columns: Sequence[str] | None = None,
                 tensors: bool | None = None, text: str = "str",
                 vocabulary: Vocabulary | str | Path | None = None,
                 sequence_length: int | None = None, targets: bool = False) -> None:
        self.root = Path(root) / split if split else Path(root)
        if units not in ("raw", "blender"):
            raise ValueError(f"units must be 'raw' or 'blender', not {units!r}")
        if text not in TEXT_FORMS:
            raise ValueError(f"text must be one of {', '.join(map(repr, TEXT_FORMS))}, "
                             f"not {text!r}")
        self.text = text
        self.transform, self.normalize = transform, normalize
        self.tensors = torch is not None if tensors is None else tensors
        if self.tensors and torch is None:
            raise ImportError("tensors=True needs torch (pip install torch)")
        self.assumptions: list[str] = []
        manifest_path = self.root / "manifest.json"
        self.n_views = TWO_VIEWS
        self.resolution: int | None = None  # unknown without a manifest
        self.moving_camera = False
        self.text_views: tuple[int, ...] = ()  # views whose x is a sentence
        self.has_targets = False  # factors/interventions.npy: each pair's targets
        if not self.root.is_dir():
            raise FileNotFoundError(f"{self.root} is not a folder: no dataset to load")
        if held_format(self.root) == SEQUENCE_FORMAT:
            raise ValueError(f"{self.root} holds a sequence: load it with IdentBoxSequence")
        if manifest_path.exists():
            manifest = read_manifest(manifest_path)
            self.n_views = manifest_views(manifest)
            self.resolution = int(manifest["settings"]["render"]["resolution"])
            files = manifest_latent_files(manifest)
            self.moving_camera = CAMERA_FILES[0] in files["m1"]
            self.text_views = tuple(view for view in view_numbers(self.n_views)
                                    if SENTENCES in files[f"m{view}"])
            self.has_targets = INTERVENTIONS in files.get(SHARED, ())
            for view in view_numbers(self.n_views):  # DatasetError if a file does not fit
                load_latent_file(self.root, f"m{view}/{_latent_file(units)}", manifest)
            self.columns = manifest["columns"]
            self.extension = ".jpg" if manifest["settings"]["render"]["file_format"] == "JPEG" \
                else ".png"
        else:
            self.columns = _published_columns()
            self.extension = ".png"
            self.assumptions.append("no manifest.json: the published 10-column layout "
                                    "(pos_x ... hue_background) and PNG images are assumed")
            warnings.warn(f"{self.root}: " + self.assumptions[-1], stacklevel=2)
        self.latent_file = _latent_file(units)
        self.column_index = self._select(columns)
        self.column_names = [self.columns[k]["name"] for k in self.column_index]
        self.length = len(read_npy(factors_dir(self.root, "m1") / self.latent_file))
        self._opened: tuple[int, dict[int, np.ndarray]] | None = None
        if targets and not self.has_targets:
            raise ValueError(f"targets=True needs a dataset drawn with an intervention "
                             f"(factors/{INTERVENTIONS}); {self.root} has none")
        self.targets = targets
        self._targets_opened: tuple[int, np.ndarray] | None = None
        self._sentences: dict[int, list[str]] = {}
        self._check_lengths()
        self.vocabulary: Vocabulary | None = None
        self.sequence_length = 0
        if text != "str" and self.text_views:
            self._set_up_tokens(vocabulary, sequence_length)

    def _set_up_tokens(self, vocabulary: Vocabulary | str | Path | None,
                       length: int | None) -> None:
        """The vocabulary (given, or built from every text view's sentences, view by view, in
        sample order) and the padded length of every sentence's ids."""
        every = [line for view in self.text_views for line in self.sentences(view)]
        self.vocabulary = (Vocabulary.from_sentences(every) if vocabulary is None
                           else vocabulary if isinstance(vocabulary, Vocabulary)
                           else Vocabulary.load(vocabulary))
        self.sequence_length = sequence_length(every) if length is None else length
        if self.sequence_length < 1:
            raise ValueError(f"sequence_length must be at least 1 (for {{eos}}), "
                             f"not {self.sequence_length}")

    def _check_lengths(self) -> None:
        """DatasetError naming a file with other than one row (or sentence) per pair: an item
        past a short file's end would end a DataLoader's epoch early without a word."""
        factors = self.root / "factors"
        views = view_numbers(self.n_views)
        files = [factors / f"m{view}" / name for view in views for name in
                 (self.latent_file, *(CAMERA_FILES if self.moving_camera else ()))]
        files += [factors / INTERVENTIONS] if self.targets else []
        for path in files:
            _check_count(path, len(read_npy(path)), "row", self.length)
        for view in self.text_views:
            _check_count(samples_dir(self.root, f"m{view}") / SENTENCES,
                         len(self.sentences(view)), "sentence", self.length)

    def _select(self, wanted: Sequence[str] | None) -> list[int]:
        return select_columns(self.columns, wanted)

    def _latents(self) -> dict[int, np.ndarray]:
        """Memory maps, opened once per process (DataLoader workers open their own)."""
        if self._opened is None or self._opened[0] != os.getpid():
            self._opened = (os.getpid(), {
                view: np.load(factors_dir(self.root, f"m{view}") / self.latent_file,
                              mmap_mode="r") for view in view_numbers(self.n_views)})
        return self._opened[1]

    def __len__(self) -> int:
        return self.length

    def sentences(self, view: int) -> list[str]:
        """Every sentence of text view `view` (from 1), in sample order."""
        if view not in self._sentences:
            path = samples_dir(self.root, f"m{view}") / SENTENCES
            try:
                self._sentences[view] = path.read_text(encoding="utf-8").splitlines()
            except FileNotFoundError:
                raise DatasetError(f"{path} is missing") from None
            except UnicodeDecodeError:
                raise DatasetError(f"{path} is not UTF-8 text") from None
        return self._sentences[view]

    def sentence(self, index: int, view: int) -> str:
        """The sentence of scene `index` in text view `view` (from 1)."""
        return self.sentences(view)[index]

    def _text(self, view: int, index: int) -> Any:
        """x of a text view: its sentence, or its token ids (one-hot if asked)."""
        sentence = self.sentence(index, view)
        if self.vocabulary is None:
            return sentence
        out: Any = self.vocabulary.ids(sentence, self.sequence_length)
        if self.text == "one_hot":
            out = np.eye(len(self.vocabulary), dtype=np.float32)[out]
        return torch.from_numpy(out) if self.tensors else out

    def _image(self, view: int, index: int) -> Any:
        if view in self.text_views:
            return self._text(view, index)
        image = load_rgba(image_path(self.root, view, index, self.extension))
        return loader_image(image[..., :3], self.normalize, self.tensors, self.transform)

    def _z(self, view: int, index: int) -> Any:
        z = np.asarray(self._latents()[view][index, self.column_index], dtype=np.float32)
        return torch.from_numpy(z) if self.tensors else z

    def views(self, index: int) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
        """((x1, ... xk), (z1, ... zk)): every view's image and latents of scene `index`."""
        if not 0 <= index < self.length:
            raise IndexError(f"pair {index} of {self.length}")
        numbers = view_numbers(self.n_views)
        return (tuple(self._image(v, index) for v in numbers),
                tuple(self._z(v, index) for v in numbers))

    def camera(self, index: int, view: int) -> tuple[np.ndarray, np.ndarray]:
        """(K, E) of scene `index` in `view` (from 1): the 3 x 3 pixel intrinsics and the
        4 x 4 world-to-camera matrix (OpenCV conventions, as factors/mK/*.npy hold them for
        a moving camera; the published camera's otherwise)."""
        if not 0 <= index < self.length or view not in view_numbers(self.n_views):
            raise IndexError(f"pair {index} of {self.length}, view {view} of {self.n_views}")
        if self.moving_camera:
            folder = factors_dir(self.root, f"m{view}")
            return (np.array(np.load(folder / INTRINSICS_NPY, mmap_mode="r")[index]),
                    np.array(np.load(folder / EXTRINSICS_NPY, mmap_mode="r")[index]))
        if self.resolution is None:
            raise ValueError(f"{self.root}: no manifest.json, so no resolution for K")
        published = poses_of({}, 1)
        return intrinsics(self.resolution, 1)[0], extrinsics(published)[0]

    def intervention_targets(self, index: int) -> Any:
        """Pair `index`'s targets over the chosen columns: uint8, 1 where do() set the factor."""
        if self._targets_opened is None or self._targets_opened[0] != os.getpid():
            self._targets_opened = (os.getpid(), np.load(
                self.root / FACTORS_DIR / INTERVENTIONS, mmap_mode="r"))
        chosen = np.array(self._targets_opened[1][index, self.column_index], dtype=np.uint8)
        return torch.from_numpy(chosen) if self.tensors else chosen

    def __getitem__(self, index: int) -> tuple[Any, ...]:
        x, z = self.views(index)
        if self.targets:
            return (*x, *z, self.intervention_targets(index))
        return (*x, *z) if self.n_views == TWO_VIEWS else (x, z)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_opened"] = None  # memory maps do not travel to workers
        state["_targets_opened"] = None
        state["_sentences"] = {}  # read again where needed, not copied to every worker
        return state
