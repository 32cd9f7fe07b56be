"""The forms people share and train from (webdataset tar shards, Hugging Face Parquet files):
what every such export shares. `prepare_shared` reads and checks one dataset; `write_shared`
writes every split in place, shard by shard, each shard under a temporary name renamed when
whole, so an export cut short is resumed by running the same command again. The index
(identbox_export.json: every shard's pairs, bytes and SHA-256, each split's manifest), the
dataset card (README.md) and the Croissant metadata are written last.

Inside Blender none of this runs: the formats' libraries are imported by the command line's
export only.
"""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from ...errors import DatasetError, SettingsError
from ...jsonfile import UnreadableJSONError, read_json
from ...limits import Limit
from ...settings.views import image_views, text_views
from ...version import __version__
from ..files.claims import folder_held
from ..files.layout import (
    FACTORS_DIR,
    INTERVENTIONS,
    MANIFEST,
    RAW_LATENTS_NPY,
    SENTENCES,
    SHARED,
    is_complete_image,
    manifest_latent_files,
    pair_passes,
    pass_file_name,
    pass_folder,
    samples_dir,
)
from ..files.manifest import (
    file_sha256,
    load_latent_file,
    pair_settings_from_manifest,
    read_manifest,
)
from ..files.temporaries import is_temporary, remove_abandoned, temporary_path
from ..writing.writer import missing_folders, remove_partial

INDEX = "identbox_export.json"  # a finished export's index of shards and splits
INDEX_FORMAT = "identbox-export/1"
PROGRESS = ".identbox-export-unfinished.json"  # in OUT until the export is complete
SHARD_PAIRS = Limit("shard_pairs", "Pairs per Shard", "pairs in each shard (tar or Parquet "
                    "file); 1,000 pairs at 224 px make shards of about 100 MB", 1000, 1, 10**7)
SHARE_MISSING = "the {name} export needs {module}: pip install identbox[share]"
CARD, CROISSANT = "README.md", "croissant.json"


def say_out(line: str) -> None:
    """Print a line for the user (what an export says when it has nothing to do)."""
    print(line, file=sys.stdout)


def share_library(module: str, format_name: str) -> Any:
    """Import a library of the `share` extra; DatasetError naming the install otherwise."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise DatasetError(SHARE_MISSING.format(name=format_name, module=module)) from None


@dataclass(frozen=True)
class SharedSplit:
    """One dataset, checked and ready to share: its manifest, each view's raw latents and
    sentences, and where each pair's rendered files are."""

    root: Path
    manifest: dict[str, Any]
    manifest_sha256: str
    n_pairs: int
    n_views: int
    image_views: tuple[int, ...]
    text_views: tuple[int, ...]
    passes: tuple[str, ...]  # 'image', then 'mask' and 'depth' when rendered
    extension: str  # the images' ('.png' or '.jpg'); masks and depth are always PNG
    raw: dict[int, np.ndarray]  # view -> (pairs, columns) float64 in [-1, 1]
    sentences: dict[int, list[str]]  # text view -> one sentence per pair
    targets: np.ndarray | None  # (pairs, columns) uint8 where view 2 is drawn by do()

    @property
    def column_names(self) -> list[str]:
        """The factors' names, in the latents' column order."""
        return [column["name"] for column in self.manifest["columns"]]

    def files(self, index: int) -> dict[str, Path]:
        """Pair `index`'s rendered files by member name: 'm1.png', 'm1.mask.png', ..."""
        return {member_name(view, kind, self.extension):
                pass_folder(self.root, kind, view) / pass_file_name(kind, index, self.extension)
                for kind in self.passes for view in self.image_views}


def member_name(view: int, kind: str, extension: str) -> str:
    """What a pair's file is called in an export: 'm1.png', 'm1.mask.png', 'm2.depth.png'."""
    return f"m{view}{extension}" if kind == "image" else f"m{view}.{kind}.png"


