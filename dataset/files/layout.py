"""Where every file of a pair dataset lives (the published 3DIdentBox layout, reference
3dident.md section 6, with views m1 ... mK where a dataset has k > 2), and when a file counts as
complete: one place for the writer, the render loop, validate, the loader and the cluster
commands."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ...jsonfile import UnreadableJSONError, read_json
from ...settings.contract import PairKindSettings
from ...settings.rig import moves_camera
from ...settings.views import TEXT, image_views, text_views

MANIFEST = "manifest.json"
TWO_VIEWS = 2  # the published layout's, and any dataset's whose settings say no other number
FACTORS_DIR = "factors"  # factors/mK/: each view's files beside its images
SAMPLES_DIR = "samples"  # samples/mK/: each view's images (a text view's sentences)
LATENTS_NPY = "latents.npy"  # (pairs, columns) float64, Blender units
RAW_LATENTS_NPY = "raw_latents.npy"  # the same in [-1, 1]
OBJECT_PIXELS_NPY = "object_pixels.npy"  # (pairs, objects, 2): where each object's centre lands
INTRINSICS_NPY, EXTRINSICS_NPY = "intrinsics.npy", "extrinsics.npy"
WORDS_NPY = "words.npy"  # a text view's words' values
LATENT_FILES = (LATENTS_NPY, RAW_LATENTS_NPY, OBJECT_PIXELS_NPY)
CAMERA_FILES = (INTRINSICS_NPY, EXTRINSICS_NPY)  # per view, where a camera block moves it
SENTENCES = "sentences.txt"  # a text view's sentences: samples/mK/sentences.txt
TEXT_FILES = (WORDS_NPY, SENTENCES)  # per text view: the words' values, the sentences
NOISE = "noise.npy"  # per view, where an intervention draws view 2: the exogenous noise
INTERVENTIONS = "interventions.npy"  # factors/interventions.npy: each pair's targets
SHARED = ""  # the key of a latent-files table for files in factors/ itself, not in a view
CONTACT_SHEET = "contact_sheet.png"  # what the panel's Contact Sheet and Plot Latents write
LATENT_PLOT = "latents.png"


def view_numbers(n_views: int) -> range:
    """The views of a dataset with `n_views`, as the renderer and the loop number them: 1..k."""
    return range(1, n_views + 1)


def view_names(n_views: int) -> tuple[str, ...]:
    """The views' folder names: 'm1', 'm2', ... 'mK'."""
    return tuple(f"m{view}" for view in view_numbers(n_views))


def settings_views(settings: PairKindSettings) -> int:
    """How many views the settings' dataset has."""
    return settings.n_views


def manifest_views(manifest: dict[str, Any]) -> int:
    """How many views a manifest's dataset has (settings.n_views; written only when not 2)."""
    settings = manifest.get("settings")
    found = settings.get("n_views", TWO_VIEWS) if isinstance(settings, dict) else TWO_VIEWS
    return found if isinstance(found, int) and not isinstance(found, bool) else TWO_VIEWS


def factors_dir(root: Path, view: str) -> Path:
    """factors/m1, factors/m2, ..."""
    return root / FACTORS_DIR / view


def samples_dir(root: Path, view: str) -> Path:
    """samples/m1, samples/m2, ... (images)."""
    return root / SAMPLES_DIR / view


def _view_files(n_views: int, camera: bool, texts: tuple[int, ...],
                intervened: bool = False) -> dict[str, tuple[str, ...]]:
    base = LATENT_FILES + (CAMERA_FILES if camera else ()) + ((NOISE,) if intervened else ())
    files = {f"m{view}": base + (TEXT_FILES if view in texts else ())
             for view in view_numbers(n_views)}
    return files | ({SHARED: (INTERVENTIONS,)} if intervened else {})


def view_entries(files: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """The views' own entries of a latent-files table (m1 ... mK), without factors/'s own."""
    return {view: names for view, names in files.items() if view != SHARED}


def settings_latent_files(settings: PairKindSettings) -> dict[str, tuple[str, ...]]:
    """The files each view of a dataset with these settings has beside its images: latents,
    each sample's camera matrices where a camera block moves the camera, and a text view's
    words and sentences; where an intervention draws view 2, each view's exogenous noise and
    the pairs' targets (in factors/ itself, key SHARED)."""
    return _view_files(settings_views(settings), moves_camera(settings), text_views(settings),
                       settings.intervention is not None)


def manifest_latent_files(manifest: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    """The files each view of the dataset a manifest describes has beside its images."""
    settings = manifest.get("settings")
    settings = settings if isinstance(settings, dict) else {}
    blocks, views = settings.get("blocks"), settings.get("views")
    texts = tuple(k for k, view in enumerate(views if isinstance(views, list) else [], start=1)
                  if isinstance(view, dict) and view.get("modality") == TEXT)
    return _view_files(manifest_views(manifest), isinstance(blocks, dict) and "camera" in blocks,
                       texts, isinstance(settings.get("intervention"), dict))


def latent_paths(root: Path, files: dict[str, tuple[str, ...]]) -> dict[str, Path]:
    """Every view's files but its images, keyed 'm1/latents.npy' and so on (the manifest's
    keys): in factors/mK, but a text view's sentences in samples/mK, and the SHARED entry's
    files in factors/ itself (keyed by their names)."""
    return {f"{view}/{name}" if view != SHARED else name:
            (samples_dir if name == SENTENCES else factors_dir)(root, view) / name
            for view, names in files.items() for name in names}


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


def pair_passes(settings: PairKindSettings) -> list[str]:
    """What each pair has: 'image', then 'mask' and 'depth' when the settings ask."""
    return ["image"] + [kind for kind, wanted in (("mask", settings.masks),
                                                  ("depth", settings.depth)) if wanted]


def pass_folder(root: Path, kind: str, view: int) -> Path:
    """samples/mV for images; masks/mV (object i has value i + 1, the rest 0) and depth/mV."""
    return root / PASS_FOLDERS[kind] / f"m{view}"


def pass_file_name(kind: str, index: int, extension: str) -> str:
    """000123.png: images in the dataset's format, masks and depth maps always PNG."""
    return f"{index:06d}{extension if kind == 'image' else '.png'}"


def image_path(root: Path, view: int, index: int, extension: str) -> Path:
    """samples/m1/000123.png and the like."""
    return pass_folder(root, "image", view) / pass_file_name("image", index, extension)


def pair_folders(root: Path, settings: PairKindSettings) -> list[Path]:
    """Every folder a pair dataset's rendered files go into."""
    return [pass_folder(root, kind, view) for kind in pair_passes(settings)
            for view in image_views(settings)]


def pair_paths(root: Path, settings: PairKindSettings, index: int) -> list[Path]:
    """Every rendered file of one scene: every image view's image, then their masks and depth
    maps if asked (text views have no files per scene)."""
    return [pass_folder(root, kind, view)
            / pass_file_name(kind, index, settings.render.extension)
            for kind in pair_passes(settings) for view in image_views(settings)]


def pair_complete(root: Path, settings: PairKindSettings, index: int) -> bool:
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
