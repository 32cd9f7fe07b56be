"""Write a dataset's latents and manifest atomically, and never over a different dataset."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shlex
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast

import numpy as np

from ...errors import DatasetError
from ...model.camera import extrinsics, intrinsics, project_to_pixels
from ...sampling.intervened_pairs import sample_intervened
from ...sampling.sampler import LatentPairs
from ...sampling.text import Sentences, write_sentences
from ...settings.contract import PairKindSettings
from ...settings.objects import sample_pairs
from ...settings.rig import moves_camera
from ...settings.text import objects_words
from ...settings.views import views_of
from ..files.claims import folder_held
from ..files.footprint import check_footprint, described, probe
from ..files.layout import (
    CAMERA_FILES,
    EXTRINSICS_NPY,
    INTERVENTIONS,
    INTRINSICS_NPY,
    LATENTS_NPY,
    MANIFEST,
    NOISE,
    OBJECT_PIXELS_NPY,
    RAW_LATENTS_NPY,
    SENTENCES,
    SHARED,
    WORDS_NPY,
    factors_dir,
    latent_paths,
    manifest_latent_files,
    settings_latent_files,
    settings_views,
    view_names,
)
from ..files.manifest import build_manifest, file_sha256, manifest_text, read_manifest
from ..files.temporaries import removal_line, remove_abandoned, temporary_prefix


@dataclass(frozen=True)
class WriteResult:
    """What write_latents did: 'written', 'unchanged' when the same dataset was there, or
    'restored' when it wrote damaged latent files again from the manifest (`restored`); and the
    temporary files of stopped runs it removed (`removed`)."""

    root: Path
    status: str
    removed: tuple[Path, ...] = ()
    restored: tuple[Path, ...] = ()


Written = TypeVar("Written")

# What a run may find in its output folder before the manifest is there: what an interrupted
# run of a pair or cube dataset leaves (the manifest is written last), and the cluster scripts.
OWN_ENTRIES = frozenset({"factors", "samples", "masks", "depth", "images", "nodes", "slurm",
                         "labels.npy", "visible.npy", MANIFEST})


def unwritable_base(root: Path) -> Path | None:
    """The nearest existing path at or above `root` when the dataset cannot be made in it: a
    file, a folder this process may not write, or a file system with no storage (/proc, /sys);
    None when it can. Nothing is created to find out."""
    base = root.absolute()
    while not base.exists() and base != base.parent:
        base = base.parent
    try:
        if base.is_dir() and os.access(base, os.W_OK | os.X_OK) \
                and os.statvfs(base).f_blocks > 0:
            return None
    except OSError:
        pass
    return base


def check_output_folder(root: Path) -> None:
    """DatasetError for a folder no dataset should be written into: the file system's root,
    the home folder, one that cannot be written, or a folder that holds other things and no
    IdentBox manifest."""
    resolved = root.resolve()
    if resolved == resolved.parent or resolved == Path.home().resolve():
        what = "the file system root" if resolved == resolved.parent else "your home folder"
        raise DatasetError(f"{root} is {what}: choose a folder of its own for the dataset")
    base = unwritable_base(root)
    if base is not None:
        what = "a file" if base.is_file() else "not a folder you can write"
        raise DatasetError(f"{root} cannot be written ({base} is {what}): choose a folder you "
                           "can write")
    if not root.is_dir() or (root / MANIFEST).exists():
        return
    strangers = sorted(p.name for p in root.iterdir()
                       if p.name not in OWN_ENTRIES and not p.name.startswith("."))
    if strangers:
        shown = ", ".join(strangers[:3]) + (", ..." if len(strangers) > 3 else "")
        raise DatasetError(f"{root} is not empty and holds no IdentBox dataset ({shown}): "
                           "choose an empty or new folder")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write to a temporary file in the same folder, then rename: never a partial file. The
    file gets the permissions the umask gives new files (mkstemp's are 0600), so colleagues
    read the latents as they read the images."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=temporary_prefix(path), suffix=".tmp")
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as error:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(error, OSError) and not error.filename:  # a full disk names no file
            raise OSError(error.errno, error.strerror, str(path)) from None
        raise


def _npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def setting_differences(ours: Any, theirs: Any, prefix: str = "") -> list[str]:
    """Paths of the settings that differ between two plain settings tables, with both values."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        found: list[str] = []
        for key in sorted(set(ours) | set(theirs), key=str):
            path = f"{prefix}.{key}" if prefix else str(key)
            found += setting_differences(ours.get(key), theirs.get(key), path)
        return found
    if ours == theirs:
        return []
    return [f"{prefix or 'settings'}: {_brief(theirs)} there, {_brief(ours)} asked"]


