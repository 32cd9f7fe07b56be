"""Paths of the published 3DIdentBox dataset layout (reference 3dident.md section 6)."""

from __future__ import annotations

from pathlib import Path

from ..jsonfile import UnreadableJSONError, read_json

MANIFEST = "manifest.json"
VIEWS = ("m1", "m2")
LATENT_FILES = ("latents.npy", "raw_latents.npy", "object_pixels.npy")
CONTACT_SHEET = "contact_sheet.png"  # what the panel's Contact Sheet and Plot Latents write
LATENT_PLOT = "latents.png"


def factors_dir(root: Path, view: str) -> Path:
    """factors/m1 or factors/m2."""
    return root / "factors" / view


def samples_dir(root: Path, view: str) -> Path:
    """samples/m1 or samples/m2 (images)."""
    return root / "samples" / view


def latent_paths(root: Path) -> dict[str, Path]:
    """The four latent files, keyed 'm1/latents.npy' and so on (the manifest's keys)."""
    return {f"{view}/{name}": factors_dir(root, view) / name
            for view in VIEWS for name in LATENT_FILES}


def held_format(root: Path) -> str | None:
    """The format of the dataset a folder holds ('identbox-dataset/1', 'identbox-cube/1'), or
    None when it holds no readable manifest."""
    try:
        data = read_json(root / MANIFEST)
    except UnreadableJSONError:
        return None
    found = data.get("format") if isinstance(data, dict) else None
    return found if isinstance(found, str) else None
