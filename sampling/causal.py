"""Causal dependencies between factors: parent -> child edges with a strength sigma.

A child's view-1 value is a normal centred on its parent, truncated to the raw box. A child with
several parents uses the product of its edges' Gaussians: centre = precision-weighted mean of
the parents, std = 1 / sqrt(sum of precisions); with one parent that is N_t(parent, sigma).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Parents:
    """A child's parents (column indices) and the matching edge strengths."""

    columns: tuple[int, ...]
    sigmas: tuple[float, ...]

    def centre_and_std(self, values: np.ndarray) -> tuple[np.ndarray, float]:
        """Centre (per sample) and std of the child's normal, from the parents' values."""
        precision = np.array([1.0 / s**2 for s in self.sigmas])
        centre = values[:, list(self.columns)] @ (precision / precision.sum())
        return centre, float(1.0 / np.sqrt(precision.sum()))


def find_cycle(n_nodes: int, edges: Iterable[tuple[int, int]]) -> list[int] | None:
    """A cycle (as a node path that returns to its start) or None if the graph is acyclic."""
    children: dict[int, list[int]] = {i: [] for i in range(n_nodes)}
    for parent, child in edges:
        children[parent].append(child)
    state = [0] * n_nodes  # 0 unvisited, 1 on the current path, 2 done
    path: list[int] = []

    def visit(node: int) -> list[int] | None:
        state[node] = 1
        path.append(node)
        for nxt in children[node]:
            if state[nxt] == 1:
                return [*path[path.index(nxt):], nxt]
            if state[nxt] == 0 and (cycle := visit(nxt)) is not None:
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in range(n_nodes):
        if state[start] == 0 and (cycle := visit(start)) is not None:
            return cycle
    return None


def topological_order(n_nodes: int, edges: Sequence[tuple[int, int]]) -> list[int]:
    """Nodes with every parent before its children; ties keep column order (deterministic)."""
    indegree = [0] * n_nodes
    for _, child in edges:
        indegree[child] += 1
    order: list[int] = []
    ready = [i for i in range(n_nodes) if indegree[i] == 0]
    while ready:
        node = ready.pop(0)
        order.append(node)
        for parent, child in edges:
            if parent == node:
                indegree[child] -= 1
                if indegree[child] == 0:
                    ready.append(child)
                    ready.sort()
    if len(order) != n_nodes:
        raise ValueError("the causal graph has a cycle")
    return order
