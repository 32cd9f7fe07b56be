"""Temporal causal models: z_t = f(z_{t-1}, noise_t), with interventions drawn per step.

Frame 0 is uniform over every variable's range (a constant keeps its value), from its noise.
At each later step every causal group (CausalModel.groups) is a target independently with
probability p (default 1 / (groups + 1), as temporal-causal3dident.md says), or exactly one
group is (`single`); a target takes a value uniform over its range, whatever its parents.
Row t - 1 of the interventions holds the targets of frame t. In the temporal variant parents
are read at t - 1; in the instantaneous one at t (parents first), a variable's own previous
value still at t - 1. Replaying the stored noise and interventions gives the sequence back bit
for bit, and with other interventions its counterfactual.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import SettingsError
from .mechanisms import (
    SEQUENCE_NOISE,
    SINGLE_TARGET,
    TARGETS,
    VALUES,
    CausalModel,
    Constant,
    Interventions,
    compute,
    stream,
)


@dataclass(frozen=True)
class Trajectory:
    """Episodes x frames x variables of values and noise; interventions of frames 1.. (row
    t - 1: frame t)."""

    values: np.ndarray
    noise: np.ndarray
    interventions: Interventions


def default_probability(model: CausalModel) -> float:
    """The reference's p: 1 / (number of causal groups + 1)."""
    return 1.0 / (len(model.groups) + 1)


def draw_targets(model: CausalModel, shape: tuple[int, ...], seed: int,
                 p: float | None = None, single: bool = False) -> np.ndarray:
    """Targets (shape x variables, bool): each group with probability p, or one group per row
    chosen uniformly; a group's variables are targets together."""
    p = default_probability(model) if p is None else p
    if not 0.0 <= p <= 1.0:
        raise SettingsError("intervention_probability", p, "a number in [0, 1]")
    mask = np.zeros((*shape, len(model.variables)), dtype=bool)
    if single:
        chosen = stream(seed, 0, SINGLE_TARGET).integers(len(model.groups), size=shape)
    for g, group in enumerate(model.groups):
        hit = chosen == g if single else stream(seed, g, TARGETS).random(shape) < p
        for name in group:
            mask[..., model.index(name)] |= hit
    return mask


def draw_interventions(model: CausalModel, shape: tuple[int, ...], seed: int,
                       p: float | None = None, single: bool = False) -> Interventions:
    """Targets as draw_targets, each with a value uniform over its variable's range."""
    mask = draw_targets(model, shape, seed, p, single)
    values = np.stack([v.uniform(stream(seed, column, VALUES).random(shape))
                       for column, v in enumerate(model.variables)], axis=-1)
    return Interventions(mask, np.where(mask, values, 0.0))


def first_frame(model: CausalModel, noise: np.ndarray) -> np.ndarray:
    """Frame 0: every variable uniform over its range from its noise, constants as they are."""
    columns = [m.apply(v, {}, None, noise[..., c]) if isinstance(m, Constant)
               else v.uniform(noise[..., c])
               for c, (v, m) in enumerate(zip(model.variables, model.mechanisms, strict=True))]
    return np.stack(columns, axis=-1)


def step(model: CausalModel, previous: np.ndarray, noise: np.ndarray,
         interventions: Interventions | None = None, instantaneous: bool = False) -> np.ndarray:
    """One step of every variable from the previous frame and this step's noise."""
    return compute(model, noise, interventions, previous, instantaneous)


def replay(model: CausalModel, noise: np.ndarray, interventions: Interventions,
           instantaneous: bool = False) -> np.ndarray:
    """The frames (episodes x frames x variables) of this noise under these interventions."""
    values = np.zeros(noise.shape)
    values[:, 0] = first_frame(model, noise[:, 0])
    for t in range(1, noise.shape[1]):
        at_t = Interventions(interventions.mask[:, t - 1], interventions.values[:, t - 1])
        values[:, t] = step(model, values[:, t - 1], noise[:, t], at_t, instantaneous)
    return values


def sample_trajectory(model: CausalModel, n_frames: int, seed: int, n_episodes: int = 1,
                      p: float | None = None, single: bool = False,
                      instantaneous: bool = False) -> Trajectory:
    """n_episodes sequences of n_frames frames with interventions drawn per step."""
    if n_frames < 1:
        raise SettingsError("n_frames", n_frames, "a whole number >= 1")
    noise = np.stack([stream(seed, column, SEQUENCE_NOISE).random((n_episodes, n_frames))
                      for column in range(len(model.variables))], axis=-1)
    interventions = draw_interventions(model, (n_episodes, n_frames - 1), seed, p, single)
    return Trajectory(replay(model, noise, interventions, instantaneous), noise, interventions)
