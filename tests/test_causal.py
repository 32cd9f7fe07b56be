"""Part 2: causal edges between factors, the published graph, and graph errors."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import assert_close, se_corr
from stats_theory import gaussian_edges_corr, truncated_normal_pair

from identbox.errors import SettingsError
from identbox.presets import load_preset
from identbox.sampling import FACTOR_NAMES, sample_latents
from identbox.sampling.causal import Parents, find_cycle, topological_order
from identbox.settings.pairs import CausalEdge, DatasetSettings

N = 20_000
COL = {name: i for i, name in enumerate(FACTOR_NAMES)}


def corr(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a, b)[0, 1])


def test_published_graph() -> None:
    settings = load_preset("part2_causal")
    edges = {(e.parent, e.child) for e in settings.causal_edges}
    # c2 -> c1, s2 -> s1, c3 -> s3 with hues content and positions style (table order)
    assert edges == {("hue_spot", "hue_object"), ("pos_y", "pos_x"), ("hue_background", "pos_z")}
    roles = settings.column_roles()
    assert [roles[COL[n]] for n in ("hue_object", "hue_spot", "hue_background")] == ["content"] * 3
    assert [roles[COL[n]] for n in ("pos_x", "pos_y", "pos_z")] == ["style"] * 3


@pytest.mark.parametrize("strength", [1.0, 0.5, 0.2])
def test_children_follow_their_parents_as_configured(strength: float) -> None:
    preset = load_preset("part2_causal")
    edges = tuple(CausalEdge(e.parent, e.child, strength) for e in preset.causal_edges)
    pairs = sample_latents(preset.replace(n_pairs=N, seed=2, causal_edges=edges))
    z1, z2 = pairs.raw1, pairs.raw2
    law = truncated_normal_pair(strength)
    for edge in edges:
        rho = corr(z1[:, COL[edge.parent]], z1[:, COL[edge.child]])
        assert_close(rho, law.corr, se_corr(law.corr, N), f"corr {edge}")
    # Roots stay uniform and unrelated: c2 vs c3, s2 vs c3.
    for a, b in (("hue_spot", "hue_background"), ("pos_y", "hue_background")):
        assert_close(corr(z1[:, COL[a]], z1[:, COL[b]]), 0.0, se_corr(0, N), f"{a} vs {b}")
    # View 2 follows Part 1: content copied, style redrawn around view 1.
    assert np.array_equal(z1[:, 7:], z2[:, 7:])
    assert np.all(z1[:, :3] != z2[:, :3])


def test_two_parents_combine_as_a_product_of_gaussians() -> None:
    parents = Parents((0, 1), (0.5, 1.0))
    values = np.array([[0.2, -0.4] + [0.0] * 8])
    centre, std = parents.centre_and_std(values)
    w = np.array([4.0, 1.0]) / 5.0
    assert np.isclose(centre[0], w @ [0.2, -0.4])
    assert np.isclose(std, 1 / np.sqrt(5.0))
    settings = DatasetSettings(n_pairs=N, causal_edges=(
        CausalEdge("hue_spot", "hue_object", 0.5), CausalEdge("hue_background", "hue_object", 0.5)))
    z1 = sample_latents(settings).raw1
    rho = gaussian_edges_corr((0.5, 0.5))  # both parents: centre their mean, std 0.5 / sqrt(2)
    for parent, law in zip(("hue_spot", "hue_background"), rho, strict=True):
        assert_close(corr(z1[:, COL[parent]], z1[:, COL["hue_object"]]), law, se_corr(law, N),
                     f"corr({parent}, hue_object)")


def test_the_two_parent_check_tells_the_law_from_near_misses() -> None:
    """The bound above must reject laws that a loose `corr > 0.3` let through: the std left at
    one edge's 0.5 (0.40), or one parent picked at random per sample (0.35)."""
    for strength in (0.5, 0.2):  # one parent: two quadratures of the same law agree
        one = gaussian_edges_corr((strength,))[0]
        assert abs(one - truncated_normal_pair(strength).corr) < 1e-9
    law = gaussian_edges_corr((0.5, 0.5))[0]
    tolerance = 5 * se_corr(law, N)
    for wrong in (gaussian_edges_corr((0.5, 0.5), std=0.5)[0],
                  truncated_normal_pair(0.5).corr / 2):
        # a sample within tolerance of the wrong law is never within tolerance of the right one
        assert wrong > 0.3 and abs(wrong - law) > 2 * tolerance


def test_chains_are_sampled_parents_first() -> None:
    settings = DatasetSettings(n_pairs=N, causal_edges=(
        CausalEdge("hue_object", "hue_spot", 0.1), CausalEdge("hue_spot", "hue_background", 0.1)))
    z1 = sample_latents(settings).raw1
    assert corr(z1[:, COL["hue_object"]], z1[:, COL["hue_background"]]) > 0.9


def test_graph_helpers() -> None:
    assert find_cycle(3, [(0, 1), (1, 2)]) is None
    assert find_cycle(3, [(0, 1), (1, 2), (2, 0)]) == [0, 1, 2, 0]
    assert topological_order(4, [(3, 0), (2, 3)]) == [1, 2, 3, 0]


@pytest.mark.parametrize("edges,setting,snippet", [
    ([{"parent": "hue_spot", "child": "hue_object"}, {"parent": "hue_object", "child": "hue_spot"}],
     "causal_edges", "cycle"),
    ([{"parent": "hue_spot", "child": "colour"}], "causal_edges[0].child", "factor name"),
    ([{"parent": "nope", "child": "hue_spot"}], "causal_edges[0].parent", "factor name"),
    ([{"parent": "hue_spot", "child": "rot_beta"}], "causal_edges[0].child", "constant"),
    ([{"parent": "spot_theta", "child": "hue_spot"}], "causal_edges[0].parent", "m2"),
    ([{"parent": "hue_spot", "child": "hue_spot"}], "causal_edges[0].child", "other than"),
    ([{"parent": "hue_spot", "child": "hue_object", "strength": 0}],
     "causal_edges[0].strength", "[1e-06"),
    ([{"parent": "hue_spot", "child": "hue_object", "weight": 1}],
     "causal_edges[0].weight", "unknown"),
])
def test_bad_graphs_are_clear_errors(edges, setting: str, snippet: str) -> None:
    with pytest.raises(SettingsError) as caught:
        DatasetSettings.from_dict({"causal_edges": edges})
    assert caught.value.setting == setting
    assert snippet in str(caught.value)
