"""The normal and truncated-normal quantile functions in numpy alone (scipy is not in Blender).

A mechanism that turns a stored uniform noise value u into a truncated normal through the
inverse CDF gives, for the same u under other parent values, the counterfactual child. The
normal quantile is Acklam's rational approximation (relative error 1.2e-9) polished by one
Halley step on math.erfc, which leaves it accurate to a few units in the last place; the
truncated quantile works in whichever tail keeps the probabilities small, so that narrow
intervals far from the mean keep their precision. Written per number with `math` and mapped
over arrays: a time step of a sequence holds a handful of numbers, where numpy's per-call cost
would dominate.
"""

from __future__ import annotations

import math

import numpy as np

# Acklam's coefficients: central region (a / b) and tails (c / d).
_A = (-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
      1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00)
_B = (-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
      6.680131188771972e+01, -1.328068155288572e+01, 1.0)
_C = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
      -2.549671010229528e+00, 4.374664141464968e+00, 2.938163982698783e+00)
_D = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
      3.754408661907416e+00, 1.0)
_TAIL = 0.02425
# Below this the Halley step would overflow; a normal never lands there in practice (-37 sd).
_SMALLEST = 1e-300
_SQRT2 = math.sqrt(2.0)
_SQRT2PI = math.sqrt(2.0 * math.pi)


def _poly(coefficients: tuple[float, ...], x: float) -> float:
    out = 0.0
    for c in coefficients:
        out = out * x + c
    return out


def _cdf(x: float) -> float:
    """Phi(x), accurate in the lower tail."""
    return 0.5 * math.erfc(-x / _SQRT2)


def _lower_quantile(p: float) -> float:
    """Phi^-1(p) for p in (0, 0.5]."""
    p = min(max(p, _SMALLEST), 0.5)
    if p < _TAIL:
        q = math.sqrt(-2.0 * math.log(p))
        x = _poly(_C, q) / _poly(_D, q)
    else:
        r = p - 0.5
        x = _poly(_A, r * r) * r / _poly(_B, r * r)
    step = (_cdf(x) - p) * _SQRT2PI * math.exp(0.5 * x * x)
    return x - step / (1.0 + 0.5 * x * step)


def _quantile(p: float) -> float:
    return -_lower_quantile(1.0 - p) if p > 0.5 else _lower_quantile(p)


def _truncated_quantile(u: float, mean: float, std: float, low: float, high: float) -> float:
    if std <= 0.0:
        return mean
    a, b = (low - mean) / std, (high - mean) / std
    below_a, below_b = _cdf(a), _cdf(b)  # Phi(a), Phi(b)
    above_a, above_b = _cdf(-a), _cdf(-b)  # 1 - Phi(a), 1 - Phi(b)
    if b <= 0.0:
        mass = below_b - below_a
    elif a >= 0.0:
        mass = above_a - above_b
    else:
        mass = 1.0 - below_a - above_b
    p = below_a + u * mass  # Phi(x), accurate while it is at most 0.5
    x = _lower_quantile(p) if p <= 0.5 else -_lower_quantile(above_b + (1.0 - u) * mass)
    return mean + std * min(max(x, a), b)


_cdf_map = np.frompyfunc(_cdf, 1, 1)
_quantile_map = np.frompyfunc(_quantile, 1, 1)
_truncated_map = np.frompyfunc(_truncated_quantile, 5, 1)


def normal_cdf(x: np.ndarray) -> np.ndarray:
    """Phi(x), accurate in the lower tail (1 - Phi(x) is normal_cdf(-x))."""
    return np.asarray(_cdf_map(np.asarray(x, dtype=np.float64)), dtype=np.float64)


def normal_quantile(p: np.ndarray) -> np.ndarray:
    """Phi^-1(p) for p in [0, 1) (0 gives about -37, never -inf)."""
    return np.asarray(_quantile_map(np.asarray(p, dtype=np.float64)), dtype=np.float64)


def truncated_normal_quantile(u: np.ndarray, mean: np.ndarray, std: float | np.ndarray,
                              low: float, high: float) -> np.ndarray:
    """The u-quantile of N(mean, std) truncated to [low, high] (std 0: the mean itself).

    u in [0, 1): u = 0 gives the lower end of the interval's support; results stay in the
    interval even where rounding would step out of it.
    """
    out = _truncated_map(np.asarray(u, dtype=np.float64), np.asarray(mean, dtype=np.float64),
                         np.asarray(std, dtype=np.float64), float(low), float(high))
    return np.asarray(out, dtype=np.float64)
