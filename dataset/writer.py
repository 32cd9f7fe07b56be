"""Write a dataset's latents and manifest atomically, and never over a different dataset."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import DatasetError
from ..sampling.sampler import LatentPairs, sample_latents
from ..settings import DatasetSettings
from .layout import MANIFEST, latent_paths
from .manifest import build_manifest, file_sha256, manifest_text, read_manifest


@dataclass(frozen=True)
class WriteResult:
    """What write_latents did: 'written', or 'unchanged' when the same dataset was there."""

    root: Path
    status: str


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write to a temporary file in the same folder, then rename: never a partial file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def check_target(root: Path, settings: DatasetSettings) -> bool:
    """True if `root` already holds exactly this dataset's latents; False if it is free to write.

    Raises DatasetError if it holds a different dataset, or dataset files without a manifest.
    """
    manifest_path = root / MANIFEST
    if manifest_path.exists():
        manifest = read_manifest(manifest_path)
        theirs = manifest.get("settings") or {}
        if theirs != settings.to_dict():
            raise DatasetError(
                f"{root} already holds a different dataset ({theirs.get('name')!r}, "
                f"{theirs.get('n_pairs')} pairs, seed {theirs.get('seed')}); "
                "choose another output folder or delete it")
        expected = manifest["latents"]["sha256"]
        for key, path in latent_paths(root).items():
            if not path.exists() or file_sha256(path) != expected.get(key):
                raise DatasetError(f"{path} is missing or does not match {manifest_path}; "
                                   "delete the folder and sample again")
        return True
    if root.exists() and not root.is_dir():
        raise DatasetError(f"{root} exists and is not a folder")
    for part in ("factors", "samples"):
        if (root / part).exists():
            raise DatasetError(f"{root} holds {part}/ but no {MANIFEST}: not an IdentBox dataset "
                               "this run can add to; choose another output folder")
    return False


def write_latents(settings: DatasetSettings, root: Path | str,
                  sample: Callable[[DatasetSettings], LatentPairs] = sample_latents) -> WriteResult:
    """Sample the latents once and write factors/m{1,2}/{latents,raw_latents}.npy and the
    manifest (last, so its presence means the latents are complete)."""
    root = Path(root)
    if check_target(root, settings):
        return WriteResult(root, "unchanged")
    pairs = sample(settings)
    arrays = {"m1/latents.npy": pairs.latents1, "m1/raw_latents.npy": pairs.raw1,
              "m2/latents.npy": pairs.latents2, "m2/raw_latents.npy": pairs.raw2}
    created_root = not root.exists()
    written: list[Path] = []
    try:
        checksums = {}
        for key, path in latent_paths(root).items():
            data = _npy_bytes(arrays[key])
            atomic_write_bytes(path, data)
            written.append(path)
            checksums[key] = hashlib.sha256(data).hexdigest()
        manifest = build_manifest(settings, checksums)
        atomic_write_bytes(root / MANIFEST, manifest_text(manifest).encode("utf-8"))
    except BaseException:
        _remove_partial(root, written, created_root)
        raise
    return WriteResult(root, "written")


def _remove_partial(root: Path, written: list[Path], created_root: bool) -> None:
    """Undo a failed write: its files, then the folders it left empty."""
    for path in written:
        path.unlink(missing_ok=True)
    folders = {p.parent for p in written} | {root / "factors"}
    if created_root:
        folders.add(root)
    for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        with contextlib.suppress(OSError):  # not empty: something else lives there
            folder.rmdir()