def prepare_shared(root: Path) -> SharedSplit:
    """Read and check a pair dataset (DatasetError, naming what is wrong, for a missing or
    incomplete image, a changed latent file, or a dataset of another layout)."""
    manifest = read_manifest(root / MANIFEST)
    settings = pair_settings_from_manifest(manifest)
    files = manifest_latent_files(manifest)
    views = sorted(int(view[1:]) for view in files if view != SHARED)
    expected = manifest["latents"]["sha256"]
    for view in views:
        key = f"m{view}/{RAW_LATENTS_NPY}"
        if file_sha256(root / FACTORS_DIR / key) != expected.get(key):
            raise DatasetError(f"{root / 'factors' / key} does not match {root / MANIFEST}: run "
                               f"python -m identbox validate {root}")
    raw = {view: np.array(load_latent_file(root, f"m{view}/{RAW_LATENTS_NPY}", manifest))
           for view in views}
    texts = tuple(text_views(settings))
    sentences = {view: (samples_dir(root, f"m{view}") / SENTENCES)
                 .read_text(encoding="utf-8").splitlines() for view in texts}
    targets = None
    if INTERVENTIONS in files.get(SHARED, ()):
        targets = np.load(root / FACTORS_DIR / INTERVENTIONS).astype(np.uint8)
    split = SharedSplit(root, manifest, file_sha256(root / MANIFEST), settings.n_pairs,
                        len(views), tuple(image_views(settings)), texts,
                        tuple(pair_passes(settings)), settings.render.extension, raw,
                        sentences, targets)
    _refuse_unrendered(split)
    return split


def _refuse_unrendered(split: SharedSplit) -> None:
    """DatasetError naming the first missing or incomplete file and how many there are."""
    bad = [path for index in range(split.n_pairs) for path in split.files(index).values()
           if not is_complete_image(path)]
    short = [view for view, lines in split.sentences.items() if len(lines) != split.n_pairs]
    if bad:
        raise DatasetError(f"{split.root} has {len(bad)} missing or incomplete image(s) (first: "
                           f"{bad[0].relative_to(split.root)}): render it first (its render "
                           "command resumes), then export")
    if short:
        raise DatasetError(f"{samples_dir(split.root, f'm{short[0]}') / SENTENCES} does not "
                           f"hold one sentence per pair: run python -m identbox validate "
                           f"{split.root}")


def npy_bytes(array: np.ndarray) -> bytes:
    """An array as .npy file bytes (the same bytes for the same array)."""
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(array), allow_pickle=False)
    return buffer.getvalue()


@dataclass(frozen=True)
class ShardWriter:
    """How one format names and writes its shards."""

    name: str
    shard_path: Callable[[str, int, int], str]  # (split, shard, shards) -> path in OUT
    write_shard: Callable[[SharedSplit, range, Path], None]  # pairs -> a new file
    extra_files: Callable[[list[tuple[SharedSplit, str]], Path], dict[str, str]] = \
        lambda splits, out: {}  # more files for the index: path in OUT -> its split


def shard_ranges(n_pairs: int, shard_pairs: int) -> list[range]:
    """The pairs of each shard: consecutive, `shard_pairs` each, the last one shorter."""
    return [range(start, min(start + shard_pairs, n_pairs))
            for start in range(0, n_pairs, shard_pairs)]


def split_names(prepared: list[tuple[SharedSplit, str]]) -> list[tuple[SharedSplit, str]]:
    """Each split by name; a dataset without splits is the Hub's 'train' split."""
    return [(split, name or "train") for split, name in prepared]


