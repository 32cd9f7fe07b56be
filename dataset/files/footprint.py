"""What a dataset's factor files will take before they are drawn: memory while they are
sampled and disk once written, measured on a small copy of the settings and scaled to the
whole, and refused in one line when the machine has less (10 million pairs of 16 views
needed 27 GB of memory, and ran until the kernel stopped them); a long draw is said first
with its time (a million frames of one episode take 6 min, one step after another)."""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...errors import DatasetError
from ...settings.kinds import kind_of

# Items drawn to measure the bytes per item: the files grow linearly with the items.
PROBE_ITEMS = 256
# Peak memory of sampling, per byte of the files written, measured on this machine: 2.0 at
# 200,000 and 400,000 pairs of 16 views (1.1 and 2.2 GB resident for 0.54 and 1.1 GB of files);
# a margin above it.
MEMORY_PER_FILE_BYTE = 2.5
GB = 1024**3
# A draw estimated to take longer than this is said before it starts, with its time.
SAID_AFTER_SECONDS = 60.0


@dataclass(frozen=True)
class Probe:
    """What drawing every item will take, scaled from a small draw."""

    file_bytes: int
    seconds: float


def probe(total_items: int, bytes_of: Callable[[int], int]) -> Probe:
    """The files' bytes and drawing time for `total_items`, from bytes_of(k) measured at
    k = PROBE_ITEMS (all of them, when fewer). The time is the probe's, scaled: for a million
    frames of one episode it said 5 min, and they took 6 (the file writes come on top)."""
    if total_items <= PROBE_ITEMS:
        return Probe(bytes_of(total_items), 0.0)
    start = time.perf_counter()
    probed = bytes_of(PROBE_ITEMS)
    scale = total_items / PROBE_ITEMS
    return Probe(int(probed * scale), (time.perf_counter() - start) * scale)


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


def _duration(seconds: float) -> str:
    return f"{seconds / 3600:.1f} h" if seconds >= 5400 else f"{seconds / 60:.0f} min"


def check_footprint(root: Path, measured: Probe, what: str,
                    memory: Callable[[], int | None] = available_memory) -> None:
    """DatasetError when sampling `what` (e.g. 'n_pairs = 10000000 with 16 views') needs more
    memory than is available, or its files more disk than is free where `root` is; a line on
    stderr first when the draw will take long (nothing else says anything until it ends)."""
    file_bytes = measured.file_bytes
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
    if measured.seconds > SAID_AFTER_SECONDS:
        print(f"IdentBox: drawing the factors of {what} takes about "
              f"{_duration(measured.seconds)} here ({_size(needed)} of memory, "
              f"{_size(file_bytes)} of files); Ctrl+C stops it before anything is written",
              file=sys.stderr, flush=True)


def described(settings: Any) -> str:
    """'n_pairs = 10000000 with 16 views' (or 'items = ...'), for check_footprint's message."""
    kind = kind_of(settings)
    text = f"{kind.count} = {kind.items(settings)}"
    return f"{text} with {settings.n_views} views" if kind.pairs else text
