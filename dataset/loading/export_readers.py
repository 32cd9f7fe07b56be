"""Read an export back (`ExportedPairs`): the same items as IdentBoxPairs gives for the folder
dataset, from a webdataset export's tar shards (each member found once in the tar headers, then
read by seeking) or an hf export's Parquet files (pyarrow, a row group at a time). Files are
opened lazily in each process, so a torch DataLoader's workers share nothing they should not.
"""

from __future__ import annotations

import io
import json
import os
import tarfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ...errors import DatasetError
from ..export.share_export import INDEX, INDEX_FORMAT, member_name, share_library
from .loader import _Base, loader_image, select_columns, torch

Record = dict[str, Any]  # member name ('m1.png', 'm2.txt', 'm1.latents.npy') -> its content


def read_index(root: Path) -> dict[str, Any]:
    """An export's identbox_export.json; DatasetError if the folder holds no export."""
    path = root / INDEX
    try:
        index = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise DatasetError(f"{path} is missing or unreadable: {root} holds no finished "
                           "IdentBox export (an unfinished one resumes when the export runs "
                           "again)") from None
    if not isinstance(index, dict) or index.get("format") != INDEX_FORMAT:
        raise DatasetError(f"{path} is not an IdentBox export index ({INDEX_FORMAT!r})")
    return index


def split_entry(index: dict[str, Any], root: Path,
                split: str | None) -> tuple[str, dict[str, Any]]:
    """The split asked for (None: the only one); DatasetError naming the splits otherwise."""
    splits = index["splits"]
    if split is None and len(splits) == 1:
        split = next(iter(splits))
    if split is None or split not in splits:
        raise DatasetError(f"{root} has the splits {', '.join(splits)}; "
                           f"choose one (split={split!r})")
    return split, splits[split]


def check_shards(root: Path, split: str, entry: dict[str, Any]) -> None:
    """DatasetError when a shard the index lists is missing, or the shards do not hold the
    split's pairs one after another: a pair past their end would end an epoch early."""
    held = 0
    for shard in entry["shards"]:
        path = root / shard["path"]
        if not path.is_file():
            raise DatasetError(f"{path} is missing: the {split} split of {root} is not whole; "
                               "export it again")
        if shard["first"] != held:
            raise DatasetError(f"{root / INDEX}: the {split} split's shard {shard['path']} "
                               f"starts at pair {shard['first']}, not {held}: a shard is "
                               "missing from the index")
        held += shard["pairs"]
    if held != entry["pairs"]:
        raise DatasetError(f"{root / INDEX}: the {split} split's shards hold {held} pairs; the "
                           f"index says {entry['pairs']}: a shard is missing from the index")


def _cut_short(path: Path, holds: int, listed: int) -> DatasetError:
    return DatasetError(f"{path} holds {holds} pairs; the index lists {listed}: a cut-short or "
                        "replaced shard; export it again")


class TarRecords:
    """Pairs of one split of a webdataset export: each pair's members by their offsets."""

    def __init__(self, root: Path, entry: dict[str, Any]) -> None:
        self.root = root
        self.places: list[dict[str, tuple[int, int, int]]] = [{} for _ in range(entry["pairs"])]
        self.shards = [root / shard["path"] for shard in entry["shards"]]
        for k, (path, shard) in enumerate(zip(self.shards, entry["shards"], strict=True)):
            self._find_members(k, path, range(shard["first"], shard["first"] + shard["pairs"]))
            found = sum(bool(self.places[i]) for i in range(shard["first"], shard["first"]
                                                            + shard["pairs"]))
            if found != shard["pairs"]:
                raise _cut_short(path, found, shard["pairs"])
        self._open: tuple[int, dict[int, Any]] | None = None

    def _find_members(self, k: int, path: Path, pairs: range) -> None:
        """Where each member of shard k (its pairs) lies in the tar file."""
        try:
            with tarfile.open(path) as tar:
                for member in tar:
                    key, _, name = member.name.partition(".")
                    if not (key.isdigit() and int(key) in pairs):
                        raise DatasetError(f"{path} holds {member.name}, not a member of pairs "
                                           f"{pairs.start} to {pairs.stop - 1}: a replaced "
                                           "shard; export it again")
                    self.places[int(key)][name] = (k, member.offset_data, member.size)
        except tarfile.TarError as error:
            raise DatasetError(f"{path} is not a readable tar file ({error})") from None

    def raw_members(self, index: int) -> dict[str, bytes]:
        """Pair `index`'s members as bytes."""
        if self._open is None or self._open[0] != os.getpid():
            self._open = (os.getpid(), {})
        handles, found = self._open[1], {}
        for name, (k, offset, size) in self.places[index].items():
            if k not in handles:
                handles[k] = self.shards[k].open("rb")
            handles[k].seek(offset)
            found[name] = handles[k].read(size)
        return found

    def record(self, index: int) -> Record:
        """Pair `index`'s members, texts as str and arrays as arrays."""
        found: Record = {}
        for name, data in self.raw_members(index).items():
            found[name] = (np.load(io.BytesIO(data)) if name.endswith(".npy")
                           else data.decode("utf-8") if name.endswith(".txt") else data)
        return found

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_open": None}


