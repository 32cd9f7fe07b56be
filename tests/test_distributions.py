"""Marginals and conditionals: exact truncation, checked with KS tests against scipy's laws."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from identbox.errors import SettingsError
from identbox.sampling.distributions import (
    Conditional,
    Marginal,
    truncated_normal,
    truncated_uniform,
)

N = 20_000
P_MIN = 1e-3  # a fixed seed makes this deterministic; a wrong law gives p-values near 0


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


@pytest.mark.parametrize("centre", [0.0, 0.8, 1.0, -1.0])
@pytest.mark.parametrize("std", [0.05, 0.3, 1.0, 3.0, 50.0])  # both proposal schemes
def test_truncated_normal_matches_scipy(centre: float, std: float) -> None:
    x = truncated_normal(rng(), np.full(N, centre), std)
    law = stats.truncnorm((-1 - centre) / std, (1 - centre) / std, loc=centre, scale=std)
    assert stats.kstest(x, law.cdf).pvalue > P_MIN
    assert x.min() >= -1.0 and x.max() <= 1.0


def test_truncated_normal_has_no_piles_at_the_bounds() -> None:
    # Clipping would put about 16% of these draws exactly on 1.0.
    x = truncated_normal(rng(), np.full(N, 0.9), 1.0)
    assert np.count_nonzero(np.abs(x) == 1.0) == 0


def test_truncated_normal_keeps_each_centre() -> None:
    centres = np.linspace(-1, 1, N)
    x = truncated_normal(rng(), centres, 0.01)
    assert np.abs(x - centres).max() < 0.1
    assert np.array_equal(truncated_normal(rng(), centres, 0.0), centres)


@pytest.mark.parametrize("centre,half", [(0.0, 0.1), (0.95, 0.1), (-1.0, 0.5), (0.3, 2.0)])
def test_truncated_uniform_is_uniform_on_the_intersection(centre: float, half: float) -> None:
    x = truncated_uniform(rng(), np.full(N, centre), half)
    a, b = max(centre - half, -1.0), min(centre + half, 1.0)
    assert stats.kstest(x, stats.uniform(a, b - a).cdf).pvalue > P_MIN


def test_marginal_uniform_bounds() -> None:
    x = Marginal("uniform", low=-0.5, high=0.25).sample(rng(), N)
    assert stats.kstest(x, stats.uniform(-0.5, 0.75).cdf).pvalue > P_MIN


@pytest.mark.parametrize("std", [0.2, 1.0, 4.0])
def test_marginal_normal_is_truncated_at_the_box(std: float) -> None:
    x = Marginal("normal", std=std).sample(rng(), N)
    assert stats.kstest(x, stats.truncnorm(-1 / std, 1 / std, scale=std).cdf).pvalue > P_MIN


def test_conditionals_centre_on_the_given_values() -> None:
    centre = np.full(N, -0.6)
    normal = Conditional("normal", std=0.4).sample(rng(), centre)
    law = stats.truncnorm((-1 + 0.6) / 0.4, (1 + 0.6) / 0.4, loc=-0.6, scale=0.4)
    assert stats.kstest(normal, law.cdf).pvalue > P_MIN
    uniform = Conditional("uniform", half_width=0.2).sample(rng(), centre)
    assert stats.kstest(uniform, stats.uniform(-0.8, 0.4).cdf).pvalue > P_MIN


@pytest.mark.parametrize("make,setting", [
    (lambda: Marginal("cauchy"), "kind"),
    (lambda: Marginal(low=0.5, high=0.5), "low"),
    (lambda: Marginal(low=-2.0), "low"),
    (lambda: Marginal(high=1.5), "high"),
    (lambda: Marginal("normal", std=0.0), "std"),
    (lambda: Conditional(std=-0.1), "std"),
    (lambda: Conditional(half_width=-1.0), "half_width"),
    (lambda: Conditional(std=float("nan")), "std"),
])
def test_bad_parameters_name_the_setting(make, setting: str) -> None:
    with pytest.raises(SettingsError) as caught:
        make()
    assert caught.value.setting == setting
    assert "not allowed" in str(caught.value)
