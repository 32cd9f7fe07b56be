"""Train/val/test splits: one dataset per split, each with its own seed derived from the
job's seed and the split's position, so splits never share latents and the same command
always makes the same splits (the published layout: 250,000 / 10,000 / 10,000)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..errors import SettingsError
from .contract import KindSettings
from .kinds import kind_of
from .pairs import N_PAIRS, SEED


def parse_splits(text: str) -> list[tuple[str, int]]:
    """'train=250000,val=10000,test=10000' -> [('train', 250000), ...]."""
    splits = []
    for part in text.split(","):
        name, _, size = part.partition("=")
        name = name.strip()
        if not name.isidentifier() or not size.strip().isdigit():
            raise SettingsError("splits", text, "name=pairs pairs separated by commas, "
                                "e.g. train=250000,val=10000,test=10000")
        N_PAIRS.check(int(size))
        splits.append((name, int(size)))
    if len({name for name, _ in splits}) != len(splits):
        raise SettingsError("splits", text, "each split name once")
    return splits


def split_seed(seed: int, index: int) -> int:
    """The seed of split number `index` (independent streams, in the seed's range)."""
    state = np.random.SeedSequence(seed, spawn_key=(1000 + index,)).generate_state(1)[0]
    return int(state) % (int(SEED.maximum) + 1)


def split_jobs(settings: KindSettings, root: Path, splits: list[tuple[str, int]]
               ) -> list[tuple[KindSettings, Path, dict[str, Any]]]:
    """(settings, folder, manifest entry) of every split."""
    if not kind_of(settings).pairs:
        raise SettingsError("splits", ",".join(f"{n}={k}" for n, k in splits),
                            "no --splits for a dataset of frames: render each split with its "
                            "own --seed and --out (README: Temporal Causal3DIdent)")
    record = {name: size for name, size in splits}
    return [(settings.replace(n_pairs=size, seed=split_seed(settings.seed, k)), root / name,
             {"split": {"name": name, "index": k, "parent_seed": settings.seed,
                        "splits": record}})
            for k, (name, size) in enumerate(splits)]
