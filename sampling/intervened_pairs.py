"""Pairs whose view 2 is view 1 after do(targets := values) (settings/interventions.py).

View 1 is `mechanisms.sample` of the model of the settings' causal edges, so with no targets
the latents are the model's sample. Targets and values come from `sequences.draw_interventions`
(keys (17, group, purpose) of mechanisms.py); an interventional view 2 draws its noise from
streams keyed (18, column, 0), apart from every other stream of IdentBox.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .factors import FACTOR_NAMES, FACTORS
from .mechanisms import (
    CausalModel,
    Constant,
    Interventions,
    Mechanism,
    compute,
    edge_model,
    sample,
)
from .sequences import draw_interventions

if TYPE_CHECKING:
    from ..settings.pairs import DatasetSettings

_INTERVENTIONAL = 18  # the first number of an interventional view 2's noise streams


@dataclass(frozen=True)
class IntervenedPairs:
    """Raw values and exogenous noise of both views (pairs x factors), and the targets."""

    raw1: np.ndarray
    raw2: np.ndarray
    noise1: np.ndarray
    noise2: np.ndarray
    interventions: Interventions

    @property
    def targets(self) -> np.ndarray:
        """interventions.npy: (pairs, factors) uint8, 1 where a factor was a target."""
        return self.interventions.mask.astype(np.uint8)


def pair_model(settings: DatasetSettings) -> CausalModel:
    """The causal model of the settings: roots from their block's marginal, children by their
    edges (GaussianEdges), rot_beta a constant 0; groups as the intervention settings say."""
    assert settings.intervention is not None
    edges = [(e.parent, e.child, e.strength) for e in settings.causal_edges]
    marginals = {f.name: settings.blocks[f.block].marginal for f in FACTORS
                 if f.block is not None}
    model = edge_model(FACTOR_NAMES, edges, marginals)
    mechanisms: list[Mechanism] = [Constant(0.0) if f.block is None else m
                                   for f, m in zip(FACTORS, model.mechanisms, strict=True)]
    return CausalModel(model.variables, tuple(mechanisms), settings.intervention.target_groups)


def interventions_of(settings: DatasetSettings, model: CausalModel) -> Interventions:
    """The targets and values of every pair's view 2."""
    chosen = settings.intervention
    assert chosen is not None
    shape = (settings.n_pairs,)
    if chosen.targets == "fixed":  # every group: a probability of 1
        return draw_interventions(model, shape, settings.seed, 1.0)
    return draw_interventions(model, shape, settings.seed, chosen.probability,
                              single=chosen.targets == "single")


def view2_noise(settings: DatasetSettings, noise1: np.ndarray) -> np.ndarray:
    """Counterfactual: view 1's noise; interventional: drawn anew, one stream per column."""
    assert settings.intervention is not None
    if settings.intervention.mode == "counterfactual":
        return noise1
    columns = []
    for column in range(noise1.shape[1]):
        key = np.random.SeedSequence(settings.seed, spawn_key=(_INTERVENTIONAL, column, 0))
        columns.append(np.random.Generator(np.random.PCG64(key)).random(noise1.shape[0]))
    return np.stack(columns, axis=-1)


def sample_intervened(settings: DatasetSettings) -> IntervenedPairs:
    """Both views of settings.n_pairs pairs with their noise and targets."""
    model = pair_model(settings)
    first = sample(model, settings.n_pairs, settings.seed)
    interventions = interventions_of(settings, model)
    noise2 = view2_noise(settings, first.noise)
    return IntervenedPairs(first.values, compute(model, noise2, interventions), first.noise,
                           noise2, interventions)

