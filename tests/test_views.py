"""k views (issue 15): every block type and a causal edge for k = 2, 3, 5, the views setting,
and the bundled two-view presets describing themselves as they did before there were k."""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import assert_close, se_corr, se_mean, se_std
from scipy import stats
from stats_theory import truncated_normal_pair

from identbox.dataset.files.manifest import build_manifest
from identbox.errors import SettingsError
from identbox.model.camera import project_to_pixels
from identbox.presets import load_preset, preset_names
from identbox.sampling import BLOCKS, FACTOR_NAMES, LatentPairs, LatentViews, sample_latents
from identbox.sampling.blocks import VIEWS_RULE
from identbox.sampling.multi import OBJECT_RADIUS, OBJECT_TYPES, MultiBlock, sample_scenes
from identbox.settings.objects import MultiObjectSettings
from identbox.settings.pairs import BlockSettings, CausalEdge, DatasetSettings
from identbox.settings.views import views_of as settings_views_of

N = 20_000
VIEWS = (2, 3, 5)
COL = {name: i for i, name in enumerate(FACTOR_NAMES)}



def uniform_ks(x: np.ndarray) -> float:
    return stats.kstest(x, stats.uniform(-1, 2).cdf).pvalue


def corr(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a, b)[0, 1])


def views_of(k: int, seed: int = 3, n: int = N, edges: tuple[CausalEdge, ...] = (),
             **types: BlockSettings) -> LatentViews:
    blocks = {"positions": BlockSettings(type="content"), "rotations": BlockSettings(type="style"),
              "hues": BlockSettings(type="view_specific"), **types}
    return sample_latents(DatasetSettings(n_pairs=n, seed=seed, n_views=k, blocks=blocks,
                                          causal_edges=edges))


def test_two_view_presets_say_nothing_of_views() -> None:
    """A two-view preset's settings and manifest stay as they were before k views (their
    latents and files are pinned in tests/data/golden_digests.json)."""
    two_views = [name for name in preset_names()  # a preset with a views list is newer
                 if getattr(load_preset(name), "n_views", 0) == 2
                 and not load_preset(name).views]
    assert len(two_views) >= 9
    for name in two_views:
        settings = load_preset(name).replace(n_pairs=50)
        assert "n_views" not in settings.to_dict()
        assert "views" not in build_manifest(settings, {})


@pytest.mark.parametrize("k", VIEWS)
def test_content_is_equal_in_every_view(k: int) -> None:
    result = views_of(k)
    assert result.n_views == len(result.raws) == k
    for c in BLOCKS["positions"]:
        assert uniform_ks(result.raw1[:, c]) > 1e-3
        for view in range(2, k + 1):
            assert np.array_equal(result.raw(view)[:, c], result.raw1[:, c])


@pytest.mark.parametrize("k", VIEWS)
def test_style_redraws_every_view_around_view_1_on_its_own(k: int) -> None:
    law = truncated_normal_pair(1.0)
    result = views_of(k)
    for c in (COL["rot_alpha"], COL["rot_gamma"], COL["spot_theta"]):
        s = result.raw1[:, c]
        assert uniform_ks(s) > 1e-3
        for view in range(2, k + 1):
            s2 = result.raw(view)[:, c]
            assert np.all(s != s2), f"view {view} keeps a style value (change probability 1)"
            assert_close(corr(s, s2), law.corr, se_corr(law.corr, N), f"corr view {view}")
            diff = np.abs(s2 - s)
            assert_close(diff.mean(), law.mean_abs_diff, se_mean(diff), f"|diff| view {view}")
            assert_close(s2.std(), law.child_std, se_std(s2), f"std view {view}")
        for v, w in itertools.combinations(range(2, k + 1), 2):  # related only through view 1
            rho = corr(result.raw(v)[:, c], result.raw(w)[:, c])
            assert_close(rho, law.sibling_corr, se_corr(law.sibling_corr, N), f"views {v}, {w}")