class ParquetRecords:
    """Pairs of one split of an hf export, read a row group at a time."""

    def __init__(self, root: Path, entry: dict[str, Any]) -> None:
        self.entry = entry
        self.shards = [(root / shard["path"], shard["first"], shard["pairs"])
                       for shard in entry["shards"]]
        self.names = [column["name"] for column in entry["manifest"]["columns"]]
        self._cached: tuple[int, Path, int, int, Any] | None = None
        parquet = share_library("pyarrow.parquet", "hf")
        for path, _, pairs in self.shards:  # the footers only: their row counts
            try:
                rows = parquet.ParquetFile(path).metadata.num_rows
            except ValueError as error:  # pyarrow's ArrowInvalid
                raise DatasetError(f"{path} is not a readable Parquet file ({error})") from None
            if rows != pairs:
                raise _cut_short(path, rows, pairs)

    def _row(self, index: int) -> dict[str, Any]:
        parquet = share_library("pyarrow.parquet", "hf")
        path, first, _ = next(s for s in self.shards if s[1] <= index < s[1] + s[2])
        row = index - first
        cached = self._cached
        if cached is None or cached[0] != os.getpid() or cached[1] != path \
                or not cached[2] <= row < cached[3]:
            handle = parquet.ParquetFile(path)
            start = 0
            for group in range(handle.num_row_groups):
                rows = handle.metadata.row_group(group).num_rows
                if row < start + rows:
                    cached = (os.getpid(), path, start, start + rows,
                              handle.read_row_group(group))
                    break
                start += rows
            self._cached = cached
        assert cached is not None
        return cached[4].slice(row - cached[2], 1).to_pylist()[0]

    def record(self, index: int) -> Record:
        """Pair `index`'s members, named as in a webdataset export."""
        row, entry = self._row(index), self.entry
        found: Record = {}
        for view in range(1, entry["views"] + 1):
            if view in entry["text_views"]:
                found[f"m{view}.txt"] = row[f"m{view}_text"]
            else:
                for kind in entry["passes"]:
                    column = f"m{view}_{kind}"
                    found[member_name(view, kind, entry["extension"])] = row[column]["bytes"]
            found[f"m{view}.latents.npy"] = np.array([row[f"m{view}_{n}"] for n in self.names],
                                                     dtype=np.float64)
        if entry["targets"]:
            found["targets.npy"] = np.array([row[f"target_{n}"] for n in self.names],
                                            dtype=np.uint8)
        return found

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_cached": None}


def records_of(root: Path, index: dict[str, Any], entry: dict[str, Any]) -> Any:
    """The reader of a split of either format."""
    return (TarRecords if index["export_format"] == "webdataset" else ParquetRecords)(root, entry)


def decode_rgb(data: bytes) -> np.ndarray:
    """An image file's bytes as uint8 H x W x 3, decoded as the folder loader decodes files."""
    from PIL import Image  # type: ignore[import-not-found]

    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return np.asarray(image.convert("RGBA"))[..., :3]


class ExportedPairs(_Base):
    """IdentBoxPairs for an export (`export --format webdataset` or `hf`): the same items,
    (x1, x2, z1, z2), or ((x1, ... xk), (z1, ... zk)) for k > 2 views, a text view's x its
    sentence; `split` names one of the export's splits (None: its only one). normalize, units,
    columns, tensors, transform and targets as IdentBoxPairs takes them."""

    def __init__(self, root: str | Path, split: str | None = None,
                 transform: Callable[[Any], Any] | None = None, normalize: bool = False,
                 units: str = "raw", columns: Sequence[str] | None = None,
                 tensors: bool | None = None, targets: bool = False) -> None:
        self.root = Path(root)
        if units not in ("raw", "blender"):
            raise ValueError(f"units must be 'raw' or 'blender', not {units!r}")
        index = read_index(self.root)
        self.split, entry = split_entry(index, self.root, split)
        self.transform, self.normalize = transform, normalize
        self.tensors = torch is not None if tensors is None else tensors
        if self.tensors and torch is None:
            raise ImportError("tensors=True needs torch (pip install torch)")
        self.n_views, self.length = entry["views"], entry["pairs"]
        self.text_views = tuple(entry["text_views"])
        self.extension = entry["extension"]
        self.columns = entry["manifest"]["columns"]
        self.column_index = select_columns(self.columns, columns)
        self.column_names = [self.columns[k]["name"] for k in self.column_index]
        self.scales = (np.array([c["blender_scale"] for c in self.columns], dtype=np.float64)
                       if units == "blender" else None)
        if targets and not entry["targets"]:
            raise ValueError(f"targets=True needs a dataset drawn with an intervention; the "
                             f"{self.split} split of {self.root} has none")
        self.targets = targets
        check_shards(self.root, self.split, entry)
        self.records = records_of(self.root, index, entry)

    def __len__(self) -> int:
        return self.length

    def _x(self, record: Record, view: int) -> Any:
        if view in self.text_views:
            return record[f"m{view}.txt"]
        return loader_image(decode_rgb(record[f"m{view}{self.extension}"]), self.normalize,
                            self.tensors, self.transform)

    def _z(self, record: Record, view: int) -> Any:
        raw = record[f"m{view}.latents.npy"]
        values = raw if self.scales is None else raw * self.scales
        z = np.asarray(values[self.column_index], dtype=np.float32)
        return torch.from_numpy(z) if self.tensors else z

    def views(self, index: int) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
        """((x1, ... xk), (z1, ... zk)) of pair `index`."""
        if not 0 <= index < self.length:
            raise IndexError(f"pair {index} of {self.length}")
        record = self.records.record(index)
        numbers = range(1, self.n_views + 1)
        return (tuple(self._x(record, v) for v in numbers),
                tuple(self._z(record, v) for v in numbers))

    def __getitem__(self, index: int) -> tuple[Any, ...]:
        x, z = self.views(index)
        if self.targets:
            chosen = np.array(self.records.record(index)["targets.npy"][self.column_index],
                              dtype=np.uint8)
            return (*x, *z, torch.from_numpy(chosen) if self.tensors else chosen)
        return (*x, *z) if self.n_views == 2 else (x, z)