# What names and describes a dataset without changing a file of it: a folder rendered before
# Add Preset renamed the settings is still theirs.
LABELS = ("name", "description")


def dataset_differences(ours: dict[str, Any], theirs: dict[str, Any]) -> list[str]:
    """setting_differences of two settings tables, but for their labels (LABELS)."""
    return setting_differences({k: v for k, v in ours.items() if k not in LABELS},
                               {k: v for k, v in theirs.items() if k not in LABELS})


def _brief(value: Any, most: int = 40) -> str:
    """A setting's value in a line: itself, or a long list's length."""
    text = repr(value)
    if len(text) <= most:
        return text
    if isinstance(value, (list, tuple)):
        return f"{len(value)} entries"
    return text[:most - 3] + "..."


def restore_command(root: Path) -> str:
    """The command that writes a dataset's latents again from its manifest (and resumes it)."""
    return (f"python -m identbox reproduce {shlex.quote(str(root / MANIFEST))} "
            f"--out {shlex.quote(str(root))}")


def matching_manifest(root: Path, settings: PairKindSettings) -> dict[str, Any] | None:
    """The manifest in `root` if it is for exactly these settings; None if there is none.
    Raises DatasetError if it is for other settings."""
    manifest_path = root / MANIFEST
    if not manifest_path.exists():
        return None
    manifest = read_manifest(manifest_path)
    differences = dataset_differences(settings.to_dict(), manifest.get("settings") or {})
    if differences:
        shown = "; ".join(differences[:4]) + ("; ..." if len(differences) > 4 else "")
        raise DatasetError(f"{root} already holds a different dataset ({shown}); choose another "
                           "output folder, or use its manifest.json as the preset")
    return manifest


def damaged_latents(root: Path, manifest: dict[str, Any]) -> list[Path]:
    """The latent files that are missing or differ from the SHA-256 the manifest records."""
    expected = manifest["latents"]["sha256"]
    return [path for key, path in latent_paths(root, manifest_latent_files(manifest)).items()
            if not path.exists() or file_sha256(path) != expected.get(key)]


def holds_dataset(root: Path, settings: PairKindSettings) -> bool:
    """True if `root` has a manifest for exactly these settings and intact latents; False if it
    has no manifest. Raises DatasetError if it holds a different or damaged dataset."""
    manifest = matching_manifest(root, settings)
    if manifest is None:
        return False
    damaged = damaged_latents(root, manifest)
    if damaged:
        raise DatasetError(f"{damaged[0]} is missing or does not match the SHA-256 in "
                           f"{root / MANIFEST}; write the latents again from the manifest "
                           f"(rendered images are kept): {restore_command(root)}")
    return True


def object_pixels(settings: PairKindSettings, latents: np.ndarray) -> np.ndarray:
    """(pairs, objects, 2): where each object's centre lands in the image of its view's camera,
    in pixels (x right, y down, from the top-left corner) at the render resolution."""
    centres = settings.object_centres(latents)
    rows, n_objects = centres.shape[:2]
    cameras = None  # the published camera, computed as it always was (the same bytes)
    if moves_camera(settings):
        cameras = settings.camera_poses(latents).take(np.repeat(np.arange(rows), n_objects))
    pixels = project_to_pixels(centres.reshape(-1, 3), settings.render.resolution, cameras)
    return pixels.reshape(rows, n_objects, 2)


def camera_arrays(settings: PairKindSettings, latents: np.ndarray) -> dict[str, np.ndarray]:
    """Each sample's camera in one view: intrinsics.npy (pairs, 3, 3) and extrinsics.npy
    (pairs, 4, 4), for datasets whose camera moves (see dataset/manifest.py for the
    conventions)."""
    if not moves_camera(settings):
        return {}
    poses = settings.camera_poses(latents)
    return {INTRINSICS_NPY: intrinsics(settings.render.resolution, len(poses)),
            EXTRINSICS_NPY: extrinsics(poses)}


