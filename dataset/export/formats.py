"""Export a dataset in another project's file layout: one format per entry of one table, each a
`prepare` (read and check one dataset, writing nothing) and a `write` (its files into an empty
folder). A folder of splits (train/, val/, test/ made by --splits) exports each split into the
output folder's subfolder of the same name.

Everything is checked before anything is written, and the files are written into a hidden
staging folder inside the output folder (.identbox-export.HOST.PID.tmp, so that an empty mount
point works too), then moved into place when complete: a failed export leaves nothing behind,
and the staging folder of a killed one is removed by the next run. One process writes into an
output folder at a time (a lock on the folder itself); another waits, then finds it not empty.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...errors import DatasetError, SettingsError
from ...jsonfile import UnreadableJSONError, read_json
from ...settings.kinds import PAIR_FORMAT, Kind, kind_of_manifest, kinds
from ...settings.multimodal import KIND as MULTIMODAL_KIND
from ...settings.sequence import KIND as SEQUENCE_KIND
from ..files.claims import folder_held
from ..files.layout import MANIFEST
from ..files.temporaries import is_temporary, remove_abandoned, temporary_path
from ..writing.writer import missing_folders, remove_partial
from .citris_export import check_splits, prepare_citris, write_citris
from .hf_export import write_hf, write_hf_split
from .multimodal_export import prepare_multimodal, write_multimodal
from .share_export import prepare_shared, say_out
from .webdataset_export import write_webdataset, write_webdataset_split

STAGING = "identbox-export"  # OUT/.identbox-export.HOST.PID.tmp while a run writes
HUB_SPLIT = re.compile(r"^\w+(\.\w+)*$")  # a split name the Hub (and `datasets`) accepts


@dataclass(frozen=True)
class ExportFormat:
    """One file layout IdentBox exports to."""

    name: str
    description: str
    prepare: Callable[[Path], Any]  # one dataset folder -> what write needs (or DatasetError)
    write: Callable[..., None]  # (prepared, empty folder) -> its files; flat: (.., split name)
    # A format people share and train from (dataset/share_export.py) writes the whole export
    # itself, in place and resumable: (every split's (prepared, name), out, pairs per shard
    # or None, what to tell the user) -> what it wrote. The empty-OUT rule is then its own.
    write_all: Callable[[list[tuple[Any, str]], Path, int | None, Callable[[str], None]],
                        list[Path]] | None = None
    flat: bool = False  # every split's files in the one output folder, named by the split
    check_splits: Callable[[list[tuple[Any, str]]], None] | None = None  # all prepared splits
    accepts: Callable[[Kind], bool] = lambda kind: True  # the kinds of dataset it exports


FORMATS: dict[str, ExportFormat] = {}  # the package's; a kind's own are in its table entry


def formats() -> dict[str, ExportFormat]:
    """Every export format by name: the package's, then those the registered kinds bring."""
    found = dict(FORMATS)
    for kind in kinds():
        for export_format in kind.exports:
            found.setdefault(export_format.name, export_format)
    return found


def register_format(export_format: ExportFormat) -> ExportFormat:
    """Add a format (its name must be new); returns it."""
    if export_format.name in FORMATS:
        raise ValueError(f"an export format named {export_format.name!r} is registered already")
    FORMATS[export_format.name] = export_format
    return export_format


def _pair_layout(kind: Kind) -> bool:
    return kind.format == PAIR_FORMAT


register_format(ExportFormat(
    "multimodal3dident", "Multimodal3DIdent's latents_image.csv, latents_text.csv, images/ and "
    "text/text_raw.txt, for its published loader", prepare_multimodal, write_multimodal,
    accepts=lambda kind: kind.name == MULTIMODAL_KIND))
register_format(ExportFormat(
    "temporal_causal3dident", "CITRIS's .npz files ({split}.npz, {split}_indep.npz, "
    "{split}_triplets.npz) of a sequence dataset or each split, for its published loader",
    prepare_citris, write_citris, flat=True, check_splits=check_splits,
    accepts=lambda kind: kind.name == SEQUENCE_KIND))
register_format(ExportFormat(
    "webdataset", "WebDataset tar shards (one sample per pair), resumable, with a dataset card "
    "and Croissant metadata", prepare_shared, write_webdataset_split, write_webdataset,
    accepts=_pair_layout))
register_format(ExportFormat(
    "hf", "a Hugging Face datasets dataset (Parquet, images as Image), resumable, with a "
    "dataset card and Croissant metadata", prepare_shared, write_hf_split, write_hf,
    accepts=_pair_layout))


def format_named(name: str) -> ExportFormat:
    """The format of this name; SettingsError naming the known ones otherwise."""
    known = formats()
    if name not in known:
        raise SettingsError("format", name, "one of " + ", ".join(known))
    return known[name]


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


def _kind_of(folder: Path) -> Kind | None:
    """The kind of the dataset in `folder` (None when its manifest does not say: prepare
    then names what is wrong)."""
    try:
        return kind_of_manifest(read_json(folder / MANIFEST))
    except (UnreadableJSONError, SettingsError, AttributeError):
        return None


