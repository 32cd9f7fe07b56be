"""What a dataset's factor files will take before they are drawn: memory while they are
sampled and disk once written, measured on a small copy of the settings and scaled to the
whole, and refused in one line when the machine has less (10 million pairs of 16 views
needed 27 GB of memory, and ran until the kernel stopped them)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import DatasetError

# Items drawn to measure the bytes per item: the files grow linearly with the items.
PROBE_ITEMS = 256
# Peak memory of sampling, per byte of the files written, measured on this machine: 2.0 at
# 200,000 and 400,000 pairs of 16 views (1.1 and 2.2 GB resident for 0.54 and 1.1 GB of files);
# a margin above it.
MEMORY_PER_FILE_BYTE = 2.5
GB = 1024**3


def probe_bytes(total_items: int, bytes_of: Callable[[int], int]) -> int:
    """The files' bytes for `total_items`, from bytes_of(k) measured at k = PROBE_ITEMS (all
    of them, when fewer)."""
    if total_items <= PROBE_ITEMS:
        return bytes_of(total_items)
    return int(bytes_of(PROBE_ITEMS) / PROBE_ITEMS * total_items)


def available_memory() -> int | None:
    """Bytes of memory the kernel says it can give without swapping (None where unknown)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return None


def _free_disk(root: Path) -> int | None:
    base = root.absolute()
    while not base.exists() and base != base.parent:
        base = base.parent
    try:
        return shutil.disk_usage(base).free
    except OSError:
        return None


def _size(count: float) -> str:
    return f"{count / GB:.1f} GB" if count >= GB / 10 else f"{count / 1024**2:.1f} MB"


def check_footprint(root: Path, file_bytes: int, what: str,
                    memory: Callable[[], int | None] = available_memory) -> None:
    """DatasetError when sampling `what` (e.g. 'n_pairs = 10000000 with 16 views') needs more
    memory than is available, or its files more disk than is free where `root` is."""
    needed = int(file_bytes * MEMORY_PER_FILE_BYTE)
    have = memory()
    if have is not None and needed > have:
        raise DatasetError(f"{what} needs about {_size(needed)} of memory to sample its "
                           f"factors, and {_size(have)} is available: draw fewer, or split "
                           "the dataset into smaller ones")
    free = _free_disk(root)
    if free is not None and file_bytes > free:
        raise DatasetError(f"{what} writes about {_size(file_bytes)} of factor files, and "
                           f"{_size(free)} is free at {root}: choose a bigger disk, or draw fewer")


def described(settings: Any, count: str) -> str:
    """'n_pairs = 10000000 with 16 views' (or 'items = ...'), for check_footprint's message."""
    text = f"{count} = {getattr(settings, count)}"
    views = getattr(settings, "n_views", None)
    return f"{text} with {views} views" if views else text
