"""Issue 17, item 1: causal mechanisms as data, stored noise, counterfactuals, CITRIS dynamics."""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import assert_close, se_corr, se_mean, se_std
from scipy import stats
from stats_theory import truncated_normal_pair

from identbox.errors import SettingsError
from identbox.sampling import FACTOR_NAMES, Marginal, sample_latents
from identbox.sampling.citris import SHAPES, citris_model
from identbox.sampling.goals import shorter_arc
from identbox.sampling.mechanisms import (
    CausalModel,
    GaussianEdges,
    HalfwayToGoal,
    Interventions,
    Persist,
    Root,
    Variable,
    edge_model,
    recompute,
    sample,
)
from identbox.sampling.sequences import (
    draw_interventions,
    draw_targets,
    replay,
    sample_trajectory,
)
from identbox.sampling.truncnorm import normal_quantile, truncated_normal_quantile
from identbox.settings.pairs import CausalEdge, DatasetSettings

N = 20_000
STEPS = 10_000
TWO_PI = 2 * math.pi

# a -> b -> c <- d, e alone: a chain, a collider and a bystander.
CHAIN = edge_model(("a", "b", "c", "d", "e"),
                   [("a", "b", 0.3), ("b", "c", 0.5), ("d", "c", 0.2)])


@pytest.fixture(scope="module")
def citris_sequence():
    """One 10,000-frame CITRIS sequence with seven shapes and the reference's p."""
    model = citris_model(len(SHAPES))
    return model, sample_trajectory(model, STEPS, seed=5)


def test_quantiles_match_scipy_to_1e_9() -> None:
    rng = np.random.default_rng(0)
    p = np.concatenate([rng.random(20_000), [1e-300, 1e-12, 0.5, 1 - 1e-12]])
    assert np.max(np.abs(normal_quantile(p) - stats.norm.ppf(p))) < 1e-9
    u, mean = rng.random(20_000), rng.uniform(-1, 1, 20_000)
    std = np.exp(rng.uniform(math.log(1e-3), math.log(10), 20_000))
    ours = truncated_normal_quantile(u, mean, std, -1.0, 1.0)
    theirs = stats.truncnorm.ppf(u, (-1 - mean) / std, (1 - mean) / std, loc=mean, scale=std)
    assert np.max(np.abs(ours - theirs)) < 1e-9
    assert ours.min() >= -1.0 and ours.max() <= 1.0
    # An interval far in the tail keeps its precision (a naive 1 - Phi would lose it).
    far = truncated_normal_quantile(np.array([0.1, 0.9]), np.array([9.0, 9.0]), 1.0, -1.0, 1.0)
    assert np.allclose(far, stats.truncnorm.ppf([0.1, 0.9], -10, -8, loc=9, scale=1), atol=1e-9)


def test_recomputing_without_intervention_gives_the_sample_back_bit_for_bit() -> None:
    drawn = sample(CHAIN, N, seed=1)
    assert np.array_equal(recompute(CHAIN, drawn.noise), drawn.values)
    assert np.array_equal(recompute(CHAIN, drawn.noise, Interventions.none(drawn.noise.shape)),
                          drawn.values)
    assert np.array_equal(sample(CHAIN, N, seed=1).values, drawn.values)
    assert not np.array_equal(sample(CHAIN, N, seed=2).values, drawn.values)
    model, trajectory = citris_model(7), sample_trajectory(citris_model(7), 300, seed=3)
    assert np.array_equal(replay(model, trajectory.noise, trajectory.interventions),
                          trajectory.values)


