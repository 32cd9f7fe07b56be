"""A Temporal Causal3DIdent dataset as the `.npz` files CITRIS's published loader reads
(temporal-causal3dident.md), one set per split, all in one folder:

  {split}.npz                 the sequence: imgs (N, H, W, 3) uint8, interventions (N - 1, 12)
                              uint8 (row t - 1: the targets of frame t), raw_latents (N, 10)
                              float32, shape_latents (N, 2) uint8 (shape, material)
  {split}_indep.npz           the independent frames: the same keys, one row of interventions
                              per frame (1: every causal variable was drawn from outside)
  {split}_triplets.npz        the triplets: imgs (M, 3, H, W, 3) (frame i, frame j, the third),
  {split}_triplets_coarse.npz raw_latents (M, 3, 10), shape_latents (M, 3, 2), interventions
                              (M, 12) = the mask (1: from frame j), sources_mask the same,
                              indices (M, 2) = (i, j). Masks are drawn per causal group (pos,
                              rot, ...), so both files hold the same arrays.

The 12 columns are the loader's: the ten latents, the shape, the material (always the
reference's rubber, 0, and never a target). A lone dataset exports as `train`; a folder of
splits (train/, val/, test/) as each split's name, so `val/` gives val_indep.npz and
val_triplets.npz, which the loader's training script reads.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ...errors import DatasetError, SettingsError
from ...jsonfile import UnreadableJSONError, read_json
from ...sampling.citris import LATENT_NAMES
from ...settings.kinds import SEQUENCE, kind_of_manifest
from ...settings.sequence import SequenceSettings
from ..checking.images import load_rgba
from ..files.layout import MANIFEST
from ..files.manifest import file_sha256, read_manifest
from ..writing.sequence_writer import (
    INDEPENDENT_LATENTS,
    INTERVENTIONS,
    LATENTS,
    SOURCES_MASK,
    TRIPLET_LATENTS,
    TRIPLETS,
    item_path,
    sequence_files,
)

DEFAULT_SPLIT = "train"  # the name of a lone dataset's files
COLUMNS = (*LATENT_NAMES, "shape", "material")  # the loader's 12 intervention columns
MATERIAL = 0  # the reference's only material, rubber


@dataclass(frozen=True)
class CitrisExport:
    """One checked sequence dataset: its settings, factor arrays and image files."""

    root: Path
    settings: SequenceSettings
    arrays: dict[str, np.ndarray]


def prepare_citris(root: Path) -> CitrisExport:
    """Read and check a sequence dataset of the CITRIS model (DatasetError naming what is
    wrong for another kind, several episodes, changed files or images still to render)."""
    try:
        kind = kind_of_manifest(read_json(root / MANIFEST))
    except (UnreadableJSONError, SettingsError, AttributeError):
        kind = None
    if kind is not SEQUENCE:
        raise DatasetError(f"{root} holds {f'a {kind.label}' if kind else 'no sequence'} "
                           "dataset; the temporal_causal3dident format exports sequences "
                           "(render --preset temporal_causal3dident)")
    manifest = read_manifest(root / MANIFEST, SEQUENCE.format)
    settings = SequenceSettings.from_dict(manifest["settings"])
    if settings.n_episodes != 1:
        raise DatasetError(f"{root} holds {settings.n_episodes} episodes; the "
                           "temporal_causal3dident format holds one sequence per split "
                           "(render each split with n_episodes 1)")
    if settings.render.file_format != "PNG":
        raise DatasetError(f"{root} has {settings.render.file_format} images; the "
                           "temporal_causal3dident format is made from PNG images")
    checksums = manifest.get("sha256") or {}
    arrays = {}
    for name in sequence_files(settings):
        path = root / name
        if not path.exists() or file_sha256(path) != checksums.get(name):
            raise DatasetError(f"{path} is missing or does not match {root / MANIFEST}: run "
                               f"python -m identbox validate {root}")
        arrays[name] = np.load(path)
    missing = [index for index in range(settings.items)
               if not item_path(root, settings, index).exists()]
    if missing:
        first = item_path(root, settings, missing[0]).relative_to(root)
        raise DatasetError(f"{root} has {len(missing)} of its {settings.items} images still to "
                           f"render (first: {first}); render it first")
    return CitrisExport(root, settings, arrays)


def check_splits(prepared: list[tuple[CitrisExport, str]]) -> None:
    """Splits drawn with the same seed share their frames (a shorter sequence is the start of
    a longer one; the original's default seed did that): refuse them."""
    seen: dict[int, str] = {}
    for export, name in prepared:
        seed = export.settings.seed
        if seed in seen:
            raise DatasetError(f"splits {seen[seed]!r} and {name!r} have the same seed ({seed}), "
                               "so the same frames: render each split with its own --seed")
        seen[seed] = name


def loader_columns(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(raw_latents float32 (..., 10), shape_latents uint8 (..., 2)) from rows of latents."""
    shape = values[..., len(LATENT_NAMES)].astype(np.uint8)
    return (values[..., :len(LATENT_NAMES)].astype(np.float32),
            np.stack([shape, np.full_like(shape, MATERIAL)], axis=-1))


def loader_targets(mask: np.ndarray) -> np.ndarray:
    """0/1 rows over the model's variables -> the loader's 12 columns (material never)."""
    return np.concatenate([mask, np.zeros((*mask.shape[:-1], 1), dtype=mask.dtype)],
                          axis=-1).astype(np.uint8)


def _images(export: CitrisExport, indices: range) -> np.ndarray:
    """The RGB images of these render-loop indices, (n, H, W, 3) uint8."""
    size = export.settings.render.resolution
    out = np.zeros((len(indices), size, size, 3), dtype=np.uint8)
    for row, index in enumerate(indices):
        out[row] = load_rgba(item_path(export.root, export.settings, index))[..., :3]
    return out


def _save(path: Path, **arrays: Any) -> None:
    """One .npz file, made in memory first: a disk that fills up fails the one write (naming
    `path`), never numpy's zip writer, which would fail again when collected."""
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    try:
        path.write_bytes(buffer.getbuffer())
    except OSError as error:
        raise OSError(error.errno, error.strerror, str(path)) from None


def write_citris(export: CitrisExport, out: Path, split: str) -> None:
    """Write one split's .npz files into `out` (shared with the other splits)."""
    settings, arrays = export.settings, export.arrays
    name = split or DEFAULT_SPLIT
    frames = settings.frames
    raw, shapes = loader_columns(arrays[LATENTS])
    sequence = _images(export, range(frames))  # the triplets' frames i and j are among them
    _save(out / f"{name}.npz", imgs=sequence,
          interventions=loader_targets(arrays[INTERVENTIONS][1:]), raw_latents=raw,
          shape_latents=shapes)
    if settings.n_independent:
        raw, shapes = loader_columns(arrays[INDEPENDENT_LATENTS])
        model = settings.causal_model()
        drawn = np.array([any(v in group for group in model.groups) for v in model.names])
        _save(out / f"{name}_indep.npz",
              imgs=_images(export, range(frames, frames + settings.n_independent)),
              interventions=loader_targets(np.broadcast_to(drawn, (len(raw), len(drawn)))),
              raw_latents=raw, shape_latents=shapes)
    if settings.n_triplets:
        sources = arrays[TRIPLETS]
        third = range(frames + settings.n_independent, settings.items)
        images = np.stack([sequence[sources[:, 0]], sequence[sources[:, 1]],
                           _images(export, third)], axis=1)
        latents = np.stack([arrays[LATENTS][sources[:, 0]], arrays[LATENTS][sources[:, 1]],
                            arrays[TRIPLET_LATENTS]], axis=1)
        raw, shapes = loader_columns(latents)
        mask = loader_targets(arrays[SOURCES_MASK])
        for suffix in ("_triplets", "_triplets_coarse"):
            _save(out / f"{name}{suffix}.npz", imgs=images, interventions=mask,
                  sources_mask=mask, indices=sources, raw_latents=raw, shape_latents=shapes)
