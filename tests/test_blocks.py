"""Block types on sampled pairs: the six Part-1 presets, any assignment, the change probability."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from conftest import assert_close, se_corr, se_mean, se_std
from scipy import stats
from stats_theory import truncated_normal_pair

from identbox.presets import load_preset, pair_preset_names
from identbox.sampling import BLOCKS, FACTOR_NAMES, sample_latents, to_blender
from identbox.settings.pairs import BlockSettings, DatasetSettings

N = 20_000
PART1 = [name for name in pair_preset_names()
         if not name.startswith("part2") and load_preset(name).n_views == 2]
COL = {name: i for i, name in enumerate(FACTOR_NAMES)}

# Reference section 3: which column plays m1 / m2 / m3, per view-specific block.
PUBLISHED_ROLES = {
    "rotations": (COL["rot_gamma"], COL["spot_theta"], COL["rot_alpha"]),
    "hues": (COL["hue_background"], COL["hue_spot"], COL["hue_object"]),
    "positions": (COL["pos_z"], COL["pos_x"], COL["pos_y"]),
}


def uniform_ks(x: np.ndarray) -> float:
    return stats.kstest(x, stats.uniform(-1, 2).cdf).pvalue


def test_the_six_part1_datasets_are_presets() -> None:
    expected = {f"{c}_{s}_{v}" for c, s, v in itertools.permutations(BLOCKS)}
    assert set(PART1) == expected


@pytest.mark.parametrize("name", PART1)
def test_part1_preset_statistics(name: str) -> None:
    content, style, view = name.split("_")
    pairs = sample_latents(load_preset(name).replace(n_pairs=N, seed=1))
    z1, z2 = pairs.raw1, pairs.raw2
    assert z1.shape == z2.shape == (N, 10)
    assert np.all(np.abs(z1) <= 1) and np.all(np.abs(z2) <= 1)
    assert not z1[:, COL["rot_beta"]].any() and not z2[:, COL["rot_beta"]].any()

    for c in BLOCKS[content]:  # content: identical, uniform
        assert np.array_equal(z1[:, c], z2[:, c])
        assert uniform_ks(z1[:, c]) > 1e-3

    law = truncated_normal_pair(1.0)  # style at std 1: corr ~0.29, |diff| ~0.53, std ~0.55
    for c in BLOCKS[style]:
        s, s2 = z1[:, c], z2[:, c]
        assert uniform_ks(s) > 1e-3
        assert np.all(s != s2), "every style dimension changes in every pair"
        rho = np.corrcoef(s, s2)[0, 1]
        assert_close(rho, law.corr, se_corr(law.corr, N), f"{name} corr col {c}")
        diff = np.abs(s2 - s)
        assert_close(diff.mean(), law.mean_abs_diff, se_mean(diff), f"{name} |diff| col {c}")
        assert_close(s2.std(), law.child_std, se_std(s2), f"{name} view-2 std col {c}")

    m1, m2, m3 = PUBLISHED_ROLES[view]
    assert uniform_ks(z1[:, m1]) > 1e-3 and not z2[:, m1].any()
    assert not z1[:, m2].any() and not z2[:, m2].any()
    assert not z1[:, m3].any() and uniform_ks(z2[:, m3]) > 1e-3
    for c in range(10):  # m3 in view 2 is independent of all of view 1
        if z1[:, c].any():
            rho = np.corrcoef(z1[:, c], z2[:, m3])[0, 1]
            assert_close(rho, 0.0, se_corr(0.0, N), f"{name} m3 vs view-1 col {c}")


def test_latents_are_raw_in_blender_units() -> None:
    pairs = sample_latents(DatasetSettings(n_pairs=100))
    scale = np.array([2, 2, 2, np.pi, 0, np.pi, np.pi, np.pi, np.pi, np.pi])
    assert np.allclose(pairs.latents1, pairs.raw1 * scale)
    assert np.allclose(to_blender(pairs.raw2), pairs.raw2 * scale)
    assert np.abs(pairs.latents1[:, :3]).max() <= 2.0
    assert np.abs(pairs.latents1[:, 3:]).max() <= np.pi


@pytest.mark.parametrize("types", [
    ("content", "content", "content"),
    ("style", "style", "style"),
    ("view_specific", "view_specific", "view_specific"),
    ("style", "content", "style"),
])
def test_any_assignment_of_block_types(types: tuple[str, str, str]) -> None:
    blocks = {b: BlockSettings(type=t) for b, t in zip(BLOCKS, types, strict=True)}
    settings = DatasetSettings(n_pairs=2000, blocks=blocks)
    pairs = sample_latents(settings)
    roles = settings.column_roles()
    rules = {
        "content": lambda v1, v2: np.array_equal(v1, v2) and v1.all(),
        "style": lambda v1, v2: np.all(v1 != v2),
        "m1": lambda v1, v2: v1.all() and not v2.any(),
        "m2": lambda v1, v2: not v1.any() and not v2.any(),
        "m3": lambda v1, v2: not v1.any() and v2.all(),
        "constant": lambda v1, v2: not v1.any() and not v2.any(),
    }
    for c, role in enumerate(roles):
        assert rules[role](pairs.raw1[:, c], pairs.raw2[:, c]), \
            f"column {FACTOR_NAMES[c]} breaks the {role} rule"


def test_view_roles_can_be_chosen() -> None:
    blocks = {"positions": BlockSettings(type="view_specific",
                                         view_roles=("pos_x", "pos_y", "pos_z")),
              "rotations": BlockSettings(type="content"), "hues": BlockSettings(type="style")}
    pairs = sample_latents(DatasetSettings(n_pairs=500, blocks=blocks))
    assert pairs.raw1[:, 0].all() and not pairs.raw2[:, 0].any()  # m1 = x
    assert not pairs.raw1[:, 1].any() and not pairs.raw2[:, 1].any()  # m2 = y
    assert not pairs.raw1[:, 2].any() and pairs.raw2[:, 2].all()  # m3 = z


@pytest.mark.parametrize("p", [0.0, 0.3, 0.75, 1.0])
def test_style_change_probability_per_dimension(p: float) -> None:
    settings = DatasetSettings(n_pairs=N).replace(blocks={
        "positions": BlockSettings(type="style", change_probability=p),
        "rotations": BlockSettings(type="view_specific"), "hues": BlockSettings(type="content")})
    pairs = sample_latents(settings)
    changed = pairs.raw1[:, :3] != pairs.raw2[:, :3]
    se = np.sqrt(p * (1 - p) / N)
    for c in range(3):
        assert_close(changed[:, c].mean(), p, se, f"change rate col {c}")
    if 0 < p < 1:  # independent per dimension: P(both change) = p^2
        both = (changed[:, 0] & changed[:, 1]).mean()
        assert_close(both, p * p, np.sqrt(p * p * (1 - p * p) / N), "joint change rate")


def test_uniform_conditional_and_normal_marginal_in_pairs() -> None:
    from identbox.sampling import Conditional, Marginal

    block = BlockSettings(type="style", marginal=Marginal("normal", std=0.5),
                          conditional=Conditional("uniform", half_width=0.1))
    settings = DatasetSettings(n_pairs=N).replace(
        blocks={"positions": block, "rotations": BlockSettings(type="view_specific"),
                "hues": BlockSettings(type="content")})
    pairs = sample_latents(settings)
    s, s2 = pairs.raw1[:, 0], pairs.raw2[:, 0]
    assert stats.kstest(s, stats.truncnorm(-2, 2, scale=0.5).cdf).pvalue > 1e-3
    assert np.abs(s2 - s).max() <= 0.1 + 1e-12
    assert np.all(np.abs(s2) <= 1)