def latent_blobs(settings: PairKindSettings,
                 sample: Callable[[Any], LatentPairs] = sample_pairs) -> dict[str, bytes]:
    """The bytes of every file the layout lists beside the images (files/layout.py's
    settings_latent_files: the one list), keyed like the manifest's checksums."""
    views = sample(settings)
    shared = intervention_arrays(settings)
    blobs: dict[str, bytes] = {}
    for view, names in settings_latent_files(settings).items():
        if view == SHARED:  # files in factors/ itself
            blobs |= {name: _npy_bytes(shared[name]) for name in names}
            continue
        number = int(view[1:])
        latents = views.latents(number)
        # Arrays made together, once per view: both camera matrices from one set of poses.
        ready = camera_arrays(settings, latents) if any(n in CAMERA_FILES for n in names) else {}
        if NOISE in names:
            ready[NOISE] = shared[f"{view}/{NOISE}"]
        for name in names:
            blobs[f"{view}/{name}"] = _view_file(settings, views, latents, ready, number, name)
    return blobs


def _view_file(settings: PairKindSettings, views: LatentPairs, latents: np.ndarray,
               ready: dict[str, np.ndarray], number: int, name: str) -> bytes:
    """The bytes of one file of view `number` (Blender-unit `latents`); `ready` holds the
    arrays made for the whole view already (camera matrices, the intervention's noise)."""
    if name in ready:
        return _npy_bytes(ready[name])
    if name == SENTENCES:
        return sentences_text(settings, latents, number)
    if name == LATENTS_NPY:
        array = latents
    elif name == RAW_LATENTS_NPY:
        array = views.raw(number)
    elif name == OBJECT_PIXELS_NPY:
        array = object_pixels(settings, latents)
    elif name == WORDS_NPY:
        array = text_of(settings, latents, number).values
    else:
        raise KeyError(f"the layout lists m{number}/{name}, which no writer makes")
    return _npy_bytes(array)


def intervention_arrays(settings: PairKindSettings) -> dict[str, np.ndarray]:
    """Where an intervention draws view 2: each view's exogenous noise (mK/noise.npy) and the
    pairs' targets (interventions.npy, in factors/ itself)."""
    if settings.intervention is None:
        return {}
    pairs = sample_intervened(cast(Any, settings))  # only pairs settings have an intervention
    return {f"m1/{NOISE}": pairs.noise1, f"m2/{NOISE}": pairs.noise2,
            INTERVENTIONS: pairs.targets}


def text_of(settings: PairKindSettings, latents: np.ndarray, view: int) -> Sentences:
    """The sentences of text view `view` (from 1) and the values of their words."""
    text = views_of(settings)[view - 1].text
    assert text is not None, f"view {view} is not a text view"
    return write_sentences(objects_words(settings, latents, text), text.describe,
                           text.templates, settings.seed, view, text.order)


def sentences_text(settings: PairKindSettings, latents: np.ndarray, view: int) -> bytes:
    """samples/mK/sentences.txt: UTF-8, one sentence a line, in sample order."""
    return "".join(line + "\n" for line in text_of(settings, latents, view).lines).encode("utf-8")


def recorded_latents(settings: PairKindSettings, manifest: dict[str, Any], where: Path,
                     sample: Callable[[Any], LatentPairs] = sample_pairs,
                     advice: str = "nothing was written") -> dict[str, bytes]:
    """The latent files' bytes sampled from `settings`, when they are the ones the manifest
    at `where` records (its SHA-256); DatasetError naming the first that differs otherwise: the
    manifest was edited by hand (another seed), or another numpy draws other numbers."""
    check_footprint(where.parent, probe(settings.n_pairs, lambda k: sum(
        len(blob) for blob in latent_blobs(settings.replace(n_pairs=k), sample).values())),
        described(settings))
    blobs = latent_blobs(settings, sample)
    expected = manifest["latents"]["sha256"]
    for key, blob in blobs.items():
        if hashlib.sha256(blob).hexdigest() != expected.get(key):
            raise DatasetError(
                f"sampling the settings of {where} again gives other {key} than it records: "
                f"its settings were edited, or numpy draws otherwise (it was written with numpy "
                f"{manifest.get('numpy_version')}, this is {np.__version__}); {advice}")
    return blobs