def _check_kinds(export_format: ExportFormat, folders: list[tuple[Path, str]]) -> None:
    """DatasetError naming the formats that export a dataset this format does not."""
    for folder, _ in folders:
        kind = _kind_of(folder)
        if kind is None or export_format.accepts(kind):
            continue
        labels = [k.label for k in kinds() if export_format.accepts(k)]
        others = [f"--format {f.name}" for f in formats().values() if f.accepts(kind)]
        raise DatasetError(
            f"{folder} holds a {kind.label} dataset; --format {export_format.name} exports "
            f"{', '.join(labels)} datasets: " + (
                f"a {kind.label} dataset exports with {' or '.join(others)}" if others
                else f"no format exports a {kind.label} dataset"))


def _check_split_names(export_format: ExportFormat, folders: list[tuple[Path, str]]) -> None:
    """SettingsError for a split folder whose name would write into a file's structure: a
    control character anywhere (it becomes a file name), and for the shared formats any name
    the Hub refuses (it goes into the dataset card's YAML header)."""
    for _, name in folders:
        if not name:
            continue
        if not name.isprintable():
            raise SettingsError("split", name, "a split folder's name without control "
                                "characters: rename the folder")
        if export_format.write_all is not None and not HUB_SPLIT.match(name):
            raise SettingsError("split", name, "a split folder named by letters, digits and _ "
                                "(dots between them), as the Hub names splits: rename the folder")


def _check_out(root: Path, out: Path) -> None:
    """DatasetError if `out` is a file or lies inside the dataset."""
    if out.exists() and not out.is_dir():
        raise DatasetError(f"{out} is a file: choose a new or empty folder for the export")
    resolved, dataset = out.resolve(), root.resolve()
    if resolved == dataset or dataset in resolved.parents:
        raise DatasetError(f"{out} is inside the dataset {root}: choose a folder outside it")


def export_dataset(root: Path | str, format_name: str, out: Path | str,
                   shard_pairs: int | None = None,
                   say: Callable[[str], None] = say_out) -> list[Path]:
    """Write the dataset (or each of its splits) in `root` in a format's layout into `out`;
    returns the folders written (`out` alone for a format that names files by split; none when
    `out` already held this export, complete, which `say` is told). Bad input raises before
    anything is written."""
    root, out = Path(root), Path(out)
    export_format = format_named(format_name)
    if shard_pairs is not None and export_format.write_all is None:
        raise SettingsError("shard_pairs", shard_pairs, f"not for the {format_name} format; "
                            "only " + ", ".join(f.name for f in formats().values() if f.write_all))
    folders = dataset_folders(root)
    _check_split_names(export_format, folders)
    _check_kinds(export_format, folders)
    _check_out(root, out)
    if export_format.write_all is None:
        _refuse_content(out)
    prepared = [(export_format.prepare(folder), name) for folder, name in folders]
    if export_format.check_splits:
        export_format.check_splits(prepared)
    if export_format.write_all is not None:
        return export_format.write_all(prepared, out, shard_pairs, say)
    _write_staged(export_format, prepared, out)
    if export_format.flat:  # every split's files in `out` itself
        return [out]
    return [out / name for _, name in prepared]


def _refuse_content(out: Path, waited: bool = False) -> None:
    """DatasetError unless `out` is new, or empty but for what stopped runs left (`waited`:
    this run waited for another export into `out`)."""
    if out.is_dir() and any(not is_temporary(path) for path in out.iterdir()):
        if waited:
            raise DatasetError(f"{out}: another export finished writing into it while this one "
                               "waited, so it is not empty now: choose a new or empty folder")
        raise DatasetError(f"{out} is not empty: choose a new or empty folder for the export")


@contextlib.contextmanager
def _held(out: Path) -> Iterator[bool]:
    """Hold `out`'s lock (claims.folder_held: another export into it waits); gives True when
    this run had to wait for one."""
    descriptor = os.open(out, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    waited = False
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        waited = True
    except OSError:  # a file system without locks: folder_held excludes nothing there either
        pass
    finally:
        os.close(descriptor)  # the lock, if taken, goes with it: folder_held takes it again
    with folder_held(out):
        yield waited


def _write_staged(export_format: ExportFormat, prepared: list[tuple[Any, str]],
                  out: Path) -> None:
    """Write every split into a staging folder inside `out`, then move its files into `out`."""
    created = missing_folders([out])
    staging = temporary_path(out / STAGING)
    try:
        out.mkdir(parents=True, exist_ok=True)
        with _held(out) as waited:
            remove_abandoned([out])
            _refuse_content(out, waited)
            staging.mkdir()
            for data, name in prepared:
                if export_format.flat:
                    export_format.write(data, staging, name)
                    continue
                target = staging / name
                target.mkdir(exist_ok=True)
                export_format.write(data, target)
            for entry in sorted(staging.iterdir()):
                entry.replace(out / entry.name)
            staging.rmdir()
    except BaseException as error:
        shutil.rmtree(staging, ignore_errors=True)
        remove_partial([], created)
        if isinstance(error, OSError):
            raise _naming_out(error, staging, out) from None
        raise


def _naming_out(error: OSError, staging: Path, out: Path) -> OSError:
    """The error naming the file it concerns where it ends up in `out`, not in the staging
    folder; a full disk names `out` (not the dataset file that was being copied)."""
    if error.errno is None:
        return error
    for name in (error.filename2, error.filename):
        if name is not None and Path(os.fsdecode(name)).is_relative_to(staging):
            return OSError(error.errno, error.strerror,
                           str(out / Path(os.fsdecode(name)).relative_to(staging)))
    if error.filename is None or error.errno in (errno.ENOSPC, errno.EDQUOT):
        return OSError(error.errno, error.strerror, str(out))
    return error