@pytest.mark.parametrize("k", VIEWS)
def test_style_change_probability_holds_per_view_and_dimension(k: int) -> None:
    p = 0.3
    result = views_of(k, rotations=BlockSettings(type="style", change_probability=p))
    a, b = COL["rot_alpha"], COL["rot_gamma"]
    changed = {view: result.raw(view) != result.raw1 for view in range(2, k + 1)}
    rate_se = np.sqrt(p * (1 - p) / N)
    joint_se = np.sqrt(p * p * (1 - p * p) / N)
    for view, change in changed.items():
        for c in (a, b):
            assert_close(change[:, c].mean(), p, rate_se, f"change rate view {view} col {c}")
        assert_close((change[:, a] & change[:, b]).mean(), p * p, joint_se,
                     f"both dimensions change in view {view}")
    for v, w in itertools.combinations(changed, 2):  # each view decides on its own
        assert_close((changed[v][:, a] & changed[w][:, a]).mean(), p * p, joint_se,
                     f"views {v} and {w} both change")


@pytest.mark.parametrize("k", VIEWS)
def test_view_specific_keeps_m1_m2_m3_in_two_views_else_draws_each_view(k: int) -> None:
    result = views_of(k)
    m1, m2, m3 = (COL[name] for name in ("hue_background", "hue_spot", "hue_object"))
    if k == 2:
        z1, z2 = result.raw1, result.raw2
        assert uniform_ks(z1[:, m1]) > 1e-3 and not z2[:, m1].any()
        assert not z1[:, m2].any() and not z2[:, m2].any()
        assert not z1[:, m3].any() and uniform_ks(z2[:, m3]) > 1e-3
        return
    for c in BLOCKS["hues"]:
        for view in range(1, k + 1):
            assert uniform_ks(result.raw(view)[:, c]) > 1e-3, f"col {c} view {view}"
        for v, w in itertools.combinations(range(1, k + 1), 2):
            rho = corr(result.raw(v)[:, c], result.raw(w)[:, c])
            assert_close(rho, 0.0, se_corr(0.0, N), f"col {c}, views {v} and {w}")


@pytest.mark.parametrize("k", VIEWS)
def test_a_causal_edge_acts_within_each_view(k: int) -> None:
    """Content parent -> style child and content parent -> view-specific child: the style
    child relates to its parent in view 1 as published; the view-specific child in every view
    it is drawn in (view 1 only for m1 in two views)."""
    strength = 0.5
    law = truncated_normal_pair(strength)
    edges = (CausalEdge("pos_x", "rot_alpha", strength),
             CausalEdge("pos_y", "hue_background", strength))
    result = views_of(k, seed=4, edges=edges)
    x, alpha, y, hue = (COL[n] for n in ("pos_x", "rot_alpha", "pos_y", "hue_background"))
    z1 = result.raw1
    assert_close(corr(z1[:, x], z1[:, alpha]), law.corr, se_corr(law.corr, N), "style child")
    drawn_in = range(1, k + 1) if k > 2 else (1,)  # m1 lives in view 1 only
    for view in drawn_in:
        z = result.raw(view)
        assert_close(corr(z[:, y], z[:, hue]), law.corr, se_corr(law.corr, N), f"view {view}")
    if k > 2:  # two later views' children: each around the same parent, not around each other
        rho = corr(result.raw(2)[:, hue], result.raw(3)[:, hue])
        assert_close(rho, law.sibling_corr, se_corr(law.sibling_corr, N), "views 2 and 3")


@pytest.mark.parametrize("k", (3, 5))
def test_views_1_and_2_keep_their_streams(k: int) -> None:
    two, more = views_of(2, n=2000), views_of(k, n=2000)
    live = [COL[n] for n in ("pos_x", "pos_y", "pos_z", "rot_alpha", "rot_gamma", "spot_theta",
                             "hue_background")]  # content, style and the two-view m1
    assert np.array_equal(two.raw1[:, live], more.raw1[:, live])
    assert np.array_equal(two.raw2[:, live[:6]], more.raw2[:, live[:6]])
    assert not any(np.array_equal(more.raw(3)[:, c], more.raw2[:, c]) for c in live[3:])


