"""Export a dataset in another project's file layout: one format per entry of one table, each a
`prepare` (read and check one dataset, writing nothing) and a `write` (its files into an empty
folder). A folder of splits (train/, val/, test/ made by --splits) exports each split into the
output folder's subfolder of the same name.

Everything is checked before anything is written, and the files are written into a hidden
temporary folder that is renamed to the output folder when complete: a failed export leaves
nothing behind.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import DatasetError, SettingsError
from .citris_export import check_splits, prepare_citris, write_citris
from .hf_export import write_hf, write_hf_split
from .layout import MANIFEST
from .multimodal_export import prepare_multimodal, write_multimodal
from .share_export import prepare_shared
from .temporaries import temporary_path
from .webdataset_export import write_webdataset, write_webdataset_split
from .writer import missing_folders, remove_partial


@dataclass(frozen=True)
class ExportFormat:
    """One file layout IdentBox exports to."""

    name: str
    description: str
    prepare: Callable[[Path], Any]  # one dataset folder -> what write needs (or DatasetError)
    write: Callable[..., None]  # (prepared, empty folder) -> its files; flat: (.., split name)
    # A format people share and train from (dataset/share_export.py) writes the whole export
    # itself, in place and resumable: (every split's (prepared, name), out, pairs per shard
    # or None) -> what it wrote. The staging folder and the empty-OUT rule are then its own.
    write_all: Callable[[list[tuple[Any, str]], Path, int | None], list[Path]] | None = None
    flat: bool = False  # every split's files in the one output folder, named by the split
    check_splits: Callable[[list[tuple[Any, str]]], None] | None = None  # all prepared splits


FORMATS: dict[str, ExportFormat] = {}


def register_format(export_format: ExportFormat) -> ExportFormat:
    """Add a format (its name must be new); returns it."""
    if export_format.name in FORMATS:
        raise ValueError(f"an export format named {export_format.name!r} is registered already")
    FORMATS[export_format.name] = export_format
    return export_format


register_format(ExportFormat(
    "multimodal3dident", "Multimodal3DIdent's latents_image.csv, latents_text.csv, images/ and "
    "text/text_raw.txt, for its published loader", prepare_multimodal, write_multimodal))
register_format(ExportFormat(
    "temporal_causal3dident", "CITRIS's .npz files ({split}.npz, {split}_indep.npz, "
    "{split}_triplets.npz) of a sequence dataset or each split, for its published loader",
    prepare_citris, write_citris, flat=True, check_splits=check_splits))
register_format(ExportFormat(
    "webdataset", "WebDataset tar shards (one sample per pair), resumable, with a dataset card "
    "and Croissant metadata", prepare_shared, write_webdataset_split, write_webdataset))
register_format(ExportFormat(
    "hf", "a Hugging Face datasets dataset (Parquet, images as Image), resumable, with a "
    "dataset card and Croissant metadata", prepare_shared, write_hf_split, write_hf))


def format_named(name: str) -> ExportFormat:
    """The format of this name; SettingsError naming the known ones otherwise."""
    if name not in FORMATS:
        raise SettingsError("format", name, "one of " + ", ".join(FORMATS))
    return FORMATS[name]


def dataset_folders(root: Path) -> list[tuple[Path, str]]:
    """(dataset folder, name of its output subfolder): the dataset itself (''), or each split
    of a folder of splits, by name."""
    if (root / MANIFEST).is_file():
        return [(root, "")]
    splits = sorted(p for p in root.iterdir() if (p / MANIFEST).is_file()) \
        if root.is_dir() else []
    if not splits:
        raise DatasetError(f"{root} holds no IdentBox dataset (no manifest.json, nor splits "
                           "with one)")
    return [(split, split.name) for split in splits]


def _check_out(root: Path, out: Path, empty: bool = True) -> None:
    """DatasetError unless `out` is a new or empty folder (if `empty`) outside the dataset."""
    if empty and out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise DatasetError(f"{out} is not empty: choose a new or empty folder for the export")
    resolved, dataset = out.resolve(), root.resolve()
    if resolved == dataset or dataset in resolved.parents:
        raise DatasetError(f"{out} is inside the dataset {root}: choose a folder outside it")


def export_dataset(root: Path | str, format_name: str, out: Path | str,
                   shard_pairs: int | None = None) -> list[Path]:
    """Write the dataset (or each of its splits) in `root` in a format's layout into `out`;
    returns the folders written (`out` alone for a format that names files by split). Bad
    input raises before anything is written."""
    root, out = Path(root), Path(out)
    export_format = format_named(format_name)
    if shard_pairs is not None and export_format.write_all is None:
        raise SettingsError("shard_pairs", shard_pairs, f"not for the {format_name} format; "
                            "only " + ", ".join(f.name for f in FORMATS.values() if f.write_all))
    folders = dataset_folders(root)
    _check_out(root, out, empty=export_format.write_all is None)
    prepared = [(export_format.prepare(folder), name) for folder, name in folders]
    if export_format.check_splits:
        export_format.check_splits(prepared)
    if export_format.write_all is not None:
        return export_format.write_all(prepared, out, shard_pairs)
    created = missing_folders([out.parent])
    staging = temporary_path(out)
    try:
        staging.mkdir(parents=True)
        for data, name in prepared:
            if export_format.flat:
                export_format.write(data, staging, name)
                continue
            target = staging / name
            target.mkdir(exist_ok=True)
            export_format.write(data, target)
        staging.replace(out)  # an empty `out` is replaced whole
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        remove_partial([], created)
        raise
    if export_format.flat:  # every split's files in `out` itself
        return [out]
    return [out / name for _, name in prepared]
