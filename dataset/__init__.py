"""Dataset files: the published layout, the manifest, the atomic writer, validation, and the
loaders (IdentBoxPairs, IdentBoxSequence, ExportedPairs). No bpy here.

The loaders are imported on first use: they import torch where it is installed, which takes
seconds, and every command line call goes through this package.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from ..errors import DatasetError
from ..jsonfile import UnreadableJSONError, read_json
from ..settings.kinds import kind_of_manifest
from ..settings.parts import as_loader
from .files.layout import MANIFEST, latent_paths
from .files.manifest import build_manifest, read_manifest, settings_from_manifest
from .loading.tokens import Vocabulary, tokenize
from .writing.writer import WriteResult, write_latents

_LOADERS = {"IdentBoxPairs": ".loading.loader", "IdentBoxSequence": ".loading.sequence_loader",
            "ExportedPairs": ".loading.export_readers"}


def open_dataset(root: str | Path, **options: Any) -> Any:
    """The loader of the dataset in `root`, whichever kind it is (its manifest says; the
    kinds table names the loader): IdentBoxPairs, IdentBoxSequence, or a registered kind's.
    `options` go to the loader."""
    try:
        manifest = read_json(Path(root) / MANIFEST)
    except UnreadableJSONError as error:
        raise DatasetError(f"{Path(root) / MANIFEST} {error}: not an IdentBox dataset") from None
    kind = kind_of_manifest(manifest if isinstance(manifest, dict) else {})
    if kind.loader is None:
        raise DatasetError(f"{root} holds a {kind.label} dataset, which has no loader here")
    return as_loader(kind.loader)(root, **options)


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
    "open_dataset",
    "read_manifest",
    "settings_from_manifest",
    "tokenize",
    "write_latents",
]
