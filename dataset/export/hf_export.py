"""A dataset as a Hugging Face `datasets` dataset (`export --format hf`): Parquet files
data/SPLIT-00000-of-0000N.parquet, one row per pair, each view's image, mask and depth map as
the `Image` feature (the rendered PNG bytes, unchanged) or its sentence as a string, and every
factor as a named float64 column (m1_pos_x, ...; target_pos_x, ... where view 2 is drawn by
do()). `datasets.load_dataset("parquet", data_files=...)` reads it offline, and the Hub reads
the card's configs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from .share_export import ShardWriter, SharedSplit, say_out, share_library, write_shared
from .webdataset_export import factor_columns

FORMAT = "hf"


def features_of(split: SharedSplit) -> Any:
    """The dataset's columns and their `datasets` features."""
    datasets = share_library("datasets", FORMAT)
    columns: dict[str, Any] = {"index": datasets.Value("int64")}
    for view in range(1, split.n_views + 1):
        if view in split.text_views:
            columns[f"m{view}_text"] = datasets.Value("string")
    for name in split.files(0) if split.n_pairs else ():
        columns[column_of(name)] = datasets.Image()
    for name in factor_columns(split):
        columns[name] = datasets.Value("uint8" if name.startswith("target_") else "float64")
    return datasets.Features(columns)


def column_of(member: str) -> str:
    """A rendered file's column: 'm1.png' -> 'm1_image', 'm1.mask.png' -> 'm1_mask'."""
    parts = member.split(".")
    return f"{parts[0]}_{parts[1] if len(parts) == 3 else 'image'}"


def rows_of(split: SharedSplit, pairs: range) -> dict[str, list[Any]]:
    """The pairs' rows, column by column."""
    names = factor_columns(split)
    rows: dict[str, list[Any]] = {"index": list(pairs)}
    for view, lines in split.sentences.items():
        rows[f"m{view}_text"] = [lines[i] for i in pairs]
    for member in split.files(0) if split.n_pairs else ():
        rows[column_of(member)] = [{"bytes": split.files(i)[member].read_bytes(),
                                    "path": f"{i:06d}.{member}"} for i in pairs]
    values = [[float(v) for raw in split.raw.values() for v in raw[i]]
              + ([] if split.targets is None else [int(v) for v in split.targets[i]])
              for i in pairs]
    for k, name in enumerate(names):
        rows[name] = [row[k] for row in values]
    return rows


def write_parquet_shard(split: SharedSplit, pairs: range, path: Path) -> None:
    """One Parquet file of the pairs' rows, written by `datasets` (its features in the file)."""
    datasets = share_library("datasets", FORMAT)
    datasets.disable_progress_bars()
    table = datasets.Dataset.from_dict(rows_of(split, pairs), features=features_of(split))
    table.to_parquet(str(path))


PARQUET_FILES = ShardWriter(
    FORMAT, lambda split, k, n: f"data/{split}-{k:05d}-of-{n:05d}.parquet", write_parquet_shard)


def write_hf(prepared: list[tuple[SharedSplit, str]], out: Path,
             shard_pairs: int | None, say: Callable[[str], None] = say_out) -> list[Path]:
    """Every split's Parquet files, then the index, card and Croissant metadata, into `out`
    (`say` hears when it held this export already)."""
    share_library("datasets", FORMAT)
    return write_shared(prepared, out, shard_pairs, PARQUET_FILES, say=say)


def write_hf_split(split: SharedSplit, out: Path) -> None:
    """One dataset's export into the empty folder `out`, in files of the default size."""
    write_hf([(split, "")], out, None)