def write_atomically(path: Path, write: Callable[[Path], object]) -> None:
    """`write` a temporary file beside `path`, flush it to disk, then rename it to `path`; an
    OSError names `path` (not the temporary)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = temporary_path(path)
    try:
        write(temporary)
        with temporary.open("rb+") as handle:
            os.fsync(handle.fileno())
        temporary.replace(path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        named = error.filename is None or os.fsdecode(error.filename) == str(temporary)
        if error.errno is None or not named:
            raise
        raise OSError(error.errno, error.strerror, str(path)) from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_text(text: str, path: Path) -> None:
    """`text` into `path` as UTF-8 (the argument order partial() needs)."""
    path.write_text(text, encoding="utf-8")


def write_bytes(data: bytes, path: Path) -> None:
    """`data` into `path`."""
    path.write_bytes(data)


def _progress_record(writer: ShardWriter, splits: list[tuple[SharedSplit, str]],
                     shard_pairs: int) -> dict[str, Any]:
    return {"format": writer.name, "shard_pairs": shard_pairs,
            "splits": {name: split.manifest_sha256 for split, name in splits}}


def _read_progress(progress: Path) -> dict[str, Any]:
    """An unfinished export's progress record (`done`: each finished shard's SHA-256);
    DatasetError naming the file when it is unreadable or not one."""
    again = f"delete {progress.parent} to start the export again"
    try:
        record = read_json(progress)
    except UnreadableJSONError as error:
        raise DatasetError(f"{progress} is unreadable ({error}): {again}") from None
    done = record.get("done", {}) if isinstance(record, dict) else None
    shard_pairs = record.get("shard_pairs") if isinstance(record, dict) else None
    if not (isinstance(record, dict) and isinstance(record.get("format"), str)
            and isinstance(shard_pairs, int) and not isinstance(shard_pairs, bool)
            and shard_pairs >= 1 and isinstance(record.get("splits"), dict)
            and isinstance(done, dict)
            and all(isinstance(v, str) for v in (*done, *done.values()))):
        raise DatasetError(f"{progress} is not the progress record of an IdentBox export: "
                           f"{again}")
    return {**record, "done": done}


def _save_progress(progress: Path, record: dict[str, Any]) -> None:
    text = json.dumps(record, indent=2, sort_keys=True) + "\n"
    write_atomically(progress, partial(write_text, text))


def _start_or_resume(out: Path, writer: ShardWriter, splits: list[tuple[SharedSplit, str]],
                     shard_pairs: int | None) -> dict[str, Any]:
    """The progress record of this export: a new or empty OUT starts one; an OUT holding an
    unfinished export of the same datasets and format resumes it."""
    progress = out / PROGRESS
    if progress.exists():
        record = _read_progress(progress)
        wanted = _progress_record(writer, splits, record["shard_pairs"])
        if {key: record[key] for key in wanted} != wanted:
            raise DatasetError(f"{out} holds an unfinished {record['format']} export of "
                               "other datasets: choose a new or empty folder")
        if shard_pairs not in (None, record["shard_pairs"]):
            raise SettingsError("shard_pairs", shard_pairs, f"{record['shard_pairs']}, as the "
                                f"unfinished export in {out} was started with")
        return record
    _refuse_content(out)
    chosen = SHARD_PAIRS.default if shard_pairs is None else shard_pairs
    record = {**_progress_record(writer, splits, chosen), "done": {}}
    _save_progress(progress, record)
    return record


def _content(out: Path) -> list[Path]:
    """What `out` holds, the temporaries of stopped runs aside."""
    return [path for path in out.iterdir() if not is_temporary(path)] if out.is_dir() else []


def _refuse_content(out: Path) -> None:
    """DatasetError unless `out` is new or empty (or holds an unfinished or finished export,
    which the export checks under its lock)."""
    if out.exists() and not out.is_dir():
        raise DatasetError(f"{out} is a file: choose a new or empty folder for the export")
    names = {path.name for path in _content(out)}
    if names and not names & {PROGRESS, INDEX}:
        raise DatasetError(f"{out} is not empty: choose a new or empty folder for the export "
                           "(or the folder of an unfinished export, to resume it)")


def write_shared(prepared: list[tuple[SharedSplit, str]], out: Path, shard_pairs: int | None,
                 writer: ShardWriter, progress: Callable[[Path], None] = lambda path: None,
                 say: Callable[[str], None] = say_out) -> list[Path]:
    """Write every split's shards into `out` (keeping those a cut-short run finished whose
    bytes are still the ones it wrote), then the index, dataset card and Croissant metadata;
    `progress` hears of each shard. Another export into `out` is waited for; when `out`
    already holds this export, complete, `say` hears so and nothing is written."""
    if shard_pairs is not None:
        SHARD_PAIRS.check(shard_pairs)
    splits = split_names(prepared)
    _refuse_content(out)
    created = missing_folders([out])
    try:
        out.mkdir(parents=True, exist_ok=True)
        with folder_held(out):
            remove_abandoned([out, *(p for p in out.rglob("*")
                                     if p.is_dir() and not is_temporary(p))])
            if (out / INDEX).is_file() and not (out / PROGRESS).exists():
                _say_finished(out, writer, splits, shard_pairs, say)
                return []
            _write_shards(out, writer, splits, _start_or_resume(out, writer, splits,
                                                                shard_pairs), progress)
    except BaseException:
        remove_partial([], created)
        raise
    return [out]


def _write_shards(out: Path, writer: ShardWriter, splits: list[tuple[SharedSplit, str]],
                  record: dict[str, Any], progress: Callable[[Path], None]) -> None:
    """Every shard not finished before (or changed since), then the index, card and Croissant
    metadata; the progress record goes last."""
    from .card import dataset_card
    from .croissant import croissant_metadata

    shard_pairs, done = record["shard_pairs"], record["done"]
    shards: dict[str, list[dict[str, Any]]] = {}
    for split, name in splits:
        ranges = shard_ranges(split.n_pairs, shard_pairs)
        shards[name] = []
        for k, pairs in enumerate(ranges):
            path = out / writer.shard_path(name, k, len(ranges))
            key = path.relative_to(out).as_posix()
            if not (path.is_file() and done.get(key) == file_sha256(path)):
                write_atomically(path, partial(writer.write_shard, split, pairs))
                done[key] = file_sha256(path)
                _save_progress(out / PROGRESS, record)
            shards[name].append({"path": key, "first": pairs.start, "pairs": len(pairs),
                                 "sha256": done[key]})
            progress(path)
    extra = {**writer.extra_files(splits, out), **_copy_manifests(splits, out)}
    index = build_index(writer.name, shard_pairs, splits, shards, out, extra)
    texts = {INDEX: json.dumps(index, indent=2, sort_keys=True) + "\n",
             CARD: dataset_card(index),
             CROISSANT: json.dumps(croissant_metadata(index), indent=2) + "\n"}
    for name, text in texts.items():
        write_atomically(out / name, partial(write_text, text))
    (out / PROGRESS).unlink()


def _say_finished(out: Path, writer: ShardWriter, splits: list[tuple[SharedSplit, str]],
                  shard_pairs: int | None, say: Callable[[str], None]) -> None:
    """Say that `out` holds this export, complete and as written; DatasetError if it holds
    another, or files changed, went missing or were added since."""
    path = out / INDEX
    try:
        index = read_json(path)
        wanted = {name: split.manifest_sha256 for split, name in splits}
        found = {name: entry["manifest_sha256"] for name, entry in index["splits"].items()}
        same = (index["export_format"], found) == (writer.name, wanted) \
            and shard_pairs in (None, index["shard_pairs"])
        wrong = (changed_files(out, index) + unlisted_files(out, index)
                 + _unlike_written(out, index)) if same else []
    except (UnreadableJSONError, KeyError, TypeError, AttributeError):
        raise DatasetError(f"{path} is not an IdentBox export index: delete {out} to export "
                           "again") from None
    if not same:
        raise DatasetError(f"{out} holds a finished export of other datasets, another format "
                           "or shard size: choose a new or empty folder")
    if wrong:
        raise DatasetError(f"{out} holds this export, but {wrong[0]} changed, went missing or "
                           f"was added since: python -m identbox validate {out} says more; "
                           f"delete {out} to export again")
    say(f"{out}: this {writer.name} export is already complete and valid (its "
        f"{len(listed_files(index))} files match {INDEX}): nothing to do")


def _unlike_written(out: Path, index: dict[str, Any]) -> list[str]:
    """The card or Croissant file, if present but not what the export writes (licence aside)."""
    from .card import card_matches
    from .croissant import croissant_matches

    wrong = []
    card, croissant = out / CARD, out / CROISSANT
    if card.is_file() and not card_matches(card.read_bytes().decode(errors="replace"), index):
        wrong.append(CARD)
    try:
        if croissant.is_file() and not croissant_matches(read_json(croissant), index):
            wrong.append(CROISSANT)
    except UnreadableJSONError:
        wrong.append(CROISSANT)
    return wrong


def listed_files(index: dict[str, Any]) -> list[dict[str, Any]]:
    """Every shard and file an export's index lists, with its bytes and SHA-256."""
    return [item for entry in index["splits"].values()
            for item in entry["shards"] + entry["files"]]


