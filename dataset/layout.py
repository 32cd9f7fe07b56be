"""Where every file of a pair dataset lives (the published 3DIdentBox layout, reference
3dident.md section 6, with views m1 ... mK where a dataset has k > 2), and when a file counts as
complete: one place for the writer, the render loop, validate, the loader and the cluster
commands."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..jsonfile import UnreadableJSONError, read_json
from ..settings.objects import AnySettings
from ..settings.rig import moves_camera

MANIFEST = "manifest.json"
TWO_VIEWS = 2  # the published layout's, and any dataset's whose settings say no other number
LATENT_FILES = ("latents.npy", "raw_latents.npy", "object_pixels.npy")
CAMERA_FILES = ("intrinsics.npy", "extrinsics.npy")  # per view, where a camera block moves it
CONTACT_SHEET = "contact_sheet.png"  # what the panel's Contact Sheet and Plot Latents write
LATENT_PLOT = "latents.png"


def view_numbers(n_views: int) -> range:
    """The views of a dataset with `n_views`, as the renderer and the loop number them: 1..k."""
    return range(1, n_views + 1)


def view_names(n_views: int) -> tuple[str, ...]:
    """The views' folder names: 'm1', 'm2', ... 'mK'."""
    return tuple(f"m{view}" for view in view_numbers(n_views))


def settings_views(settings: object) -> int:
    """How many views the settings' dataset has (kinds without `n_views` have two)."""
    return int(getattr(settings, "n_views", TWO_VIEWS))


def manifest_views(manifest: dict[str, Any]) -> int:
    """How many views a manifest's dataset has (settings.n_views; written only when not 2)."""
    settings = manifest.get("settings")
    found = settings.get("n_views", TWO_VIEWS) if isinstance(settings, dict) else TWO_VIEWS
    return found if isinstance(found, int) and not isinstance(found, bool) else TWO_VIEWS


def factors_dir(root: Path, view: str) -> Path:
    """factors/m1, factors/m2, ..."""
    return root / "factors" / view


def samples_dir(root: Path, view: str) -> Path:
    """samples/m1, samples/m2, ... (images)."""
    return root / "samples" / view


def settings_latent_files(settings: object) -> tuple[str, ...]:
    """The files in factors/mK of a dataset with these settings: the latents, and each
    sample's camera matrices where a camera block moves the camera."""
    return LATENT_FILES + (CAMERA_FILES if moves_camera(settings) else ())


def manifest_latent_files(manifest: dict[str, Any]) -> tuple[str, ...]:
    """The files in factors/mK of the dataset a manifest describes."""
    settings = manifest.get("settings")
    blocks = settings.get("blocks") if isinstance(settings, dict) else None
    return LATENT_FILES + (CAMERA_FILES if isinstance(blocks, dict) and "camera" in blocks
                           else ())


def latent_paths(root: Path, n_views: int,
                 files: tuple[str, ...] = LATENT_FILES) -> dict[str, Path]:
    """Every view's latent files, keyed 'm1/latents.npy' and so on (the manifest's keys)."""
    return {f"{view}/{name}": factors_dir(root, view) / name
            for view in view_names(n_views) for name in files}


def held_format(root: Path) -> str | None:
    """The format of the dataset a folder holds ('identbox-dataset/1', 'identbox-cube/1'), or
    None when it holds no readable manifest."""
    try:
        data = read_json(root / MANIFEST)
    except UnreadableJSONError:
        return None
    found = data.get("format") if isinstance(data, dict) else None
    return found if isinstance(found, str) else None


# Image numbering, passes and completeness: what the writer, the render loop, validate and
# `slurm status` all mean by a pair's files.
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_END = b"IEND\xaeB`\x82"
JPEG_START = b"\xff\xd8"
JPEG_END = b"\xff\xd9"


PASS_FOLDERS = {"image": "samples", "mask": "masks", "depth": "depth"}


def pair_passes(settings: AnySettings) -> list[str]:
    """What each pair has: 'image', then 'mask' and 'depth' when the settings ask."""
    return ["image"] + [kind for kind, wanted in (("mask", getattr(settings, "masks", False)),
                                                  ("depth", getattr(settings, "depth", False)))
                        if wanted]


def pass_folder(root: Path, kind: str, view: int) -> Path:
    """samples/mV for images; masks/mV (object i has value i + 1, the rest 0) and depth/mV."""
    return root / PASS_FOLDERS[kind] / f"m{view}"


def pass_file_name(kind: str, index: int, extension: str) -> str:
    """000123.png: images in the dataset's format, masks and depth maps always PNG."""
    return f"{index:06d}{extension if kind == 'image' else '.png'}"


def image_path(root: Path, view: int, index: int, extension: str) -> Path:
    """samples/m1/000123.png and the like."""
    return pass_folder(root, "image", view) / pass_file_name("image", index, extension)


def pair_folders(root: Path, settings: AnySettings) -> list[Path]:
    """Every folder a pair dataset's files go into."""
    return [pass_folder(root, kind, view) for kind in pair_passes(settings)
            for view in view_numbers(settings_views(settings))]


def pair_paths(root: Path, settings: AnySettings, index: int) -> list[Path]:
    """Every file of one scene: every view's image, then their masks and depth maps if asked."""
    return [pass_folder(root, kind, view)
            / pass_file_name(kind, index, settings.render.extension)
            for kind in pair_passes(settings) for view in view_numbers(settings_views(settings))]


def pair_complete(root: Path, settings: AnySettings, index: int) -> bool:
    """Every file of the pair exists and is whole."""
    return all(is_complete_image(path) for path in pair_paths(root, settings, index))


def is_complete_image(path: Path) -> bool:
    """A PNG or JPEG file that starts and ends as a whole one does (a truncated file does not)."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(8)
            handle.seek(max(0, size - 8))
            tail = handle.read(8)
    except OSError:
        return False
    if head == PNG_SIGNATURE:
        return tail == PNG_END
    return head[:2] == JPEG_START and tail[-2:] == JPEG_END


def cube_image_folder(root: Path, size: int) -> Path:
    """images/<size>: a cube dataset's frames at one size."""
    return root / "images" / str(size)


def cube_image_path(root: Path, size: int, index: int, extension: str) -> Path:
    """images/<size>/000123.png: numbered from 0, like the label rows."""
    return cube_image_folder(root, size) / f"{index:06d}{extension}"
