"""The manifest: a dataset's settings serialised, plus what a reader needs to trust its files."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DatasetError
from ..model.constants import DEPTH_RANGE
from ..multi_settings import AnySettings, settings_from_dict
from ..presets import has_published_look
from ..sampling.factors import FACTORS
from ..settings import DatasetSettings
from ..version import __version__

FORMAT = "identbox-dataset/1"


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def build_manifest(settings: AnySettings, checksums: dict[str, str]) -> dict[str, Any]:
    """Manifest for a dataset sampled from `settings`, with the latent files' SHA-256."""
    if isinstance(settings, DatasetSettings):
        roles = settings.column_roles()
        columns = [{**f.describe(), "role": role} for f, role in zip(FACTORS, roles, strict=True)]
    else:
        columns = settings.columns()
    return {
        "format": FORMAT,
        "identbox_version": __version__,
        "numpy_version": np.__version__,
        "settings": settings.to_dict(),
        "published_look": has_published_look(settings),
        "columns": columns,
        "latents": {
            "shape": [settings.n_pairs, len(columns)],
            "dtype": "float64",
            "raw_latents": "raw values in [-1, 1]",
            "latents": "Blender units: blender_scale * raw",
            "object_pixels": "(pairs, objects, 2) float64: each object's centre in the image, "
                             "pixels x right, y down from the top-left, at the resolution",
            "masks": "masks/m1, masks/m2 (when settings.masks): 8-bit grey PNG, object i "
                     "(from 0) has value i + 1, background 0",
            "depth": f"depth/m1, depth/m2 (when settings.depth): 16-bit grey PNG, distance "
                     f"from the camera = value / 65535 * {DEPTH_RANGE} world units",
            "sha256": checksums,
        },
    }


def manifest_text(manifest: dict[str, Any]) -> str:
    """Stable JSON text (sorted keys), so equal manifests are equal bytes."""
    return json.dumps(manifest, indent=2, sort_keys=True) + "\n"


def read_manifest(path: Path, expected_format: str = FORMAT) -> dict[str, Any]:
    """A manifest file's content; DatasetError if it is not an IdentBox manifest of the
    expected format (a pair dataset's, unless told otherwise)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise DatasetError(f"{path} is not a readable IdentBox manifest ({error})") from None
    if not isinstance(data, dict) or data.get("format") != expected_format:
        found = data.get("format") if isinstance(data, dict) else None
        raise DatasetError(f"{path} is a {found!r} manifest; {expected_format!r} expected here")
    return data


def settings_from_manifest(manifest: dict[str, Any]) -> AnySettings:
    """The settings a manifest was written from (pairs or multi-object)."""
    return settings_from_dict(manifest["settings"])