def restore_latents(root: Path, settings: PairKindSettings,
                    sample: Callable[[Any], LatentPairs] = sample_pairs) -> list[Path] | None:
    """Write the missing or damaged latent files again, sampled from the manifest's settings,
    once their bytes match the manifest's SHA-256 (the images stay valid). Returns what was
    written, or None when there is no manifest."""
    manifest = matching_manifest(root, settings)
    if manifest is None:
        return None
    damaged = damaged_latents(root, manifest)
    if not damaged:
        return []
    blobs = recorded_latents(settings, manifest, root / MANIFEST, sample,
                             f"restore {damaged[0]} from a copy")
    paths = latent_paths(root, settings_latent_files(settings))
    for key, path in paths.items():
        if path in damaged:
            atomic_write_bytes(path, blobs[key])
    return damaged


def write_latents(settings: PairKindSettings, root: Path | str,
                  sample: Callable[[Any], LatentPairs] = sample_pairs,
                  extra: dict[str, Any] | None = None, restore: bool = False) -> WriteResult:
    """Sample the latents once and write every view's factors/mV/{latents,raw_latents,
    object_pixels}.npy and the manifest (last, so its presence means the latents are complete).
    With `restore`, damaged latents of the same dataset are written again from the manifest
    instead of refused.

    Latent files left without a manifest (an interrupted run, or another shard writing at the
    same moment) are kept if they hold exactly these latents, and refused otherwise. Temporary
    files of stopped runs are removed once the folder is known to be this dataset's.
    """
    root, views = Path(root), settings_views(settings)
    if restore:
        restored = restore_latents(root, settings, sample)
        if restored:
            return WriteResult(root, "restored", _remove_abandoned(root, views), tuple(restored))
    if holds_dataset(root, settings):
        return WriteResult(root, "unchanged", _remove_abandoned(root, views))
    check_output_folder(root)
    if root.exists() and not root.is_dir():
        raise DatasetError(f"{root} exists and is not a folder")
    return in_held_folder(root, lambda: _write_new_latents(settings, root, sample, extra))


def in_held_folder(root: Path, write: Callable[[], Written]) -> Written:
    """write() with `root` made and held (claims.folder_held): another run writing a dataset
    there finishes first. Folders made here go again if the write fails and leaves them empty."""
    made = missing_folders([root])
    root.mkdir(parents=True, exist_ok=True)
    try:
        with folder_held(root):
            return write()
    except BaseException:
        remove_partial([], made)
        raise


def _write_new_latents(settings: PairKindSettings, root: Path, sample: Callable[[Any], LatentPairs],
                       extra: dict[str, Any] | None) -> WriteResult:
    """write_latents in a folder this process holds: looked at again, as another run may
    have written its dataset there while this one waited."""
    views = settings_views(settings)
    if holds_dataset(root, settings):
        return WriteResult(root, "unchanged", _remove_abandoned(root, views))
    check_output_folder(root)
    paths = latent_paths(root, settings_latent_files(settings))
    if (root / "samples").exists() and not all(path.exists() for path in paths.values()):
        if holds_dataset(root, settings):  # another process wrote it a moment ago
            return WriteResult(root, "unchanged", _remove_abandoned(root, views))
        raise DatasetError(f"{root} holds samples/ but no {MANIFEST}: not an IdentBox dataset "
                           "this run can add to; choose another output folder")
    check_footprint(root, probe(settings.n_pairs, lambda k: sum(
        len(blob) for blob in latent_blobs(settings.replace(n_pairs=k), sample).values())),
        described(settings))
    blobs = latent_blobs(settings, sample)
    for key, path in paths.items():
        if path.exists() and path.read_bytes() != blobs[key]:
            raise DatasetError(f"{root} holds {path.relative_to(root)} with other latents and no "
                               f"{MANIFEST}; choose another output folder")
    new_folders = missing_folders([path.parent for path in paths.values()])
    removed = _remove_abandoned(root, views)
    written: list[Path] = []
    try:
        for key, path in paths.items():
            if not path.exists():
                atomic_write_bytes(path, blobs[key])
                written.append(path)
        checksums = {key: hashlib.sha256(blob).hexdigest() for key, blob in blobs.items()}
        manifest = {**build_manifest(settings, checksums), **(extra or {})}
        atomic_write_bytes(root / MANIFEST, manifest_text(manifest).encode("utf-8"))
    except BaseException:
        remove_partial(written, new_folders)
        raise
    return WriteResult(root, "written", removed)


