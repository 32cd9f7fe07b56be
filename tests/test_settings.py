"""The settings object: validation that names the setting, value and range; presets; round trips."""

from __future__ import annotations

import json

import pytest

from identbox.errors import SettingsError
from identbox.presets import load_preset, preset_names
from identbox.settings.kinds import settings_from_dict
from identbox.settings.pairs import BlockSettings, DatasetSettings


@pytest.mark.parametrize("data,setting,allowed", [
    ({"n_pairs": 0}, "n_pairs", "[1, 10000000]"),
    ({"n_pairs": -5}, "n_pairs", "[1, 10000000]"),
    ({"n_pairs": 2.5}, "n_pairs", "an integer"),
    ({"n_pairs": True}, "n_pairs", "an integer"),
    ({"seed": -1}, "seed", "[0, 2147483647]"),
    ({"name": ""}, "name", "non-empty"),
    ({"blocks": {"colours": {"type": "content"}}}, "colours", "known: positions, rotations, hues"),
    ({"blocks": {"hues": {"type": "shared"}}}, "blocks.hues.type",
     "content, style, view_specific"),
    ({"blocks": {"hues": {"change_probability": 1.5}}}, "blocks.hues.change_probability",
     "[0, 1]"),
    ({"blocks": {"hues": {"change_probability": -0.1}}}, "blocks.hues.change_probability",
     "[0, 1]"),
    ({"blocks": {"hues": {"marginal": {"kind": "uniform", "low": 0.5, "high": 0.2}}}},
     "blocks.hues.marginal.low", "below high"),
    ({"blocks": {"hues": {"marginal": {"kind": "normal", "std": -1}}}},
     "blocks.hues.marginal.std", "(0, 1000000]"),
    ({"blocks": {"hues": {"conditional": {"std": -0.5}}}}, "blocks.hues.conditional.std",
     "[0, 1000000]"),
    ({"blocks": {"hues": {"conditional": {"spread": 1}}}}, "blocks.hues.conditional.spread",
     "unknown"),
    ({"blocks": {"hues": {"type": "view_specific", "view_roles": ["hue_spot", "pos_x", "x"]}}},
     "blocks.hues.view_roles", "m1, m2, m3"),
    ({"colour": "red"}, "colour", "unknown setting"),
])
def test_bad_values_raise_errors_naming_setting_value_and_range(data, setting, allowed) -> None:
    with pytest.raises(SettingsError) as caught:
        DatasetSettings.from_dict(data)
    error = caught.value
    assert error.setting == setting
    assert allowed in error.allowed
    assert setting in str(error) and "not allowed" in str(error)


def test_constructor_validates_too() -> None:
    with pytest.raises(SettingsError, match="n_pairs"):
        DatasetSettings(n_pairs=0)
    with pytest.raises(SettingsError, match="seed"):
        DatasetSettings().replace(seed=2**31)
    with pytest.raises(SettingsError, match="type"):
        BlockSettings(type="nope")


def test_unknown_preset_is_a_clear_error() -> None:
    with pytest.raises(SettingsError) as caught:
        load_preset("no_such_preset")
    assert caught.value.setting == "preset"
    assert "hues_positions_rotations" in caught.value.allowed


@pytest.mark.parametrize("name", preset_names())
def test_presets_round_trip_through_plain_data(name: str) -> None:
    settings = load_preset(name)
    assert settings.name == name
    data = json.loads(json.dumps(settings.to_dict()))
    assert settings_from_dict(data) == settings


def test_preset_files_and_manifests_load_by_path(tmp_path) -> None:
    custom = {"name": "mine", "n_pairs": 7, "blocks": {"rotations": {"type": "content"}}}
    path = tmp_path / "mine.json"
    path.write_text(json.dumps(custom))
    settings = load_preset(str(path))
    assert settings.n_pairs == 7 and settings.blocks["rotations"].type == "content"
    assert settings.blocks["hues"].type == "content"  # unspecified: the defaults
    path.write_text("{not json")
    with pytest.raises(SettingsError, match="valid JSON"):
        load_preset(str(path))


def test_the_proposed_edge_keeps_the_settings_valid() -> None:
    """The Causal list's + proposes an edge the settings accept, next to the ones there."""
    from identbox.presets import load_preset
    from identbox.settings.panel import proposed_edge

    settings = load_preset("part2_causal")
    seen = set()
    for _ in range(4):
        edge = proposed_edge(settings)
        assert edge is not None
        settings = settings.replace(causal_edges=(*settings.causal_edges, edge))  # valid
        assert (edge.parent, edge.child) not in seen
        seen.add((edge.parent, edge.child))
    # The default hues_positions_rotations: rotations view-specific, so spot_theta (m2) is 0
    # in view 1 and is never proposed as a parent.
    plain = load_preset("hues_positions_rotations")
    assert proposed_edge(plain).parent != "spot_theta"
