"""Dataset files: the published layout, the manifest, and the atomic writer. No bpy here."""

from .layout import MANIFEST, latent_paths
from .manifest import build_manifest, read_manifest, settings_from_manifest
from .writer import WriteResult, write_latents

__all__ = [
    "MANIFEST",
    "WriteResult",
    "build_manifest",
    "latent_paths",
    "read_manifest",
    "settings_from_manifest",
    "write_latents",
]
