"""Sample the raw latents of a dataset's views from its settings: vectorised and seeded.

Every (column, purpose) pair has its own random stream derived from the seed, so a column's
values do not depend on how other blocks are configured, and the same settings and seed give
bit-identical latents. Views 1 and 2 use the same streams whatever the number of views.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .blocks import ROLE_CONTENT, ROLE_M3, ROLE_STYLE, ROLE_VIEW_SPECIFIC, VIEW1_LIVE_ROLES
from .causal import Parents, topological_order
from .distributions import truncated_normal
from .factors import FACTORS, N_COLUMNS, factor_index, to_blender

if TYPE_CHECKING:
    from ..settings.pairs import DatasetSettings

# Stream purposes, part of each stream's key: never renumber (it would change every dataset).
_VIEW1 = 0
_VIEW2 = 1
_CHANGE = 2


def _purposes(view: int) -> tuple[int, int]:
    """(draw, change) purposes of view 2, 3, ...: view 2 keeps _VIEW2 and _CHANGE; view v >= 3
    takes 2v - 3 and 2v - 2 (3 and 4 for view 3), above every purpose used before it."""
    if view == 2:
        return _VIEW2, _CHANGE
    return 2 * view - 3, 2 * view - 2


def _stream(seed: int, column: int, purpose: int) -> np.random.Generator:
    sequence = np.random.SeedSequence(seed, spawn_key=(column, purpose))
    return np.random.Generator(np.random.PCG64(sequence))


@dataclass(frozen=True)
class LatentViews:
    """Raw latents of k >= 2 views of the same scenes (N x columns each, in [-1, 1]); Blender
    units are derived on demand, with the 10-column layout's scales unless a layout gives its
    own. Views 1 and 2 are fields of their own, so two-view code reads raw1 and raw2 as ever;
    views 3.. are `more`."""

    raw1: np.ndarray
    raw2: np.ndarray
    scales: np.ndarray | None = None
    more: tuple[np.ndarray, ...] = ()

    @classmethod
    def of(cls, raws: Sequence[np.ndarray], scales: np.ndarray | None = None) -> LatentViews:
        """From the raw latents of every view, in view order."""
        first, second, *later = raws
        return cls(first, second, scales, tuple(later))

    @property
    def n_views(self) -> int:
        """How many views each scene has."""
        return 2 + len(self.more)

    @property
    def raws(self) -> tuple[np.ndarray, ...]:
        """Raw latents of every view, in view order."""
        return (self.raw1, self.raw2, *self.more)

    def raw(self, view: int) -> np.ndarray:
        """Raw latents of one view, counted from 1."""
        if not 1 <= view <= self.n_views:
            raise IndexError(f"view {view} of {self.n_views} views (counted from 1)")
        return self.raws[view - 1]

    def latents(self, view: int) -> np.ndarray:
        """One view in Blender units (latents.npy of m1, m2, ...)."""
        raw = self.raw(view)
        return to_blender(raw) if self.scales is None else raw * self.scales

    @property
    def latents1(self) -> np.ndarray:
        """View 1 in Blender units (latents.npy)."""
        return self.latents(1)

    @property
    def latents2(self) -> np.ndarray:
        """View 2 in Blender units."""
        return self.latents(2)

    def __len__(self) -> int:
        return self.raw1.shape[0]


# The two-view name every caller used before k views; the same class.
LatentPairs = LatentViews


def _block_of(column: int) -> str:
    block = FACTORS[column].block
    assert block is not None
    return block


def _parents(settings: DatasetSettings) -> dict[int, Parents]:
    """Each child column's parents and edge strengths."""
    parents: dict[int, Parents] = {}
    for edge in settings.causal_edges:
        child = factor_index(edge.child)
        old = parents.get(child, Parents((), ()))
        parents[child] = Parents((*old.columns, factor_index(edge.parent)),
                                 (*old.sigmas, edge.strength))
    return parents


def _fresh(settings: DatasetSettings, parents: dict[int, Parents], column: int,
           view: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A column drawn anew in one view: around its parents' values in that view (causal edges
    act within a view), else from its block's marginal."""
    if column in parents:
        centre, std = parents[column].centre_and_std(view)
        return truncated_normal(rng, centre, std)
    return settings.blocks[_block_of(column)].marginal.sample(rng, len(view))


def _later_view(settings: DatasetSettings, roles: tuple[str, ...], parents: dict[int, Parents],
                order: list[int], raw1: np.ndarray, view: int) -> np.ndarray:
    """View 2, 3, ... from view 1: content copied, style redrawn around view 1 (each dimension
    with its block's change probability), m3 and k-view view-specific columns drawn anew."""
    seed, n = settings.seed, settings.n_pairs
    draw, change = _purposes(view)
    raw = np.zeros((n, N_COLUMNS))
    for column, role in enumerate(roles):
        if role == ROLE_CONTENT:
            raw[:, column] = raw1[:, column]
        elif role == ROLE_STYLE:
            block = settings.blocks[_block_of(column)]
            redrawn = block.conditional.sample(_stream(seed, column, draw), raw1[:, column])
            changes = _stream(seed, column, change).random(n) < block.change_probability
            raw[:, column] = np.where(changes, redrawn, raw1[:, column])
    for column in order:  # after content and style: a fresh child may have such a parent
        if roles[column] in (ROLE_M3, ROLE_VIEW_SPECIFIC):
            raw[:, column] = _fresh(settings, parents, column, raw, _stream(seed, column, draw))
    return raw


def sample_latents(settings: DatasetSettings) -> LatentViews:
    """Draw settings.n_pairs scenes in settings.n_views views with settings.seed."""
    n, seed = settings.n_pairs, settings.seed
    roles = settings.column_roles()[:N_COLUMNS]  # the camera and lighting sample apart
    parents = _parents(settings)
    edges = [(p, c) for c, ps in parents.items() for p in ps.columns]
    order = topological_order(N_COLUMNS, edges)

    raw1 = np.zeros((n, N_COLUMNS))
    for column in order:
        if roles[column] in VIEW1_LIVE_ROLES:
            raw1[:, column] = _fresh(settings, parents, column, raw1,
                                     _stream(seed, column, _VIEW1))
    later = [_later_view(settings, roles, parents, order, raw1, view)
             for view in range(2, settings.n_views + 1)]
    return LatentViews.of([raw1, *later])