def test_latent_views_read_like_pairs() -> None:
    raws = [np.full((4, 10), v / 10) for v in range(1, 4)]
    views = LatentViews.of(raws)
    assert LatentPairs is LatentViews
    assert views.n_views == 3 and len(views) == 4
    assert views.raw1 is raws[0] and views.raw2 is raws[1] and views.raw(3) is raws[2]
    assert np.array_equal(views.latents(3), LatentViews(raws[2], raws[2]).latents1)
    pair = LatentPairs(raws[0], raws[1], np.ones(10))
    assert pair.n_views == 2 and np.array_equal(pair.latents2, raws[1])
    with pytest.raises(IndexError, match="view 4 of 3"):
        views.raw(4)


def test_n_views_is_written_and_recorded_only_when_not_2() -> None:
    for settings in (DatasetSettings(n_pairs=10), MultiObjectSettings(n_pairs=10)):
        assert "n_views" not in settings.to_dict()
        more = settings.replace(n_views=4)
        data = more.to_dict()
        assert data["n_views"] == 4 and type(more).from_dict(data) == more
        record = build_manifest(more, {})["views"]
        assert {k: record[k] for k in ("n_views", "rule")} == {"n_views": 4, "rule": VIEWS_RULE}
        assert [(v["folder"], v["name"], v["modality"]) for v in record["list"]] == [
            (f"m{k}", f"m{k}", "image") for k in (1, 2, 3, 4)]
        assert [v["material"] for v in record["list"]] == [
            more.view_material(k) for k in (1, 2, 3, 4)]
        assert more.sample().n_views == 4


@pytest.mark.parametrize("value", [1, 17, 2.5, True, "3"])
def test_n_views_out_of_range_is_a_clear_error(value: object) -> None:
    for kind in (DatasetSettings, MultiObjectSettings):
        with pytest.raises(SettingsError) as caught:
            kind.from_dict({"n_views": value})
        assert caught.value.setting == "n_views" and "[2, 16]" in str(caught.value)


def test_m1_m2_m3_roles_in_more_than_two_views_name_n_views() -> None:
    roles = {"hues": {"type": "view_specific",
                      "view_roles": ["hue_background", "hue_spot", "hue_object"]}}
    assert DatasetSettings.from_dict({"blocks": roles}).n_views == 2
    for kind in (DatasetSettings, MultiObjectSettings):
        with pytest.raises(SettingsError) as caught:
            kind.from_dict({"n_views": 3, "blocks": roles})
        assert caught.value.setting == "n_views"
        assert "blocks.hues.view_roles" in str(caught.value)


def test_edges_may_join_view_specific_factors_in_more_than_two_views() -> None:
    edge = [{"parent": "spot_theta", "child": "hue_spot"}]  # spot_theta is m2 in two views
    with pytest.raises(SettingsError, match="m2"):
        DatasetSettings.from_dict({"causal_edges": edge})
    settings = DatasetSettings.from_dict({"causal_edges": edge, "n_views": 3, "n_pairs": 10})
    assert settings.column_roles()[COL["spot_theta"]] == "view_specific"


MULTI = {"objects": MultiBlock("content"), "positions": MultiBlock("style"),
         "rotations": MultiBlock("style"), "hues": MultiBlock("view_specific")}


