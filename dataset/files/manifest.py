"""The manifest: a dataset's settings serialised, plus what a reader needs to trust its files."""

from __future__ import annotations

import hashlib
import json
import math
import os
import stat
from pathlib import Path
from typing import Any, cast

import numpy as np
from numpy.lib import format as npy_format

from ...errors import DatasetError, SettingsError
from ...jsonfile import UnreadableJSONError, read_json
from ...model.constants import DEPTH_RANGE
from ...presets import has_published_look
from ...sampling.blocks import views_record
from ...sampling.intervened_pairs import pair_model
from ...sampling.rig import RIG_RULE
from ...settings.contract import KindSettings, PairKindSettings
from ...settings.kinds import PAIR_FORMAT, SEQUENCE_FORMAT, kind_of_manifest
from ...settings.rig import moves_camera, rig_blocks
from ...settings.text import text_columns
from ...settings.views import text_views, views_of
from ...version import __version__
from .layout import (
    MANIFEST,
    TWO_VIEWS,
    held_format,
    latent_paths,
    manifest_latent_files,
    manifest_views,
    view_names,
    view_numbers,
)

FORMAT = PAIR_FORMAT  # the pairs' layout's
# What each format's readers take from the manifest without looking first.
REQUIRED: dict[str, dict[str, type]] = {
    FORMAT: {"settings": dict, "columns": list, "latents": dict},
    "identbox-cube/1": {"settings": dict, "frames": int},
}


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def build_manifest(settings: PairKindSettings, checksums: dict[str, str]) -> dict[str, Any]:
    """Manifest for a dataset sampled from `settings`, with the latent files' SHA-256."""
    columns = settings.columns()
    data = settings.to_dict()
    # Only where a dataset has other than two views: two-view manifests keep their bytes.
    views: dict[str, Any] = ({"views": views_record(settings.n_views, views_of(settings))}
                             if "n_views" in data or "views" in data else {})
    for view in text_views(settings):  # the columns of each text view's words.npy
        text = views_of(settings)[view - 1].text
        assert text is not None
        views["views"]["list"][view - 1]["word_columns"] = list(text_columns(settings, text))
    folders = {kind: _view_folders(kind, data.get("n_views", TWO_VIEWS))
               for kind in ("masks", "depth")}
    intervention = settings.intervention
    if intervention is not None:  # only then: every other manifest keeps its bytes
        views["interventions"] = {**intervention.describe(),
                                  "mechanisms": pair_model(cast(Any, settings)).describe()}
    return {
        **views,
        "format": FORMAT,
        "identbox_version": __version__,
        "numpy_version": np.__version__,
        "settings": data,
        "published_look": has_published_look(settings),
        "columns": columns,
        "latents": {
            "shape": [settings.n_pairs, len(columns)],
            "dtype": "float64",
            "raw_latents": "raw values in [-1, 1]",
            "latents": "Blender units: blender_scale * raw",
            "object_pixels": "(pairs, objects, 2) float64: each object's centre in the image, "
                             "pixels x right, y down from the top-left, at the resolution",
            **({"camera_and_lighting": RIG_RULE} if rig_blocks(settings) else {}),
            **(CAMERA_NOTES if moves_camera(settings) else {}),
            **(TEXT_NOTES if text_views(settings) else {}),
            "masks": f"{folders['masks']} (when settings.masks): 8-bit grey PNG, object i "
                     "(from 0) has value i + 1, background 0",
            "depth": f"{folders['depth']} (when settings.depth): 16-bit grey PNG, distance "
                     f"from the camera = value / 65535 * {DEPTH_RANGE} world units",
            "sha256": checksums,
        },
    }


CAMERA_NOTES = {
    "intrinsics": "factors/mK/intrinsics.npy (pairs, 3, 3) float64: the view's camera matrix K "
                  "in pixels (OpenCV: x right, y down, origin the image's top-left corner)",
    "extrinsics": "factors/mK/extrinsics.npy (pairs, 4, 4) float64: world to camera (OpenCV "
                  "axes: x right, y down, z forward); pixel = K @ (E @ [p, 1])[:3], divided by "
                  "its third value. The camera is at -R^T t and aims at the world origin",
}


