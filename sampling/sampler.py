"""Sample the raw latents of a dataset's pairs from its settings: vectorised and seeded.

Every (column, purpose) pair has its own random stream derived from the seed, so a column's
values do not depend on how other blocks are configured, and the same settings and seed give
bit-identical latents.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .blocks import ROLE_CONTENT, ROLE_M1, ROLE_M3, ROLE_STYLE
from .causal import Parents, topological_order
from .distributions import truncated_normal
from .factors import FACTORS, N_COLUMNS, factor_index, to_blender

if TYPE_CHECKING:
    from ..settings.pairs import DatasetSettings

# Stream purposes, part of each stream's key: never renumber (it would change every dataset).
_VIEW1 = 0
_VIEW2 = 1
_CHANGE = 2


def _stream(seed: int, column: int, purpose: int) -> np.random.Generator:
    sequence = np.random.SeedSequence(seed, spawn_key=(column, purpose))
    return np.random.Generator(np.random.PCG64(sequence))


@dataclass(frozen=True)
class LatentPairs:
    """Raw latents of both views (N x columns, in [-1, 1]); Blender units are derived on demand,
    with the 10-column layout's scales unless a layout gives its own."""

    raw1: np.ndarray
    raw2: np.ndarray
    scales: np.ndarray | None = None

    def _blender(self, raw: np.ndarray) -> np.ndarray:
        return to_blender(raw) if self.scales is None else raw * self.scales

    @property
    def latents1(self) -> np.ndarray:
        """View 1 in Blender units (latents.npy)."""
        return self._blender(self.raw1)

    @property
    def latents2(self) -> np.ndarray:
        """View 2 in Blender units."""
        return self._blender(self.raw2)

    def __len__(self) -> int:
        return self.raw1.shape[0]


def _block_of(column: int) -> str:
    block = FACTORS[column].block
    assert block is not None
    return block


def sample_latents(settings: DatasetSettings) -> LatentPairs:
    """Draw settings.n_pairs pairs with settings.seed."""
    n, seed = settings.n_pairs, settings.seed
    roles = settings.column_roles()
    parents: dict[int, Parents] = {}
    for edge in settings.causal_edges:
        child = factor_index(edge.child)
        old = parents.get(child, Parents((), ()))
        parents[child] = Parents((*old.columns, factor_index(edge.parent)),
                                 (*old.sigmas, edge.strength))
    edges = [(p, c) for c, ps in parents.items() for p in ps.columns]

    raw1 = np.zeros((n, N_COLUMNS))
    raw2 = np.zeros((n, N_COLUMNS))
    for column in topological_order(N_COLUMNS, edges):
        role = roles[column]
        if role not in (ROLE_CONTENT, ROLE_STYLE, ROLE_M1):
            continue
        rng = _stream(seed, column, _VIEW1)
        if column in parents:
            centre, std = parents[column].centre_and_std(raw1)
            raw1[:, column] = truncated_normal(rng, centre, std)
        else:
            raw1[:, column] = settings.blocks[_block_of(column)].marginal.sample(rng, n)

    for column, role in enumerate(roles):
        if role == ROLE_CONTENT:
            raw2[:, column] = raw1[:, column]
        elif role == ROLE_STYLE:
            block = settings.blocks[_block_of(column)]
            redrawn = block.conditional.sample(_stream(seed, column, _VIEW2), raw1[:, column])
            changes = _stream(seed, column, _CHANGE).random(n) < block.change_probability
            raw2[:, column] = np.where(changes, redrawn, raw1[:, column])
        elif role == ROLE_M3:
            block = settings.blocks[_block_of(column)]
            raw2[:, column] = block.marginal.sample(_stream(seed, column, _VIEW2), n)
    return LatentPairs(raw1, raw2)