@pytest.mark.parametrize("k", VIEWS)
def test_multi_object_placement_and_blocks_hold_in_every_view(k: int) -> None:
    n, n_objects = 1500, 3
    scenes = sample_scenes(n, 6, n_objects, OBJECT_TYPES,
                           {**MULTI, "objects": MultiBlock("style", change_probability=0.5)},
                           0.25, 50.0, 128, n_views=k)
    assert len(scenes.raws) == k
    rate_se = np.sqrt(0.25 / (n * n_objects))
    for view in range(1, k + 1):
        centres = scenes.centres(view)
        for i, j in itertools.combinations(range(n_objects), 2):
            gap = np.linalg.norm(centres[:, i] - centres[:, j], axis=1) - 2 * OBJECT_RADIUS
            assert gap.min() >= 0.25, f"objects {i}, {j} overlap in view {view}"
        pixels = project_to_pixels(centres.reshape(-1, 3), 128)
        assert ((pixels > 4) & (pixels < 124)).all(), f"an object leaves view {view}"
        if view > 1:
            changed = scenes.types(view) != scenes.types(1)
            assert_close(changed.mean(), 0.5, rate_se, f"type change rate, view {view}")
            positions = scenes.centres(view) != scenes.centres(1)
            assert positions.all(), f"style positions kept in view {view}"
    hue = 0  # the spot hue: view-specific, drawn in every view on its own
    for v, w in itertools.combinations(range(1, k + 1), 2):
        rho = corr(scenes.raws[v - 1][:, hue], scenes.raws[w - 1][:, hue])
        assert_close(rho, 0.0, se_corr(0.0, n), f"spot hue, views {v} and {w}")


@pytest.mark.parametrize("k", (3, 5))
def test_multi_object_content_is_equal_in_every_view(k: int) -> None:
    scenes = sample_scenes(300, 2, 2, OBJECT_TYPES,
                           {**MULTI, "positions": MultiBlock("content")}, 0.25, 50.0, 128,
                           n_views=k)
    for view in range(2, k + 1):
        assert np.array_equal(scenes.types(view), scenes.types(1))
        assert np.array_equal(scenes.centres(view), scenes.centres(1))


def test_a_views_list_names_each_view_and_sets_its_material_and_count() -> None:
    for kind in (DatasetSettings, MultiObjectSettings):
        settings = kind.from_dict({"n_pairs": 5, "views": [
            {}, {"material": "Crystal"}, {"name": "top"}]})
        assert settings.n_views == 3
        assert [v.name for v in settings_views_of(settings)] == ["m1", "m2", "top"]
        assert [settings.view_material(k) for k in (1, 2, 3)] == [
            settings.scene.material(1), "Crystal", settings.scene.material(3)]
        assert kind.from_dict(settings.to_dict()) == settings
        assert settings.sample().n_views == 3
        # Every view its default: no list, and the bytes of a settings without one.
        plain = kind.from_dict({"n_pairs": 5, "views": [{}, {}]})
        assert plain.views == () and plain.to_dict() == kind(n_pairs=5).to_dict()


@pytest.mark.parametrize(("views", "words"), [
    ([{"material": "Gold"}, {}], "views[0].material = 'Gold'"),
    ([{"name": "a b"}, {}], "views[0].name = 'a b'"),
    ([{"name": "x"}, {"name": "x"}], "different names"),
    ([{"colour": "red"}, {}], "colour"),
    ("m1,m2", "a list of views"),
    ([{}] * 17, "n_views = 17"),
])
def test_a_bad_views_list_is_one_clear_error(views: object, words: str) -> None:
    with pytest.raises(SettingsError, match=re.escape(words)):
        DatasetSettings.from_dict({"views": views})


def test_the_command_line_takes_a_views_list(tmp_path: Path) -> None:
    out = tmp_path / "three"
    run = subprocess.run([sys.executable, "-m", "identbox", "sample", "--n-pairs", "4",
                          "--views", "m1,m2:Crystal,top", "--out", str(out)],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert [v["name"] for v in manifest["views"]["list"]] == ["m1", "m2", "top"]
    assert manifest["settings"]["views"][1]["material"] == "Crystal"
    assert sorted(p.name for p in (out / "factors").iterdir()) == ["m1", "m2", "m3"]
    bad = subprocess.run([sys.executable, "-m", "identbox", "sample", "--views", "a,a",
                          "--out", str(tmp_path / "bad")], capture_output=True, text=True,
                         check=False)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "different names" in bad.stderr
    assert not (tmp_path / "bad").exists()
