"""Expectations, by quadrature, for parent ~ U[a, b] and child ~ N_t(parent, sigma) on [-1, 1].

The same law describes a style pair (view 1 -> view 2) and a causal edge (parent -> child), so
the tests compare both against numbers computed here rather than typed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
from scipy import integrate, stats


@dataclass(frozen=True)
class PairLaw:
    corr: float  # corr(parent, child)
    mean_abs_diff: float  # E|child - parent|
    child_std: float
    sibling_corr: float  # corr of two children drawn independently around the same parent


def _child(parent: float, sigma: float) -> stats.rv_continuous:
    return stats.truncnorm((-1.0 - parent) / sigma, (1.0 - parent) / sigma, loc=parent, scale=sigma)


def _mean_abs_offset(parent: float, sigma: float) -> float:
    """E|c - p| for c ~ N_t(p, sigma) on [-1, 1], in closed form."""
    a, b = (-1.0 - parent) / sigma, (1.0 - parent) / sigma
    phi = stats.norm.pdf
    mass = stats.norm.cdf(b) - stats.norm.cdf(a)
    return float(sigma * (2 * phi(0.0) - phi(a) - phi(b)) / mass)


@cache
def truncated_normal_pair(sigma: float, low: float = -1.0, high: float = 1.0) -> PairLaw:
    """Moments of (p, c) with p ~ U[low, high] and c | p ~ N_t(p, sigma) on [-1, 1]."""
    density = 1.0 / (high - low)

    def expect(fn):  # E over p of fn(p)
        return integrate.quad(lambda p: fn(p) * density, low, high, limit=200)[0]

    mean_c = expect(lambda p: _child(p, sigma).mean())
    second_c = expect(lambda p: _child(p, sigma).var() + _child(p, sigma).mean() ** 2)
    cross = expect(lambda p: p * _child(p, sigma).mean())
    mean_p = (low + high) / 2.0
    var_p = (high - low) ** 2 / 12.0
    var_c = second_c - mean_c**2
    abs_diff = expect(lambda p: _mean_abs_offset(p, sigma))
    corr = (cross - mean_p * mean_c) / np.sqrt(var_p * var_c)
    var_centre = expect(lambda p: _child(p, sigma).mean() ** 2) - mean_c**2  # Var E[c | p]
    return PairLaw(float(corr), float(abs_diff), float(np.sqrt(var_c)),
                   float(var_centre / var_c))
