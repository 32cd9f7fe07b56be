"""Marginal and conditional distributions on the raw box, with exact truncation.

Truncation is by rejection (or by the exact interval for uniforms), never by clipping,
so no probability mass piles up at the bounds. Everything is vectorised over samples.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import SettingsError
from ..limits import Choice, Limit
from .factors import RAW_HIGH, RAW_LOW

MARGINAL_KINDS = ("uniform", "normal")
CONDITIONAL_KINDS = ("normal", "uniform")
MARGINAL_KIND = Choice("kind", "Marginal",
                       "View-1 distribution: uniform(low, high) or normal(0, std), truncated to "
                       "[-1, 1]", MARGINAL_KINDS)
CONDITIONAL_KIND = Choice("kind", "Conditional",
                          "View-2 distribution around the view-1 value: normal(std) or "
                          "uniform(half width), truncated to [-1, 1]", CONDITIONAL_KINDS)


MARGINAL_LOW = Limit("low", "Low", "Lower bound of the uniform marginal (raw units)",
                     RAW_LOW, RAW_LOW, RAW_HIGH)
MARGINAL_HIGH = Limit("high", "High", "Upper bound of the uniform marginal (raw units)",
                      RAW_HIGH, RAW_LOW, RAW_HIGH)
MARGINAL_STD = Limit("std", "Std", "Std of the normal marginal around 0 (raw units), truncated",
                     1.0, 0.0, 1e6, minimum_exclusive=True)
CONDITIONAL_STD = Limit("std", "Std",
                        "Std of the normal around the view-1 value (raw units); 0: no change",
                        1.0, 0.0, 1e6)
CONDITIONAL_HALF_WIDTH = Limit("half_width", "Half Width",
                               "Half width of the uniform around the view-1 value (raw units)",
                               0.1, 0.0, 2.0)


def truncated_normal(rng: np.random.Generator, mean: np.ndarray, std: float,
                     low: float = RAW_LOW, high: float = RAW_HIGH) -> np.ndarray:
    """Draw N(mean_i, std) truncated to [low, high] for each mean_i (means inside the interval).

    Narrow normals use normal proposals (acceptance >= 0.47 for means inside the interval);
    wide ones use uniform proposals with Gaussian acceptance (>= exp(-2) for std >= half width).
    """
    mean = np.asarray(mean, dtype=np.float64)
    if std == 0.0:
        return mean.copy()
    out = np.empty_like(mean)
    todo = np.arange(mean.size)
    flat_mean = mean.reshape(-1)
    flat_out = out.reshape(-1)
    narrow = std <= (high - low) / 2.0
    while todo.size:
        centre = flat_mean[todo]
        if narrow:
            x = centre + std * rng.standard_normal(todo.size)
            accept = (x >= low) & (x <= high)
        else:
            x = rng.uniform(low, high, todo.size)
            accept = rng.random(todo.size) < np.exp(-0.5 * ((x - centre) / std) ** 2)
        flat_out[todo[accept]] = x[accept]
        todo = todo[~accept]
    return out


def truncated_uniform(rng: np.random.Generator, centre: np.ndarray, half_width: float,
                      low: float = RAW_LOW, high: float = RAW_HIGH) -> np.ndarray:
    """Draw U[c - h, c + h] truncated to [low, high]: uniform on the intersection, exactly."""
    centre = np.asarray(centre, dtype=np.float64)
    a = np.maximum(centre - half_width, low)
    b = np.minimum(centre + half_width, high)
    return a + (b - a) * rng.random(centre.shape)


@dataclass(frozen=True)
class Marginal:
    """A factor's view-1 distribution: uniform(low, high) or normal(0, std), on the box."""

    kind: str = "uniform"
    low: float = MARGINAL_LOW.default
    high: float = MARGINAL_HIGH.default
    std: float = MARGINAL_STD.default

    def __post_init__(self) -> None:
        MARGINAL_KIND.check(self.kind)
        MARGINAL_LOW.check(self.low)
        MARGINAL_HIGH.check(self.high)
        if self.low >= self.high:
            raise SettingsError("low", self.low,
                                f"a number in {MARGINAL_LOW.interval()} below high ({self.high})")
        MARGINAL_STD.check(self.std)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """n independent draws."""
        if self.kind == "uniform":
            return rng.uniform(self.low, self.high, n)
        return truncated_normal(rng, np.zeros(n), self.std)


@dataclass(frozen=True)
class Conditional:
    """A view-2 value given view 1: normal(std) or uniform(half-width) around it, truncated."""

    kind: str = "normal"
    std: float = CONDITIONAL_STD.default
    half_width: float = CONDITIONAL_HALF_WIDTH.default

    def __post_init__(self) -> None:
        CONDITIONAL_KIND.check(self.kind)
        CONDITIONAL_STD.check(self.std)
        CONDITIONAL_HALF_WIDTH.check(self.half_width)

    def sample(self, rng: np.random.Generator, centre: np.ndarray) -> np.ndarray:
        """One draw around each centre."""
        if self.kind == "normal":
            return truncated_normal(rng, centre, self.std)
        return truncated_uniform(rng, centre, self.half_width)