def test_counterfactual_keeps_non_descendants_and_follows_the_mechanisms() -> None:
    drawn = sample(CHAIN, N, seed=1)
    doing = draw_interventions(CHAIN, (N,), seed=9, p=0.3)
    after = recompute(CHAIN, drawn.noise, doing)
    below = CHAIN.descendants(doing.mask)
    assert np.array_equal(after[~below], drawn.values[~below])
    assert np.array_equal(after[doing.mask], doing.values[doing.mask])
    # Every free value is its mechanism's formula at the stored noise, written out here (not
    # the mechanism run again): roots -1 + 2u; b ~ N_t(a, 0.3); c ~ N_t of the product of
    # N(b, 0.5) and N(d, 0.2): precisions 4 and 25, centre (4 b + 25 d) / 29, std 1 / sqrt(29).
    u = drawn.noise
    a, b, d = after[:, 0], after[:, 1], after[:, 3]
    formula = np.stack([-1 + 2 * u[:, 0], _truncated(u[:, 1], a, 0.3),
                        _truncated(u[:, 2], (4 * b + 25 * d) / 29, 1 / math.sqrt(29)),
                        -1 + 2 * u[:, 3], -1 + 2 * u[:, 4]], axis=1)
    free = ~doing.mask
    for column, name in enumerate(CHAIN.names):
        gap = np.abs(after[free[:, column], column] - formula[free[:, column], column])
        assert gap.max() < 1e-9, f"{name} is off its formula by up to {gap.max():.3g}"
    # Intervening on a changes b and, through b, c; d and e never move.
    on_a = doing.mask[:, 0] & ~doing.mask[:, 1] & ~doing.mask[:, 2]
    assert np.mean(after[on_a, 1] != drawn.values[on_a, 1]) > 0.99
    assert np.mean(after[on_a, 2] != drawn.values[on_a, 2]) > 0.99
    untouched = ~doing.mask[:, 3] & ~doing.mask[:, 4]
    assert np.array_equal(after[untouched, 3:], drawn.values[untouched, 3:])


@pytest.mark.parametrize("instantaneous", [False, True])
def test_counterfactual_sequence_changes_only_what_the_targets_reach(instantaneous: bool) -> None:
    model = citris_model(7)
    trajectory = sample_trajectory(model, 60, seed=4, instantaneous=instantaneous)
    mask, values = trajectory.interventions.mask.copy(), trajectory.interventions.values.copy()
    at, hue_back = 30, model.index("hue_back")
    mask[0, at - 1] = False  # frame `at` without its drawn targets, then with do(hue_back)
    before = replay(model, trajectory.noise, Interventions(mask.copy(), values), instantaneous)
    assert np.array_equal(before[0, :at], trajectory.values[0, :at])
    mask[0, at - 1, hue_back] = True
    values[0, at - 1, hue_back] = before[0, at, hue_back] + 1.0
    after = replay(model, trajectory.noise, Interventions(mask, values), instantaneous)
    assert np.array_equal(after[0, :at], before[0, :at])
    reached = np.zeros(len(model.variables), dtype=bool)
    reached[hue_back] = True
    if instantaneous:  # hue_back's children follow within the frame
        reached = model.descendants(reached)
    changed = after[0, at] != before[0, at]
    assert not np.any(changed & ~reached), (changed, reached)  # non-descendants bit-identical
    assert changed[hue_back]
    if instantaneous:  # its children that always read it move in the same frame
        assert changed[model.index("hue_spot")] and changed[model.index("rot_alpha")]
    else:
        assert np.array_equal(changed, reached)
    for t in range(at, 60):  # every later frame is the reference's step from the one before
        expected = _reference_step(after[:, t - 1], after[:, t], trajectory.noise[:, t],
                                   instantaneous)
        doing = mask[:, t - 1]
        expected[doing] = values[:, t - 1][doing]
        gap = np.abs(after[:, t] - expected)
        gap[:, ANGLES] = np.abs(_arc(expected[:, ANGLES], after[:, t, ANGLES]))
        assert gap.max() < 1e-9, (t, gap)


def _truncated(u: np.ndarray, centre: np.ndarray, std: float, limit: float = 1.0) -> np.ndarray:
    """The u-quantile of N(centre, std) truncated to [-limit, limit] (scipy's)."""
    return stats.truncnorm.ppf(u, (-limit - centre) / std, (limit - centre) / std, loc=centre,
                               scale=std)


