"""Files in a pair dataset's folder that IdentBox did not write there: leftover temporary files,
images beyond the dataset's pairs, and anything else unknown. Listing only, no reading."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..files.layout import (
    CONTACT_SHEET,
    FACTORS_DIR,
    LATENT_PLOT,
    MANIFEST,
    SAMPLES_DIR,
    SENTENCES,
    SHARED,
    view_entries,
)
from .checks import Check

SLURM = "slurm"  # cluster/slurm.py's folder: scripts, logs, times, summary; anything goes there
SHOWN = 3
_NUMBERED = re.compile(r"(\d{6,})(\.\w+)")
# What file browsers and network file systems leave in any folder: not the dataset's, harmless.
_SYSTEM_CLUTTER = re.compile(r"\.DS_Store|Thumbs\.db|desktop\.ini|\._.+|\.nfs[0-9a-fA-F]+")


@dataclass
class Strays:
    """What a walk of the layout found, as paths relative to the dataset's root."""

    temporary: list[str] = field(default_factory=list)
    extra_images: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)

    def checks(self, items: str) -> list[Check]:
        """validate's three checks of them; `items` says what the numbered images are
        ('12 pairs', '12 frames and 3 triplets')."""
        return [Check("no leftover temporary files (.tmp)", not self.temporary,
                      listed(self.temporary, "none")),
                Check(f"no numbered images beyond the {items}", not self.extra_images,
                      listed(self.extra_images, "none")),
                Check("no unknown files or folders in the layout", not self.unknown,
                      listed(self.unknown, "only what IdentBox writes"))]


def listed(items: list[str], fine: str, shown: int = 3) -> str:
    """The first few of `items` ('a, b, c and 4 more'), or `fine` when there are none."""
    more = f" and {len(items) - shown} more" if len(items) > shown else ""
    return ", ".join(items[:shown]) + more if items else fine


def _entries(folder: Path) -> list[os.DirEntry[str]]:
    with os.scandir(folder) as found:
        return sorted(found, key=lambda e: e.name)


def _walk_temporary(folder: Path, relative: str, strays: Strays) -> None:
    """Anything is allowed in `folder` but temporary files."""
    for entry in _entries(folder):
        name = f"{relative}/{entry.name}"
        if entry.is_dir(follow_symlinks=False):
            _walk_temporary(Path(entry.path), name, strays)
        elif entry.name.endswith(".tmp"):
            strays.temporary.append(name)


def _sort(entry: os.DirEntry[str], relative: str, strays: Strays) -> None:
    """An entry that is not one of the layout's: a temporary file, or unknown."""
    name = f"{relative}/{entry.name}" if relative else entry.name
    if _SYSTEM_CLUTTER.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
        return
    if entry.name.endswith(".tmp"):
        strays.temporary.append(name)
    else:
        strays.unknown.append(name + ("/" if entry.is_dir(follow_symlinks=False) else ""))


def _images(folder: Path, relative: str, extension: str, n_pairs: int, strays: Strays) -> None:
    for entry in _entries(folder):
        numbered = _NUMBERED.fullmatch(entry.name)
        if (numbered and numbered.group(2) == extension and entry.is_file()
                and len(numbered.group(1)) == 6 and int(numbered.group(1)) < n_pairs):
            continue
        if numbered and numbered.group(2) == extension:
            strays.extra_images.append(f"{relative}/{entry.name}")
        else:
            _sort(entry, relative, strays)


ANYTHING = "anything"  # a folder whose content is free, but for temporary files


def _folder(root: Path, relative: str, allowed: dict[str, object], strays: Strays,
            n_pairs: int) -> None:
    """Walk `relative` against `allowed`: name -> None (a file), a dict (a folder of those),
    ANYTHING, an extension (a folder of numbered images, n_pairs of them) or (extension,
    count) for a folder of another count."""
    for entry in _entries(root / relative):
        name = f"{relative}/{entry.name}" if relative else entry.name
        want = allowed.get(entry.name, "")
        is_dir = entry.is_dir(follow_symlinks=False)
        if entry.name in allowed and want is None and not is_dir:
            continue
        if isinstance(want, dict) and is_dir:
            _folder(root, name, want, strays, n_pairs)
        elif want == ANYTHING and is_dir:
            _walk_temporary(Path(entry.path), name, strays)
        elif isinstance(want, str) and want.startswith(".") and is_dir:
            _images(Path(entry.path), name, want, n_pairs, strays)
        elif isinstance(want, tuple) and is_dir:
            _images(Path(entry.path), name, want[0], want[1], strays)
        else:
            _sort(entry, relative, strays)


def find_strays(root: Path, n_pairs: int, extension: str, passes: tuple[str, ...],
                view_files: dict[str, tuple[str, ...]], images: tuple[str, ...]) -> Strays:
    """Walk a pair dataset's folder: `passes` are the extra image folders it has (masks,
    depth), `extension` its images' ('.png', '.jpg'), `view_files` what each view (m1 ... mK)
    has beside images (layout.settings_latent_files), `images` its image views' folders."""
    views = view_entries(view_files)
    allowed: dict[str, object] = {
        MANIFEST: None, CONTACT_SHEET: None, LATENT_PLOT: None,
        FACTORS_DIR: {**{view: dict.fromkeys(n for n in files if n != SENTENCES)
                       for view, files in views.items()},
                    **dict.fromkeys(view_files.get(SHARED, ()))},
        SAMPLES_DIR: {view: extension if view in images else {SENTENCES: None}
                    for view in views}, SLURM: ANYTHING}
    for kind in passes:
        allowed[kind] = dict.fromkeys(images, ".png")
    strays = Strays()
    _folder(root, "", allowed, strays, n_pairs)
    return strays


def find_layout_strays(root: Path, allowed: dict[str, object], n_images: int) -> Strays:
    """Walk a dataset folder of another layout against `allowed` (see _folder); numbered
    images count up to n_images."""
    strays = Strays()
    _folder(root, "", allowed, strays, n_images)
    return strays
