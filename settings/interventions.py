"""The `intervention` option of one-object pairs: view 2 is view 1 after do(targets := values).

View 1 is drawn from the causal model of the settings' edges (sampling/mechanisms.py
`edge_model`, each root from its block's marginal) and stores its exogenous noise. Per pair a
set of targets is drawn (one group, each group with probability p, or every listed group), each
target takes a value uniform over its raw range [-1, 1] (as the CITRIS reference intervenes,
whatever the block's marginal), and view 2 is computed:
- counterfactual: with view 1's noise, so every non-descendant of the targets is bit-identical
  and the descendants follow their mechanisms;
- interventional: with noise drawn anew, so every non-target is a fresh draw of its mechanism.
The intervention replaces the block rules: every block must be `content` (view 1 is drawn
whole, and nothing changes across the pair that the intervention does not change).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import SettingsError
from ..limits import Choice, Limit, reject_unknown_keys
from ..sampling.factors import FACTORS

COUNTERFACTUAL = "counterfactual"
INTERVENTIONAL = "interventional"
MODE = Choice("mode", "Mode",
              "counterfactual: view 2 keeps view 1's exogenous noise (non-descendants of the "
              "targets equal); interventional: view 2's noise is drawn anew",
              (COUNTERFACTUAL, INTERVENTIONAL))
SINGLE, RANDOM, FIXED = "single", "random", "fixed"
TARGETS = Choice("targets", "Targets",
                 "single: one group per pair, chosen uniformly; random: each group with "
                 "probability p; fixed: every listed group in every pair", (SINGLE, RANDOM, FIXED))
PROBABILITY = Limit("probability", "Probability",
                    "random targets: the probability that a group is a target in a pair",
                    0.5, 0.0, 1.0)
VALUES = "uniform"  # a target's value: uniform over its raw range [-1, 1]
# The columns an intervention may target: every factor that is not a constant (rot_beta).
INTERVENABLE: tuple[str, ...] = tuple(f.name for f in FACTORS if f.block is not None)


@dataclass(frozen=True)
class InterventionSettings:
    """How view 2 is intervened on: the mode, how targets are drawn, and the groups of factors
    targeted together (empty: each factor alone)."""

    mode: str = COUNTERFACTUAL
    targets: str = SINGLE
    probability: float = PROBABILITY.default
    groups: tuple[tuple[str, ...], ...] = ()

    def __post_init__(self) -> None:
        MODE.check(self.mode)
        TARGETS.check(self.targets)
        PROBABILITY.check(self.probability)
        if not isinstance(self.groups, (list, tuple)):
            raise SettingsError("groups", self.groups, "a list of lists of factor names")
        groups = tuple(tuple(g) if isinstance(g, (list, tuple)) else g for g in self.groups)
        seen: set[str] = set()
        for k, group in enumerate(groups):
            if not isinstance(group, tuple) or not group:
                raise SettingsError(f"groups[{k}]", group, "a non-empty list of factor names")
            for name in group:
                if name not in INTERVENABLE:
                    raise SettingsError(f"groups[{k}]", list(group),
                                        "names of factors: " + ", ".join(INTERVENABLE))
                if name in seen:
                    raise SettingsError(f"groups[{k}]", list(group),
                                        f"groups that do not share a factor ({name} twice)")
                seen.add(name)
        if self.targets == FIXED and not groups:
            raise SettingsError("groups", [], "the groups every pair targets (targets = fixed)")
        object.__setattr__(self, "groups", groups)

    @property
    def target_groups(self) -> tuple[tuple[str, ...], ...]:
        """The groups targets are drawn over: the listed ones, or each factor alone."""
        return self.groups or tuple((name,) for name in INTERVENABLE)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> InterventionSettings:
        """From plain data (a preset or manifest entry)."""
        reject_unknown_keys(data, tuple(f.name for f in dataclasses.fields(cls)))
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        """Plain data, every field written out."""
        return {"mode": self.mode, "targets": self.targets, "probability": self.probability,
                "groups": [list(g) for g in self.groups]}

    def describe(self) -> dict[str, Any]:
        """The manifest's record: what the targets and the mode mean."""
        return {
            "mode": self.mode,
            "file": "factors/interventions.npy (pairs, factors) uint8: 1 where the factor (a "
                    "column of latents.npy) was a target of do() in the pair's view 2, else 0",
            "noise": "factors/mK/noise.npy (pairs, factors) float64: view K's exogenous noise, "
                     "a uniform u in [0, 1) per factor that its mechanism (mechanisms) turns "
                     "into the value through an inverse CDF",
            "rule": ("view 2 = view 1 after do(targets := values) with view 1's noise: every "
                     "non-descendant of the targets is bit-identical, descendants follow their "
                     "mechanisms" if self.mode == COUNTERFACTUAL else
                     "view 2 = a new draw of the model (noise drawn anew) under do(targets := "
                     "values); view 1 is the model's draw without interventions"),
            "targets": {SINGLE: "one group per pair, chosen uniformly",
                        RANDOM: f"each group independently with probability {self.probability}",
                        FIXED: "every group in every pair"}[self.targets],
            "groups": [list(g) for g in self.target_groups],
            "values": "uniform over the factor's raw range [-1, 1], whatever its parents and "
                      "its block's marginal",
            "columns_role": "the columns' role is 'intervened': the block rules do not apply",
        }


def intervention_from_data(data: Any) -> InterventionSettings:
    """The settings' `intervention` table, errors naming intervention.<setting>."""
    if not isinstance(data, Mapping):
        raise SettingsError("intervention", data, "a table of intervention settings")
    try:
        return InterventionSettings.from_dict(data)
    except SettingsError as error:
        raise error.within("intervention") from None
    except TypeError as error:
        raise SettingsError("intervention", dict(data), f"valid fields ({error})") from None

