"""Validate's checks of pairs whose view 2 is drawn by an intervention
(settings/interventions.py): the stored targets and noise, every factor its mechanism given the
stored noise, and (counterfactual) every non-descendant of the targets unchanged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ...sampling.factors import FACTORS
from ...sampling.intervened_pairs import pair_model
from ...sampling.mechanisms import Interventions, compute
from ...settings.interventions import COUNTERFACTUAL
from ..files.layout import INTERVENTIONS, NOISE, factors_dir
from .checks import Check


def _names(columns: np.ndarray) -> str:
    return ", ".join(FACTORS[c].name for c in columns[:3]) or "none"


def intervention_checks(root: Path, settings: Any, raw: dict[int, np.ndarray]) -> list[Check]:
    """The checks of an intervened dataset's factors (raw: each view's raw latents)."""
    n, width = raw[1].shape
    targets = np.load(factors_dir(root, "") / INTERVENTIONS)
    noise = {v: np.load(factors_dir(root, f"m{v}") / NOISE) for v in (1, 2)}
    shapes = (targets.shape == (n, width) and targets.dtype == np.uint8
              and bool(np.isin(targets, (0, 1)).all())
              and all(a.shape == (n, width) and a.dtype == np.float64 for a in noise.values()))
    checks = [Check("interventions.npy is (pairs, factors) uint8 0/1 and noise.npy (pairs, "
                    "factors) float64", shapes, f"{targets.shape} {targets.dtype}")]
    if not shapes:
        return checks
    model, mask = pair_model(settings), targets.astype(bool)
    again = {1: compute(model, noise[1]),
             2: compute(model, noise[2], Interventions(mask, raw[2]))}
    off = [(v, np.flatnonzero((again[v] != raw[v]).any(axis=0))) for v in (1, 2)]
    wrong = [f"m{v}: {_names(columns)}" for v, columns in off if columns.size]
    checks.append(Check("every factor follows its mechanism given the stored noise (view 2: "
                        "the targets set to their values)", not wrong,
                        "; ".join(wrong) or "recomputed bit for bit"))
    if settings.intervention.mode == COUNTERFACTUAL:
        kept = ~model.descendants(mask)
        changed = np.flatnonzero(((raw[1] != raw[2]) & kept).any(axis=1))
        same_noise = np.array_equal(noise[1], noise[2])
        first = changed[0] if changed.size else 0
        detail = (f"{changed.size} pairs changed one (first: pair {first}, "
                  f"{_names(np.flatnonzero((raw[1][first] != raw[2][first]) & kept[first]))})"
                  if changed.size else "equal bit for bit")
        checks.append(Check("counterfactual: non-descendants of the targets are unchanged "
                             "across each pair, with the same noise",
                             not changed.size and same_noise,
                             detail if same_noise else "the views' noise differs"))
    return checks