def changed_files(out: Path, index: dict[str, Any]) -> list[str]:
    """The listed files that are missing or whose bytes or SHA-256 differ from the index."""
    wrong = []
    for item in listed_files(index):
        path = out / item["path"]
        if not path.is_file() or path.stat().st_size != item["bytes"] \
                or file_sha256(path) != item["sha256"]:
            wrong.append(item["path"])
    return wrong + [name for name in (CARD, CROISSANT) if not (out / name).is_file()]


def unlisted_files(out: Path, index: dict[str, Any]) -> list[str]:
    """Files in `out` that the index does not list (its own files aside): strays, temporaries,
    copies."""
    listed = {item["path"] for item in listed_files(index)} | {INDEX, CARD, CROISSANT}
    found = []
    for base, _, files in os.walk(out):
        found += [(Path(base) / name).relative_to(out).as_posix() for name in files]
    return sorted(path for path in found if path not in listed)


def _copy_manifests(splits: list[tuple[SharedSplit, str]], out: Path) -> dict[str, str]:
    """manifests/SPLIT.json: each split's manifest, byte for byte (what `reproduce` reads)."""
    written = {}
    for split, name in splits:
        data = (split.root / MANIFEST).read_bytes()
        path = out / "manifests" / f"{name}.json"
        write_atomically(path, partial(write_bytes, data))
        written[path.relative_to(out).as_posix()] = name
    return written