def sample_latents(settings: PairKindSettings, root: Path | str,
                   extra: dict[str, Any] | None = None) -> str:
    """The kinds table's `sample` part for pair kinds: write the latents and manifest (or find
    them there) and say so: a line, after one naming temporary files removed."""
    result = write_latents(settings, root, extra=extra)
    removal = removal_line(result.removed, result.root)
    said = (f"already holds these latents ({settings.n_pairs} pairs, seed {settings.seed}); "
            "nothing written" if result.status == "unchanged" else
            f"wrote latents of {settings.n_pairs} pairs ({settings.name}, seed "
            f"{settings.seed}) and manifest.json")
    return f"{removal}\n{said}" if removal else said


def _remove_abandoned(root: Path, n_views: int) -> tuple[Path, ...]:
    """Temporary files of stopped runs in the dataset's own folders (see temporaries.py)."""
    folders = [factors_dir(root, view) for view in view_names(n_views)]
    return tuple(remove_abandoned([root, *folders]))


def missing_folders(folders: list[Path]) -> list[Path]:
    """The folders that writing into `folders` will create: each one and its ancestors that do
    not exist yet (what a failed write must take away again)."""
    missing: set[Path] = set()
    for folder in folders:
        for candidate in (folder, *folder.parents):
            if candidate.exists():
                break
            missing.add(candidate)
    return sorted(missing, key=lambda p: len(p.parts), reverse=True)


def remove_partial(written: list[Path], new_folders: list[Path]) -> None:
    """Undo a failed write: its files, then the folders it created, deepest first, if empty."""
    for path in written:
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)
    for folder in new_folders:
        with contextlib.suppress(OSError):  # not empty: something else lives there now
            folder.rmdir()


def write_frames_dataset(root: Path | str, settings: Any, manifest_format: str, kind: str,
                         images: str, arrays: Callable[[], dict[str, np.ndarray]],
                         manifest: Callable[[dict[str, str], int], dict[str, Any]],
                         frames: Callable[[dict[str, np.ndarray]], int]) -> tuple[Path, int, bool]:
    """Write the arrays of a dataset of frames (cube, sequence) and its manifest (last), the
    way both kinds do. Returns (root, frames, written); the same dataset already there is
    kept, a different one, or images without a manifest, are refused; a failed write takes
    away what it wrote."""
    root = Path(root)
    if not root.is_dir():
        check_output_folder(root)
    return in_held_folder(root, lambda: _write_frames(root, settings, manifest_format, kind,
                                                      images, arrays, manifest, frames))


def _write_frames(root: Path, settings: Any, manifest_format: str, kind: str, images: str,
                  arrays: Callable[[], dict[str, np.ndarray]],
                  manifest: Callable[[dict[str, str], int], dict[str, Any]],
                  frames: Callable[[dict[str, np.ndarray]], int]) -> tuple[Path, int, bool]:
    """write_frames_dataset in a folder this process holds."""
    manifest_path = root / MANIFEST
    if manifest_path.exists():
        held = read_manifest(manifest_path, manifest_format)
        differences = dataset_differences(settings.to_dict(), held.get("settings") or {})
        if differences:
            raise DatasetError(f"{root} already holds a different {kind} dataset ("
                               + "; ".join(differences[:4]) + "); choose another output folder")
        return root, int(held["frames"]), False
    if (root / images).exists():
        raise DatasetError(f"{root} holds {images}/ but no {MANIFEST}; choose another folder")
    check_output_folder(root)
    blobs = arrays()
    new_folders = missing_folders([(root / relative).parent for relative in blobs])
    checksums: dict[str, str] = {}
    written: list[Path] = []
    try:
        for relative, array in blobs.items():
            blob = _npy_bytes(array)
            atomic_write_bytes(root / relative, blob)
            written.append(root / relative)
            checksums[relative] = hashlib.sha256(blob).hexdigest()
        count = frames(blobs)
        atomic_write_bytes(manifest_path,
                           manifest_text(manifest(checksums, count)).encode("utf-8"))
    except BaseException:
        remove_partial(written, new_folders)
        raise
    return root, count, True
