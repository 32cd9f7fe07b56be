"""A dataset as WebDataset tar shards (`export --format webdataset`): one sample per pair, keyed
by the pair's number, holding every view's image (`m1.png`) or sentence (`m3.txt`), its mask
and depth map when rendered (`m1.mask.png`, `m1.depth.png`), its raw latents (`m1.latents.npy`,
float64, the manifest's columns) and the pair's intervention targets (`targets.npy`). Shards
are SPLIT-000000.tar ..., written with the webdataset library's TarWriter, byte for byte the
same on every run; factors/SPLIT.csv holds every pair's factors by name (Croissant's record
set)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from .share_export import (
    ShardWriter,
    SharedSplit,
    npy_bytes,
    say_out,
    share_library,
    write_atomically,
    write_shared,
    write_text,
)

FORMAT = "webdataset"


def pair_key(index: int) -> str:
    """A pair's sample key: its number in six digits, as the folder layout names files."""
    return f"{index:06d}"


def pair_sample(split: SharedSplit, index: int) -> dict[str, Any]:
    """One pair's sample: member name (without the key) -> its bytes (a sentence in UTF-8:
    the shards are written with webdataset's encoders off)."""
    sample: dict[str, Any] = {"__key__": pair_key(index)}
    for name, path in split.files(index).items():
        sample[name] = path.read_bytes()
    for view, lines in split.sentences.items():
        sample[f"m{view}.txt"] = lines[index].encode("utf-8")
    for view, raw in split.raw.items():
        sample[f"m{view}.latents.npy"] = npy_bytes(raw[index])
    if split.targets is not None:
        sample["targets.npy"] = npy_bytes(split.targets[index])
    return sample


def write_tar_shard(split: SharedSplit, pairs: range, path: Path) -> None:
    """One shard: the pairs' samples, in order, with fixed times and owners."""
    webdataset = share_library("webdataset", FORMAT)
    with path.open("wb") as handle, webdataset.TarWriter(
            handle, user="identbox", group="identbox", mtime=0, encoder=False) as tar:
        for index in pairs:
            tar.write(pair_sample(split, index))


def factor_columns(split: SharedSplit) -> list[str]:
    """The factors' column names in an export: 'm1_pos_x', ..., then 'target_pos_x', ..."""
    names = [f"m{view}_{name}" for view in split.raw for name in split.column_names]
    return names + ([f"target_{name}" for name in split.column_names]
                    if split.targets is not None else [])


def factors_csv(split: SharedSplit) -> str:
    """Every pair's factors by name: 'index', then each view's, floats written to read back
    to the same number."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["index", *factor_columns(split)])
    for index in range(split.n_pairs):
        row = [repr(float(v)) for raw in split.raw.values() for v in raw[index]]
        targets = [] if split.targets is None else [int(v) for v in split.targets[index]]
        writer.writerow([index, *row, *targets])
    return buffer.getvalue()


def write_factor_tables(splits: list[tuple[SharedSplit, str]], out: Path) -> dict[str, str]:
    """factors/SPLIT.csv of every split; returns path -> split."""
    written = {}
    for split, name in splits:
        path = out / "factors" / f"{name}.csv"
        text = factors_csv(split)
        write_atomically(path, partial(write_text, text))
        written[path.relative_to(out).as_posix()] = name
    return written


TAR_SHARDS = ShardWriter(FORMAT, lambda split, k, n: f"{split}-{k:06d}.tar", write_tar_shard,
                         write_factor_tables)


def write_webdataset(prepared: list[tuple[SharedSplit, str]], out: Path,
                     shard_pairs: int | None, say: Callable[[str], None] = say_out) -> list[Path]:
    """Every split's shards, then the index, card and Croissant metadata, into `out`
    (`say` hears when it held this export already)."""
    share_library("webdataset", FORMAT)
    return write_shared(prepared, out, shard_pairs, TAR_SHARDS, say=say)


def write_webdataset_split(split: SharedSplit, out: Path) -> None:
    """One dataset's export into the empty folder `out`, in shards of the default size."""
    write_webdataset([(split, "")], out, None)