def build_index(format_name: str, shard_pairs: int, splits: list[tuple[SharedSplit, str]],
                shards: dict[str, list[dict[str, Any]]], out: Path,
                extra: dict[str, str]) -> dict[str, Any]:
    """What a reader and validate need: each split's pairs, views, members and manifest, and
    every file's bytes and SHA-256."""
    for entries in shards.values():
        for entry in entries:
            path = out / entry["path"]
            entry["bytes"] = path.stat().st_size
            if "sha256" not in entry:
                entry["sha256"] = file_sha256(path)
    return {
        "format": INDEX_FORMAT,
        "export_format": format_name,
        "identbox_version": __version__,
        "shard_pairs": shard_pairs,
        "splits": {name: {
            "pairs": split.n_pairs,
            "views": split.n_views,
            "image_views": list(split.image_views),
            "text_views": list(split.text_views),
            "passes": list(split.passes),
            "extension": split.extension,
            "targets": split.targets is not None,
            "source": str(split.root),
            "manifest_sha256": split.manifest_sha256,
            "manifest": split.manifest,
            "shards": shards[name],
            "files": [{"path": path, "bytes": (out / path).stat().st_size,
                       "sha256": file_sha256(out / path)}
                      for path, owner in extra.items() if owner == name],
        } for split, name in splits},
    }
