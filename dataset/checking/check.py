"""Validate a dataset of any kind: its manifest says which kind, the kind says what to check."""

from __future__ import annotations

from pathlib import Path

from ...errors import DatasetError
from ...settings.kinds import kind_of_manifest
from ...settings.parts import as_validate
from ..export.share_export import INDEX
from ..files.layout import MANIFEST, held_format
from ..files.manifest import read_manifest
from .checks import Check


def validate_dataset(root: Path | str, sample: int = 32) -> list[Check]:
    """Every check of the dataset in `root` (`sample` pairs or frames decoded)."""
    root = Path(root)
    if (root / INDEX).is_file():  # an export: webdataset shards or Parquet files
        from ..export.export_validate import validate_export  # imports the loader (and torch)

        return validate_export(root, sample)
    found = held_format(root)
    if found is None:
        raise DatasetError(f"{root} has no readable manifest.json: not an IdentBox dataset")
    kind = kind_of_manifest(read_manifest(root / MANIFEST, expected_format=found))
    checks: list[Check] = as_validate(kind.validate)(root, sample)
    return checks
