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


def _truncated_moments(centre: np.ndarray, std: float) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance of N(centre, std) truncated to [-1, 1], in closed form."""
    a, b = (-1.0 - centre) / std, (1.0 - centre) / std
    phi_a, phi_b = stats.norm.pdf(a), stats.norm.pdf(b)
    mass = stats.norm.sf(a) - stats.norm.sf(b)  # Phi(b) - Phi(a), precise in either tail
    shift = (phi_a - phi_b) / mass
    variance = std**2 * (1.0 + (a * phi_a - b * phi_b) / mass - shift**2)
    return centre + std * shift, variance


@cache
def gaussian_edges_corr(strengths: tuple[float, ...], std: float | None = None,
                        nodes: int = 64) -> tuple[float, ...]:
    """corr(parent_k, child) for independent parents ~ U[-1, 1] and a child ~ N_t(centre, std)
    on [-1, 1] whose normal is the product of the edges' N(parent_k, strength_k): centre the
    precision-weighted mean of the parents, std 1 / sqrt(sum of precisions) (`std` replaces it,
    to price a wrong law). Gauss-Legendre quadrature over the parents' cube: the integrand is
    analytic, so 64 nodes a side give the correlation to far below any standard error."""
    precision = np.array([1.0 / s**2 for s in strengths])
    weights = precision / precision.sum()
    std = float(1.0 / np.sqrt(precision.sum())) if std is None else std
    x, w = np.polynomial.legendre.leggauss(nodes)
    grids = np.meshgrid(*([x] * len(strengths)), indexing="ij")
    mass = np.prod(np.meshgrid(*([w / 2.0] * len(strengths)), indexing="ij"), axis=0)
    centre = sum(wk * g for wk, g in zip(weights, grids, strict=True))
    mean, variance = _truncated_moments(centre, std)
    mean_c = float(np.sum(mass * mean))
    var_c = float(np.sum(mass * (variance + mean**2))) - mean_c**2
    return tuple(float(np.sum(mass * g * mean) / np.sqrt(var_c / 3.0)) for g in grids)
