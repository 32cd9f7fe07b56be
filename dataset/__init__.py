"""Dataset files: the published layout, the manifest, the atomic writer, validation, and the
loaders (IdentBoxPairs, IdentBoxSequence). No bpy here."""

from .export_readers import ExportedPairs
from .layout import MANIFEST, latent_paths
from .loader import IdentBoxPairs
from .manifest import build_manifest, read_manifest, settings_from_manifest
from .sequence_loader import IdentBoxSequence
from .tokens import Vocabulary, tokenize
from .writer import WriteResult, write_latents

__all__ = [
    "MANIFEST",
    "ExportedPairs",
    "IdentBoxPairs",
    "IdentBoxSequence",
    "Vocabulary",
    "WriteResult",
    "build_manifest",
    "latent_paths",
    "read_manifest",
    "settings_from_manifest",
    "tokenize",
    "write_latents",
]
