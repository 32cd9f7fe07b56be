"""Frames drawn independently, and triplets: the evaluation data of Temporal Causal3DIdent
(temporal-causal3dident.md, "Triplets").

Independent frames: every variable uniform over its range (a constant keeps its value), the
law of a frame whose every causal variable is intervened on; what correlation metrics need, as
a sequence's frames are not independent.

A triplet: two source frames (i, j), i != j, drawn uniformly, and a mask over the causal
groups, uniform over the masks that are neither all 0 nor all 1; the third frame takes each
group's variables from frame i where the mask is 0 and from frame j where it is 1 (variables in
no group, the constants, from frame i: they are equal anyway).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import SettingsError
from .mechanisms import INDEPENDENT, TRIPLETS, CausalModel, stream
from .sequences import first_frame


def independent_frames(model: CausalModel, n: int, seed: int) -> np.ndarray:
    """n frames (n x variables), each variable uniform over its range."""
    noise = np.stack([stream(seed, column, INDEPENDENT).random(n)
                      for column in range(len(model.variables))], axis=-1)
    return first_frame(model, noise.reshape(n, len(model.variables)))


@dataclass(frozen=True)
class Triplets:
    """sources (n x 2: frames i and j), mask (n x variables, 1: the variable comes from frame
    j; a group's variables together) and the third frames' values (n x variables)."""

    sources: np.ndarray
    mask: np.ndarray
    values: np.ndarray


def group_masks(model: CausalModel, n: int, seed: int) -> np.ndarray:
    """n masks over the groups (n x groups, bool), uniform over the 2^groups - 2 that take
    something from each frame."""
    groups = len(model.groups)
    if groups < 2:
        raise SettingsError("n_triplets", n, "0: a triplet needs at least two causal groups")
    codes = stream(seed, 1, TRIPLETS).integers(1, 2 ** groups - 1, size=n)
    return (codes[:, None] >> np.arange(groups)) & 1 == 1


def draw_triplets(model: CausalModel, frames: np.ndarray, n: int, seed: int) -> Triplets:
    """n triplets over these frames (frames x variables)."""
    count = len(frames)
    if n and count < 2:
        raise SettingsError("n_triplets", n, "0: triplets need a sequence of at least 2 frames")
    rng = stream(seed, 0, TRIPLETS)
    first = rng.integers(count, size=n) if n else np.zeros(0, dtype=np.int64)
    second = (first + 1 + rng.integers(max(count - 1, 1), size=n)) % max(count, 1)
    mask = np.zeros((n, len(model.variables)), dtype=bool)
    if n:
        chosen = group_masks(model, n, seed)
        for g, group in enumerate(model.groups):
            for name in group:
                mask[:, model.index(name)] = chosen[:, g]
    values = np.where(mask, frames[second], frames[first])
    return Triplets(np.stack([first, second], axis=-1).astype(np.int64), mask, values)
