"""Where a command may write a file it makes from a dataset: never inside that dataset (a
contact sheet named like one of its images, codes named like its latents would replace them)."""

from __future__ import annotations

import os
from pathlib import Path

from ...errors import SettingsError


def outside_dataset(out: str | os.PathLike[str], dataset: str | os.PathLike[str],
                    setting: str = "out") -> Path:
    """`out`, refused when it is the dataset folder or a path in it (symbolic links resolved,
    so a link into the dataset is refused too)."""
    target = Path(os.path.realpath(out))
    root = Path(os.path.realpath(dataset))
    if target == root or root in target.parents:
        raise SettingsError(setting, str(out), f"a path outside the dataset it reads ({dataset})")
    return Path(out)
