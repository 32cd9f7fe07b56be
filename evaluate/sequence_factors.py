"""The factors of a sequence (Temporal Causal3DIdent) to score a representation against: the
causal variables of its frames, or of its independent frames (CITRIS scores those), each in
its causal group. An angle is scored as (cos, sin), so that 0 and 2 pi are one value and a
representation that holds the angle is not marked down where it wraps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..dataset.files.manifest import read_npy
from ..dataset.sheets.sequence_sheet import group_label
from ..dataset.writing.sequence_writer import INDEPENDENT_LATENTS, LATENTS
from ..errors import DatasetError, SettingsError
from .report import Factor

CAUSAL = "causal"  # the block type of every variable of a sequence
PARTS = {"frames": LATENTS, "independent": INDEPENDENT_LATENTS}


def part_file(root: Path, manifest: dict[str, Any], part: str) -> Path:
    """The latents file of `part`; SettingsError in one line for an unknown or empty part."""
    if part not in PARTS:
        raise SettingsError("part", part, "one of " + ", ".join(PARTS))
    if part == "independent" and not manifest.get("independent_frames"):
        raise SettingsError("part", part, "frames: this sequence has no independent frames "
                                          "(render it with --n-independent N)")
    return root / PARTS[part]


def sequence_factors(root: Path, manifest: dict[str, Any],
                     part: str = "frames") -> tuple[list[Factor], list[str]]:
    """The variables of `part` that vary, in their causal groups (an angle's values are (N, 2):
    cos and sin), and the names of those that do not (rot_gamma; a one-shape sequence's
    shape)."""
    path = part_file(root, manifest, part)
    latents = read_npy(path)
    columns = list(manifest["columns"])
    if latents.ndim != 2 or latents.shape[1] != len(columns):
        raise DatasetError(f"{path} holds {latents.shape}; its manifest names {len(columns)} "
                           "columns: it does not belong to this dataset")
    groups = {name: group_label(group) for group in manifest["model"]["groups"]
              for name in group}
    kinds = {variable["name"]: variable["kind"] for variable in manifest["model"]["variables"]}
    found, skipped = [], []
    for k, name in enumerate(columns):
        values = np.asarray(latents[:, k], dtype=np.float64)
        if name not in groups or np.ptp(values) == 0:
            skipped.append(name)
            continue
        if kinds.get(name) == "angle":
            values = np.stack([np.cos(values), np.sin(values)], axis=1)
        found.append(Factor(name, groups[name], CAUSAL, values, kinds.get(name) == "categorical"))
    return found, skipped