TEXT_NOTES = {
    "sentences": "samples/mK/sentences.txt (text views): UTF-8, one sentence per sample, in "
                 "sample order, describing view K's latents",
    "words": "factors/mK/words.npy (text views): (pairs, columns) int64, the values of the "
             "sentence's words (views.list[K-1].word_columns): a shape's index in object_types, "
             "a colour's palette (0 tableau, 1 css4, 2 xkcd) and its index in the sorted names "
             "of the three palettes, a position's grid row and column (0 top or left, of 3), "
             "the phrasing (the template's index)",
}


def _view_folders(kind: str, n_views: int) -> str:
    """'masks/m1, masks/m2' (the two-view manifests' words), or 'masks/m1 ... masks/m5'."""
    if n_views == TWO_VIEWS:
        return ", ".join(f"{kind}/{view}" for view in view_names(n_views))
    return f"{kind}/m1 ... {kind}/m{n_views}"


def manifest_text(manifest: dict[str, Any]) -> str:
    """Stable JSON text (sorted keys), so equal manifests are equal bytes."""
    return json.dumps(manifest, indent=2, sort_keys=True) + "\n"


def read_manifest(path: Path, expected_format: str = FORMAT) -> dict[str, Any]:
    """A manifest file's content; DatasetError if it is not an IdentBox manifest of the
    expected format (a pair dataset's, unless told otherwise)."""
    try:
        data = read_json(path)
    except UnreadableJSONError as error:
        raise DatasetError(f"{path} {error}: not a readable IdentBox manifest") from None
    if not isinstance(data, dict) or data.get("format") != expected_format:
        found = data.get("format") if isinstance(data, dict) else None
        raise DatasetError(f"{path} is a {found!r} manifest; {expected_format!r} expected here")
    problem = _structure_problem(data, expected_format)
    if problem:
        raise DatasetError(f"{path} {problem}: a damaged manifest; take it from a copy of the "
                           "dataset")
    return data


def _structure_problem(data: dict[str, Any], expected_format: str) -> str | None:
    """What is missing or malformed among the entries readers take without looking first."""
    for key, kind in REQUIRED.get(expected_format, {}).items():
        if not isinstance(data.get(key), kind):
            return f"has no {key!r} {kind.__name__}"
    if expected_format != FORMAT:
        return None
    columns, latents = data["columns"], data["latents"]
    if not all(isinstance(c, dict) and isinstance(c.get("name"), str)
               and isinstance(c.get("role"), str)
               and isinstance(c.get("blender_scale"), (int, float)) for c in columns):
        return "has a column without a name, role or blender_scale"
    shape = latents.get("shape")
    if not (isinstance(shape, list) and len(shape) == 2 and shape[1] == len(columns)
            and all(isinstance(n, int) and n > 0 for n in shape)):
        return f"has latents.shape {shape!r}, not [pairs, {len(columns)} columns]"
    sha256 = latents.get("sha256")
    if not (isinstance(sha256, dict) and all(isinstance(v, str) for v in sha256.values())):
        return "has no latents.sha256 table of checksums"
    views = data["settings"].get("n_views", TWO_VIEWS)
    if not (isinstance(views, int) and not isinstance(views, bool) and views >= TWO_VIEWS):
        return f"has settings.n_views {views!r}, not a number of views from 2"
    unlisted = [key for key in latent_paths(Path(), manifest_latent_files(data))
                if key not in sha256]
    if unlisted:
        return f"has no latents.sha256 entry for {unlisted[0]} (it has {views} views)"
    return None


def read_any_manifest(path: Path) -> dict[str, Any]:
    """A manifest of any registered kind (a pair dataset's, a sequence's, a cube's), read and
    checked as its own format; DatasetError as read_manifest's when it is none."""
    try:
        data = read_json(path)
        expected = kind_of_manifest(data).format if isinstance(data, dict) else FORMAT
    except (UnreadableJSONError, SettingsError):
        expected = FORMAT  # read_manifest says what is wrong
    return read_manifest(path, expected)


def settings_from_manifest(manifest: dict[str, Any]) -> KindSettings:
    """The settings a manifest was written from (any kind)."""
    kind = kind_of_manifest(manifest)
    values = {k: v for k, v in manifest["settings"].items() if k != "kind"}
    return kind.settings.from_dict(values)


def pair_settings_from_manifest(manifest: dict[str, Any]) -> PairKindSettings:
    """The settings a pair dataset's manifest was written from; DatasetError for another
    kind's manifest (a sequence's, a cube's)."""
    kind = kind_of_manifest(manifest)
    if not kind.pairs:
        raise DatasetError(f"a {kind.name} dataset, where a dataset of pairs was expected")
    return cast(PairKindSettings, settings_from_manifest(manifest))