def _arc(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """The signed turn from start to end the shorter way round, in [-pi, pi)."""
    return np.mod(end - start + math.pi, TWO_PI) - math.pi


ANGLES = [3, 4, 6, 7, 8, 9]  # citris_model's angle columns: alpha, beta, spot, three hues


def _reference_step(previous: np.ndarray, current: np.ndarray, u: np.ndarray,
                    instantaneous: bool) -> np.ndarray:
    """One step of temporal-causal3dident.md's dynamics, before any target: positions half way
    to their goal plus N(0, 0.1) truncated to [-2, 2]; angles half way along the shorter arc
    plus N(0, 0.15), wrapped; rot_gamma 0; the shape kept unless u < 0.05 (then floor(7 u /
    0.05)). Goals read the parents at t - 1, or, instantaneous, at t (`current`: a variable's
    own previous value stays at t - 1)."""
    goals = _reference_goals(current if instantaneous else previous)
    goals["hue_back"] = previous[:, 9]  # its goal is itself, always the previous value
    out = np.zeros(previous.shape)
    for column, name in enumerate(("pos_x", "pos_y", "pos_z")):
        centre = previous[:, column] + (goals[name] - previous[:, column]) / 2
        out[:, column] = _truncated(u[:, column], centre, 0.1, limit=2.0)
    names = citris_model(7).names
    for column in ANGLES:
        turn = _arc(previous[:, column], goals[names[column]]) / 2
        out[:, column] = np.mod(previous[:, column] + turn + 0.15 * stats.norm.ppf(u[:, column]),
                                TWO_PI)
    out[:, 10] = np.where(u[:, 10] < 0.05, np.minimum(np.floor(7 * u[:, 10] / 0.05), 6),
                          previous[:, 10])
    return out


def test_edge_mechanism_has_todays_law() -> None:
    edges = (CausalEdge("hue_spot", "hue_object", 0.5),
             CausalEdge("hue_background", "hue_object", 0.5), CausalEdge("pos_y", "pos_x", 0.2))
    today = sample_latents(DatasetSettings(n_pairs=N, seed=3, causal_edges=edges)).raw1
    model = edge_model(FACTOR_NAMES, [(e.parent, e.child, e.strength) for e in edges])
    ours = sample(model, N, seed=3).values
    col = {name: i for i, name in enumerate(FACTOR_NAMES)}
    for name in ("pos_x", "pos_y", "hue_object", "hue_spot"):
        result = stats.ks_2samp(ours[:, col[name]], today[:, col[name]])
        assert result.pvalue > 1e-3, (name, result)
    # The child around its parent: the same law of the offset, the correlation in theory.
    offset = stats.ks_2samp(ours[:, 0] - ours[:, 1], today[:, 0] - today[:, 1])
    assert offset.pvalue > 1e-3, offset
    law = truncated_normal_pair(0.2)
    assert_close(float(np.corrcoef(ours[:, 1], ours[:, 0])[0, 1]), law.corr,
                 se_corr(law.corr, N), "corr(pos_y, pos_x)")
    # Two parents: the product of normals, centre their mean, std 0.5 / sqrt(2).
    centre = (ours[:, col["hue_spot"]] + ours[:, col["hue_background"]]) / 2
    mass = stats.norm.cdf((1 - centre) / 0.5 * math.sqrt(2)) - stats.norm.cdf(
        (-1 - centre) / 0.5 * math.sqrt(2))
    pit = (stats.norm.cdf((ours[:, col["hue_object"]] - centre) / 0.5 * math.sqrt(2))
           - stats.norm.cdf((-1 - centre) / 0.5 * math.sqrt(2))) / mass
    assert stats.kstest(pit, "uniform").pvalue > 1e-3


def test_normal_root_is_its_truncated_marginal() -> None:
    model = CausalModel((Variable("x"),), (Root(Marginal("normal", std=0.4)),))
    x = sample(model, N, seed=6).values[:, 0]
    assert stats.kstest(x, stats.truncnorm(-2.5, 2.5, scale=0.4).cdf).pvalue > 1e-3


def _reference_goals(z: np.ndarray) -> dict[str, np.ndarray]:
    """The goals as temporal-causal3dident.md writes them, from frame t - 1 (columns as
    citris_model's: pos x y z, alpha, beta, gamma, spot, hue object, spot, back, shape)."""
    alpha, beta, hue_object, hue_spot, hue_back = z[:, 3], z[:, 4], z[:, 7], z[:, 8], z[:, 9]
    mean = np.arctan2(np.sin(hue_spot) + np.sin(hue_back), np.cos(hue_spot) + np.cos(hue_back))
    per_shape = np.stack([np.zeros(len(z)), np.full(len(z), 2 * np.pi / 5), mean,
                          np.full(len(z), 4 * np.pi / 5), np.pi + mean,
                          np.full(len(z), 6 * np.pi / 5), np.full(len(z), 8 * np.pi / 5)], axis=1)
    return {"pos_x": 1.5 * np.sin(beta), "pos_y": 1.5 * np.sin(alpha),
            "pos_z": 1.5 * np.cos(alpha), "rot_alpha": hue_back, "rot_beta": hue_object,
            "rot_spot": np.mod(np.arctan2(z[:, 0], z[:, 1]), TWO_PI),
            "hue_object": per_shape[np.arange(len(z)), z[:, 10].astype(int)],
            "hue_spot": TWO_PI - hue_back, "hue_back": hue_back}


def test_citris_goals_and_noise_scales_hold_on_10000_steps(citris_sequence) -> None:
    model, trajectory = citris_sequence
    z = trajectory.values[0]
    goals = _reference_goals(z[:-1])
    for name, goal in goals.items():
        column = model.index(name)
        free = ~trajectory.interventions.mask[0, :, column]
        previous, now = z[:-1, column][free], z[1:, column][free]
        if name.startswith("pos_"):
            gap, move, noise = goal[free] - previous, now - previous, 0.1
        else:
            gap, move, noise = shorter_arc(previous, goal[free]), shorter_arc(previous, now), 0.15
        if name == "hue_back":  # its goal is itself: it only diffuses
            assert np.max(np.abs(gap)) == 0.0
            assert_close(float(np.mean(move)), 0.0, se_mean(move), "hue_back drift")
            assert_close(float(np.std(move)), noise, se_std(move), "hue_back noise")
            continue
        slope, intercept = np.polyfit(gap, move, 1)
        residual = move - (slope * gap + intercept)
        slope_se = np.std(residual) / (np.std(gap) * math.sqrt(gap.size))
        assert_close(float(slope), 0.5, float(slope_se), f"{name} slope")
        assert_close(float(intercept), 0.0, float(np.std(residual) / math.sqrt(gap.size)),
                     f"{name} intercept")
        assert_close(float(np.std(residual)), noise, se_std(residual), f"{name} residual std")


def test_citris_ranges_angles_and_constants(citris_sequence) -> None:
    model, trajectory = citris_sequence
    z = trajectory.values[0]
    assert np.all(np.abs(z[:, :3]) <= 2.0)
    angles = z[:, [3, 4, 6, 7, 8, 9]]
    assert np.all((angles >= 0.0) & (angles < TWO_PI))
    assert np.all(z[:, model.index("rot_gamma")] == 0.0)
    assert set(np.unique(z[:, -1])) <= set(range(7))
    # The shorter arc: from 0.05 towards 6.0 the angle turns down through 0 (to 6.17 with no
    # noise: u = 0.5), not up through pi (to 3.03).
    turn = HalfwayToGoal(_Const(6.0), 0.15).apply(Variable("a", 0.0, TWO_PI, "angle"), {},
                                                  np.array([0.05]), np.array([0.5]))
    assert np.allclose(turn, 0.05 + (6.0 - TWO_PI - 0.05) / 2 + TWO_PI, atol=1e-12)


class _Const:
    """A goal of one fixed value (the test's own, so the mechanism is tested alone)."""

    parents: tuple[str, ...] = ()

    def __init__(self, value: float) -> None:
        self.value = value

    def __call__(self, values):
        return np.array(self.value)

    def describe(self):
        return {"goal": "test", "value": self.value}


def test_categorical_persistence_frequencies() -> None:
    shape = Variable("shape", kind="categorical", categories=7)
    rng = np.random.default_rng(8)
    previous, noise = np.full(N * 10, 3.0), rng.random(N * 10)
    after = Persist(0.05).apply(shape, {}, previous, noise)
    changed = after != previous
    expected = 0.05 * 6 / 7
    assert_close(float(changed.mean()), expected, math.sqrt(expected * (1 - expected) / N / 10),
                 "change frequency")
    redrawn = after[noise < 0.05]
    counts = np.bincount(redrawn.astype(int), minlength=7)
    assert stats.chisquare(counts).pvalue > 1e-3  # uniform over all 7, the kept one included


def test_sequence_shape_changes_as_the_reference_says(citris_sequence) -> None:
    model, trajectory = citris_sequence
    column = model.index("shape")
    free = ~trajectory.interventions.mask[0, :, column]
    shape = trajectory.values[0, :, column]
    changed = (shape[1:] != shape[:-1])[free]
    expected = 0.05 * 6 / 7
    assert_close(float(changed.mean()), expected,
                 math.sqrt(expected * (1 - expected) / changed.size), "shape change frequency")


@pytest.mark.parametrize("p", [None, 0.3])
def test_intervention_frequencies_match_p(citris_sequence, p) -> None:
    model = citris_model(7)
    mask = draw_targets(model, (STEPS,), seed=11, p=p)
    expected = 1 / 8 if p is None else p  # 7 causal variables: 1 / (7 + 1)
    for group in model.groups:
        columns = [model.index(name) for name in group]
        assert np.all(mask[:, columns] == mask[:, columns[:1]])  # a group moves together
        hits = mask[:, columns[0]]
        assert_close(float(hits.mean()), expected, math.sqrt(expected * (1 - expected) / STEPS),
                     f"{group} frequency")
    assert not mask[:, model.index("rot_gamma")].any()
    # Groups are drawn independently: two of them hit together p^2 of the time.
    both = mask[:, 0] & mask[:, model.index("hue_back")]
    assert_close(float(both.mean()), expected**2,
                 math.sqrt(expected**2 * (1 - expected**2) / STEPS), "joint frequency")
    if p is None:  # the sequence drew its targets the same way
        _, trajectory = citris_sequence
        seen = trajectory.interventions.mask[0, :, model.index("hue_spot")]
        assert_close(float(seen.mean()), expected, math.sqrt(expected * (1 - expected) / STEPS),
                     "sequence targets")


def test_single_target_mode_picks_one_group_uniformly() -> None:
    model = citris_model(7)
    mask = draw_targets(model, (STEPS,), seed=12, single=True)
    heads = np.stack([mask[:, model.index(group[0])] for group in model.groups], axis=1)
    assert np.all(heads.sum(axis=1) == 1)
    assert stats.chisquare(heads.sum(axis=0)).pvalue > 1e-3


def test_intervention_values_are_uniform_on_the_range() -> None:
    model = citris_model(7)
    doing = draw_interventions(model, (STEPS * 4,), seed=13, p=0.5)
    pos = doing.values[doing.mask[:, 0], 0]
    assert stats.kstest(pos, stats.uniform(-2, 4).cdf).pvalue > 1e-3
    hue = doing.values[doing.mask[:, 7], 7]
    assert stats.kstest(hue, stats.uniform(0, TWO_PI).cdf).pvalue > 1e-3
    shapes = doing.values[doing.mask[:, 10], 10].astype(int)
    assert stats.chisquare(np.bincount(shapes, minlength=7)).pvalue > 1e-3


def test_bad_models_say_what_is_wrong() -> None:
    with pytest.raises(SettingsError, match=r"a -> b -> a"):
        _ = CausalModel((Variable("a"), Variable("b")),
                        (GaussianEdges(("b",), (0.1,)), GaussianEdges(("a",), (0.1,)))).order
    with pytest.raises(SettingsError, match="names of variables"):
        CausalModel((Variable("a"),), (GaussianEdges(("nope",), (0.1,)),))
    with pytest.raises(SettingsError, match="outside a sequence"):
        sample(citris_model(1), 3, seed=0)
    with pytest.raises(SettingsError, match=r"\[0, 1\]"):
        draw_targets(citris_model(1), (3,), seed=0, p=1.5)
    with pytest.raises(SettingsError, match="n_shapes"):
        citris_model(8)
