"""Dataset files: the published layout, the manifest, the atomic writer, validation, and the
loaders (IdentBoxPairs, IdentBoxSequence, ExportedPairs). No bpy here.

The loaders are imported on first use: they import torch where it is installed, which takes
seconds, and every command line call goes through this package.
"""

from __future__ import annotations

import importlib
from typing import Any

from .layout import MANIFEST, latent_paths
from .manifest import build_manifest, read_manifest, settings_from_manifest
from .tokens import Vocabulary, tokenize
from .writer import WriteResult, write_latents

_LOADERS = {"IdentBoxPairs": ".loader", "IdentBoxSequence": ".sequence_loader",
            "ExportedPairs": ".export_readers"}


def __getattr__(name: str) -> Any:
    """A loader class, its module imported now."""
    if name in _LOADERS:
        return getattr(importlib.import_module(_LOADERS[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

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