def read_npy(path: Path | str, most_bytes: int | None = None) -> np.ndarray:
    """A .npy file, memory-mapped; DatasetError naming it when it is missing, not a regular
    file (a FIFO would block), unreadable, shorter than its header declares, or (most_bytes)
    declares more data than a caller that reads it all into memory should take."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO opens without a writer
    except FileNotFoundError:
        raise DatasetError(f"{path} is missing") from None
    except OSError as error:
        raise DatasetError(f"{path} is not a readable .npy file ({error.strerror})") from None
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise DatasetError(f"{path} is not a regular file: a .npy file expected")
    with os.fdopen(descriptor, "rb") as handle:
        shape, dtype, data_bytes = _npy_header(path, handle)
        held = os.fstat(descriptor).st_size - handle.tell()
    if data_bytes > held:
        raise DatasetError(f"{path} declares {dtype} {shape} ({data_bytes:,} bytes) but holds "
                           f"only {held:,} bytes: a cut-short file")
    if most_bytes is not None and data_bytes > most_bytes:
        raise DatasetError(f"{path} declares {dtype} {shape} ({data_bytes / 2**30:.1f} GiB): "
                           f"at most {most_bytes / 2**30:g} GiB is read here")
    try:
        return np.load(path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError, EOFError) as error:
        raise DatasetError(f"{path} is not a readable .npy file ({error})") from None


def _npy_header(path: Path | str, handle: Any) -> tuple[tuple[int, ...], np.dtype[Any], int]:
    """The shape, dtype and data size in bytes a .npy file's header declares."""
    readers = {(1, 0): npy_format.read_array_header_1_0, (2, 0): npy_format.read_array_header_2_0}
    try:
        version = npy_format.read_magic(handle)
        if version not in readers:
            raise ValueError(f"version {version} of the format, not 1.0 or 2.0")
        shape, _, dtype = readers[version](handle)
    except (ValueError, EOFError, OSError) as error:
        raise DatasetError(f"{path} is not a readable .npy file ({error})") from None
    return shape, dtype, math.prod(shape) * dtype.itemsize


def load_latent_file(root: Path, key: str, manifest: dict[str, Any]) -> np.ndarray:
    """factors/KEY (e.g. 'm1/raw_latents.npy'), memory-mapped, checked against the manifest's
    shape and dtype; DatasetError naming the file if it is missing, unreadable or different."""
    path = root / "factors" / key
    array = read_npy(path)
    n_pairs, width = manifest["latents"]["shape"]
    expected = (n_pairs, width) if "latents" in key else (n_pairs,)
    if array.dtype != np.float64 or array.shape[:len(expected)] != expected:
        said = f"{expected}" if len(expected) == 2 else f"({n_pairs}, ...)"
        raise DatasetError(f"{path} holds {array.dtype} {array.shape}; its manifest says float64 "
                           f"{said}: it does not belong to this dataset")
    return array


def drawn_manifest(root: Path, sequences: bool = False) -> dict[str, Any]:
    """A pair dataset's manifest (or a sequence's, when the caller draws those), for contact
    sheets, latent plots and evaluate; DatasetError for anything else (a cube dataset has no
    pairs)."""
    path = root / MANIFEST
    if not path.exists():
        raise DatasetError(f"{root} has no manifest.json: not an IdentBox dataset")
    found = held_format(root)
    if sequences and found == SEQUENCE_FORMAT:
        return read_manifest(path, SEQUENCE_FORMAT)
    if found not in (None, FORMAT):
        raise DatasetError(f"{root} holds a {found!r} dataset: " + (
            "contact sheets and latent plots show image pairs and sequences" if sequences
            else "this shows image pairs alone"))
    return read_manifest(path)


def is_sequence(manifest: dict[str, Any]) -> bool:
    """Whether a manifest drawn_manifest(root, sequences=True) read is a sequence's."""
    return bool(manifest.get("format") == SEQUENCE_FORMAT)


def raw_latents_by_view(root: Path, manifest: dict[str, Any]) -> dict[int, np.ndarray]:
    """Every view's raw latents, by view number."""
    return {v: load_latent_file(root, f"m{v}/raw_latents.npy", manifest)
            for v in view_numbers(manifest_views(manifest))}
