"""The UI in the real Blender (bpy wheel, background): properties mirror the settings, every
panel draws for every preset using only properties and operators that exist, and Render
Dataset is disabled while the settings are invalid.

Each script in tests/blender_scripts/ works through one scene in order, which takes Blender
tens of seconds; it runs once per module (a fixture) and every check below reads its named
values, so a failure names the check without running Blender again per check."""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest
from conftest import run_blender_file

from identbox.dataset.writing.writer import write_latents
from identbox.settings.pairs import DatasetSettings

pytestmark = [pytest.mark.blender, pytest.mark.every_blender]

Result = dict[str, Any]


def _run(name: str, tmp_path_factory: pytest.TempPathFactory, out: str = "") -> Result:
    """One run of blender_scripts/<name>.py, its output under `out` in a new temporary folder."""
    tmp = tmp_path_factory.mktemp(name)
    return run_blender_file(name, tmp, str(tmp / out))


# --- ui_checks.py: properties and panels for every preset --------------------------------------


@pytest.fixture(scope="module")
def ui(tmp_path_factory: pytest.TempPathFactory) -> Result:
    """Properties, panels and operators worked through one scene (ui_checks.py)."""
    return _run("ui_checks", tmp_path_factory, "cube")


def test_panels_draw_only_what_exists(ui: Result) -> None:
    assert ui["problems"] == []


def test_property_defaults_are_the_default_settings(ui: Result) -> None:
    assert ui["defaults_equal"], "the properties' defaults are not DatasetSettings()"


def test_every_preset_comes_back_from_the_properties(ui: Result) -> None:
    assert ui["presets"] and all(ui["presets"].values()), ui["presets"]


def test_a_preset_sets_the_mode(ui: Result) -> None:
    assert ui["modes"]["clevr_like"] == "OBJECTS" and ui["modes"]["part2_causal"] == "PAIRS"


def test_the_published_look_button(ui: Result) -> None:
    assert ui["published_look"]


def test_the_camera_panel_follows_the_preset(ui: Result) -> None:
    assert ui["camera_panel"] == "view_specific" and ui["camera_panel_off"] is False


def test_a_text_view_draws_its_words_and_templates(ui: Result) -> None:
    assert ui["text_view_drawn"] == ["describe_colour", "describe_ground_colour",
                                     "describe_position", "describe_shape",
                                     "describe_spot_colour", "text"]


def test_invalid_settings_are_said_and_disable_render(ui: Result) -> None:
    assert ui["render_enabled_when_invalid"] == [False]
    said = " ".join(text or "" for text in ui["error_labels"])  # in the panel's words
    assert "Positions, View 1, Low 0.5: needs" in said, ui["error_labels"]


def test_a_folder_relative_to_an_unsaved_file_disables_render(ui: Result) -> None:
    assert ui["render_enabled_unsaved_folder"] == [False]
    assert any("save the .blend" in (t or "").lower() for t in ui["folder_error"]), \
        ui["folder_error"]


def test_a_busy_folder_is_said(ui: Result) -> None:
    assert "not empty and holds no IdentBox dataset" in ui["busy_folder_error"]


def test_an_unwritable_folder_is_said_and_disables_render(ui: Result) -> None:
    assert "/proc is not a folder you can write" in ui["unwritable_folder_error"]
    assert ui["render_enabled_unwritable"] == [False]


def test_valid_settings_enable_render(ui: Result) -> None:
    assert ui["render_enabled_when_valid"] == [True]


def test_the_size_and_time_estimates(ui: Result) -> None:
    assert ui["estimate_labels"] == ["2,000 images, ~49.2 MB"]
    assert len(ui["time_labels"]) == 1 and ui["time_labels"][0].endswith("(rough)")


def test_a_folder_holding_another_dataset_disables_render(ui: Result) -> None:
    message, enabled = ui["held_other"]
    assert message == ("This folder holds a Pairs dataset of other settings (1 setting "
                       "differs): choose another folder or load them")
    assert enabled == [False]


def test_a_folder_holding_the_same_dataset_is_resumed(ui: Result) -> None:
    assert ui["held_same"] == ["", [True]]


def test_the_preview_sample_count_reaches_the_evaluated_scene(ui: Result) -> None:
    assert ui["preview_samples_evaluated"] == 3  # not Cycles' default of 1024


def test_the_last_run_shows_only_with_its_folder(ui: Result) -> None:
    assert ui["last_run"] == [[True, True], [False, False]]


def test_unplaceable_objects_are_said_and_disable_render(ui: Result) -> None:
    assert ui["render_enabled_unplaceable"] == [False]
    assert "could be placed" in ui["placement_error"], ui["placement_error"]


def test_every_setting_round_trips_through_the_properties(ui: Result) -> None:
    assert ui["custom_round_trip"]


def test_user_presets_are_listed_and_removed(ui: Result) -> None:
    assert ui["user_presets"] == ["my_preset"] and ui["user_presets_after_remove"] == []


def test_a_user_preset_round_trips(ui: Result) -> None:
    assert ui["user_preset_round_trip"]


def test_the_preview_shows_the_sample_in_the_identbox_scene(ui: Result) -> None:
    seen, expected = ui["preview_location"]
    assert seen == pytest.approx(expected, abs=1e-3)
    assert ui["preview_material"] == "IdentBox Rubber"  # view 2 of the custom settings
    assert ui["scene_after_preview"] == "IdentBox"


def test_the_identbox_scene_edits_the_users_settings(ui: Result) -> None:
    assert ui["home"] == "Scene" and ui["same_settings"]


def test_a_preview_keeps_the_causal_edges(ui: Result) -> None:
    assert ui["part2_after_preview"]


def test_the_preview_stays_still_while_rendering(ui: Result) -> None:
    assert ui["preview_frozen_while_running"]


def test_objects_mode_renders_images_and_masks(ui: Result) -> None:
    assert ui["objects_files"] == [f"{kind}/m{v}/00000{i}.png" for kind in ("masks", "samples")
                                   for v in (1, 2) for i in range(2)]


def test_validate_dataset_passes_an_objects_render(ui: Result) -> None:
    assert ui["validate_dataset"] == ["FINISHED"] and "0 failed" in ui["validate_message"]


def test_the_contact_sheet_and_latents_plot_are_drawn(ui: Result) -> None:
    assert ui["looks"] == [True, True]


def test_open_output_without_an_opener_is_cancelled(ui: Result) -> None:
    assert ui["open_without_opener"] == ["CANCELLED"]  # with a warning saying where it is


def test_objects_mode_previews_the_samples_objects(ui: Result) -> None:
    assert ui["objects_preview_scene"] == "IdentBox Objects"
    seen_xy, expected_xy = ui["objects_preview_xy"]
    assert seen_xy == pytest.approx(expected_xy, abs=1e-4)


def test_validation_and_pictures_without_pillow(ui: Result) -> None:
    assert ui["validate_without_pillow"] == ["FINISHED"]
    assert ui["validate_without_pillow_message"] == ui["validate_message"]
    assert ui["sheet_without_pillow"] == "drawn"  # numpy draws it: the same in Blender


def test_validate_dataset_names_a_deleted_image(ui: Result) -> None:
    assert "samples/m1" in ui["validate_after_delete"]


def test_cube_mode_settings_and_render(ui: Result) -> None:
    assert ui["cube_settings"] and ui["cube_images"] == [27, 27]


def test_the_contact_sheet_of_a_cube_dataset_is_refused(ui: Result) -> None:
    assert "identbox-cube/1" in ui["sheet_of_cube"] and "image pairs" in ui["sheet_of_cube"]


def test_cube_playback_shows_the_labels_frame(ui: Result) -> None:
    assert ui["playback_matches"]


def test_a_cube_frame_beyond_the_file_is_said(ui: Result) -> None:
    assert "Frame 1000: the file has frames 0 to 26" in ui["frame_error"], ui["frame_error"]


def test_bad_cube_sizes_name_the_setting(ui: Result) -> None:
    assert "cube.sizes" in ui["bad_sizes"]


def test_operator_arguments_out_of_range_are_refused(ui: Result) -> None:
    refused = ui["refused"]
    assert "n_pairs" in refused["sample_latents {'n_pairs': -1}"]
    assert "resolution" in refused["render_dataset {'resolution': 0}"]
    assert "batch_index" in refused["render_dataset {'n_batches': 2, 'batch_index': 5}"]


def test_back_to_scene(ui: Result) -> None:
    assert ui["back"] == ["FINISHED"] and ui["scene_after_back"] == "Scene"


def test_unregister_leaves_nothing_and_register_works_again(ui: Result) -> None:
    assert ui["unregistered"] and ui["registered_again"]
    assert ui["scenes_after_unregister"] == ["Scene"]
    assert ui["identbox_objects_after_unregister"] == []


# --- validate_modes.py and render_preset_buttons.py ------------------------------------------


def test_validate_settings_checks_the_settings_of_the_panels_mode(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """Objects mode's settings are what Validate Settings checks there (it once checked the
    Pairs settings in every mode)."""
    result = _run("validate_modes", tmp_path_factory, "out")
    assert result["PAIRS"] == ["FINISHED"] and result["CUBE"] == ["FINISHED"], result
    assert "object_types" in result["OBJECTS"], result


def test_a_folder_of_another_dataset_is_said_in_the_panels_words(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """Objects mode over a Pairs folder, and Pairs of another seed: a short message each, the
    whole difference in Load Its Settings' tooltip, and loading them makes the folder the
    run's own (it resumes)."""
    folder = tmp_path_factory.mktemp("held") / "pairs"
    write_latents(DatasetSettings(n_pairs=4, seed=0), folder)
    result = _run("folder_messages", tmp_path_factory, str(folder))
    manifest = str(folder / "manifest.json")
    objects, pairs = result["OBJECTS"], result["PAIRS"]
    assert objects == {"where": "dataset", "load_from": manifest, "message": (
        "This folder holds a Pairs dataset: choose another folder, or load its settings")}
    assert pairs["message"] == ("This folder holds a Pairs dataset of other settings (1 "
                                "setting differs): choose another folder or load them")
    assert pairs["load_from"] == manifest
    assert "differs in: " in result["tooltip"] and "seed: 0 there, 5 asked" in result["tooltip"]
    assert result["loaded"] == ["FINISHED"]
    assert result["after_load"] == {"mode": "PAIRS", "seed": 0, "n_pairs": 4, "problem": None}


def test_a_sample_beyond_the_pairs_is_followed_or_said_in_those_words(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    result = _run("sample_beyond_pairs", tmp_path_factory)
    assert result["preview"] == ["FINISHED"] and result["sample_index"] == 1
    assert "Sample 3 is beyond the 2 pairs (0 to 1)" in result["named"], result["named"]
    assert "sample_index" not in result["named"]


def test_the_time_estimate_follows_the_settings_after_a_run(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """After a 64 px, 8-sample run at 10 pairs/s, the same 50 pairs take 5 s and at 224 px
    and 512 samples about 766 x as long (pixels x samples), not the small run's 5 s."""
    result = _run("time_after_run", tmp_path_factory, str(tmp_path_factory.mktemp("t") / "o"))
    assert result["before_any_run"].endswith("(rough)")
    assert result["same_settings"] == "About 00:00:05"
    hours, minutes, seconds = (int(x) for x in result["bigger"].split()[1].split(":"))
    assert 0.5 * 766 * 5 < hours * 3600 + minutes * 60 + seconds < 1.01 * 766 * 5, result


def test_nothing_in_the_dataset_panel_moves_under_the_cursor(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """The mode tabs and the fields below the status stay on their rows in every state."""
    result = _run("fixed_rows", tmp_path_factory, str(tmp_path_factory.mktemp("rows")))
    assert result["home"] is not None  # the preview showed an IdentBox scene
    states = {name: rows for name, rows in result.items() if isinstance(rows, dict)}
    assert len(states) == 5
    assert len({rows["mode"] for rows in states.values()}) == 1, states
    assert len({rows["validate"] for rows in states.values()}) == 1, states


def test_add_preset_leaves_the_folder_of_the_same_settings_theirs(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    result = _run("add_preset_keeps_folder", tmp_path_factory,
                  str(tmp_path_factory.mktemp("named") / "d"))
    assert result["before"] is None and result["added"] == ["FINISHED"]
    assert result["after"] is None, result["after"]  # the name does not decide sameness


def test_switching_mode_after_a_preset_drops_the_presets_name(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    result = _run("mode_switch_name", tmp_path_factory)
    result.pop("_output")
    assert result == {"pairs_preset": "part2_causal", "in_objects": "multi_objects",
                      "objects_preset": "clevr_like", "in_pairs": "hues_positions_rotations",
                      "own_name_kept": "my_study"}, result


def test_crystal_at_zero_bounces_is_said_to_draw_black(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    result = _run("crystal_note", tmp_path_factory)
    assert result["at_zero"] is True and result["at_four"] is False


def test_cube_playback_hides_the_dots_the_images_do_not_have(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    result = _run("cube_dots", tmp_path_factory)
    assert result["render"] == result["visible"] == result["viewport"]


def test_the_denoiser_menu_names_each_denoiser_as_it_is_spelled(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """A Blender with OpenImageDenoise offers all three, spelled as their makers do, and
    Published Look keeps its denoiser there."""
    result = _run("denoiser_menu", tmp_path_factory)
    assert result["menu"] == [["none", "None"], ["openimagedenoise", "OpenImageDenoise"],
                              ["optix", "OptiX"]]
    assert result["after_published_look"] == "openimagedenoise"


@pytest.fixture(scope="module")
def render_presets(tmp_path_factory: pytest.TempPathFactory) -> Result:
    """The Render panel's preset buttons and Render Dataset's menu (render_preset_buttons.py)."""
    return _run("render_preset_buttons", tmp_path_factory)


def test_published_fast_is_a_render_preset(render_presets: Result) -> None:
    assert "published_fast" in render_presets["names"]


def test_one_load_render_preset_button_per_preset(render_presets: Result) -> None:
    names = render_presets["names"]
    assert [b for b in render_presets["buttons"] if b[0] == "identbox.load_render_preset"] == [
        ["identbox.load_render_preset", name.replace("_", " ").title(), name] for name in names]


def test_each_render_preset_button_loads_its_settings(render_presets: Result) -> None:
    assert render_presets["loaded"] == {name: True for name in render_presets["names"]}


def test_render_datasets_menu_lists_every_render_preset(render_presets: Result) -> None:
    menu = {identifier: (label, description)
            for identifier, label, description in render_presets["menu"]}
    assert list(menu) == render_presets["names"]
    assert menu["published_fast"] == ("Published Fast", "224 px, 32 samples, denoised")


# --- views_checks.py: the Views list reaches the settings, the preview and the files ----------


@pytest.fixture(scope="module")
def views(tmp_path_factory: pytest.TempPathFactory) -> Result:
    """The Views sub-panel's list: + and - (2 to 16 views, refused with a message beyond),
    name, modality and material per view; presets fill it and the panel gives them back; the
    preview shows any view; Render Dataset writes every view (views_checks.py)."""
    return _run("views_checks", tmp_path_factory)


def test_a_new_scene_has_the_two_default_views(views: Result) -> None:
    assert views["fresh"] == [0, True]


def test_plus_adds_the_next_default_view(views: Result) -> None:
    assert views["add"] == ["FINISHED"]
    assert views["added"] == [["m1", "image", "MyMetal"], ["m2", "image", "Rubber"],
                              ["m3", "image", "Rubber"]]


def test_a_list_of_defaults_is_n_views_in_every_mode(views: Result) -> None:
    assert views["modes"] == {"PAIRS": [3, 0], "OBJECTS": [3, 0]}


def test_edited_views_reach_the_settings_and_the_scene(views: Result) -> None:
    assert views["edited"] == [["m1", "MyMetal"], ["m2", "MyMetal"], ["top", "Crystal"]]
    assert views["edited_scene"] == ["MyMetal", "MyMetal"]


def test_a_bad_view_name_is_said_in_views(views: Result) -> None:
    assert views["bad_name"][0] == "views"
    assert views["bad_name"][1].startswith("View 2, Name 'a b': needs a name of letters"), views


def test_minus_removes_the_selected_view_down_to_two(views: Result) -> None:
    assert views["remove"] == ["FINISHED"] and views["after_remove"] == ["m2", "top"]
    assert views["remove_last_two"] == ("Error: Cannot remove a view: a sample has at least 2 "
                                        "views")


def test_plus_adds_views_up_to_sixteen(views: Result) -> None:
    assert views["sixteen"] == ["m2", "top", *(f"m{k}" for k in range(3, 17))]
    assert views["add_seventeenth"] == "Error: Cannot add a view: a sample has at most 16 views"
    assert views["n_views_16"] == 16


def test_a_preset_with_n_views_fills_the_list(views: Result) -> None:
    assert views["four"] == [[["m1", "image", "MyMetal"]] + [[f"m{k}", "image", "Rubber"]
                                                            for k in (2, 3, 4)], True]


def test_a_preset_with_a_views_list_fills_the_list(views: Result) -> None:
    assert views["with_list"] == [[["m1", "image", "MyMetal"], ["side", "image", "Rubber"],
                                   ["top", "image", "MyMetal"]], "Crystal", True]


def test_a_views_preset_written_from_the_panel_round_trips(views: Result) -> None:
    assert views["mine"] and views["mine_loaded"]


def test_a_two_view_preset_empties_the_list_to_two(views: Result) -> None:
    assert views["back_to_two"] == [["m1", "image", "MyMetal"], ["m2", "image", "Rubber"]]


def test_the_preview_shows_view_three(views: Result) -> None:
    seen, expected = views["view3_location"]
    assert seen == pytest.approx(expected, abs=1e-3)
    assert views["view3_material"] == "IdentBox MyMetal" and views["view2_row_differs"]


def test_the_preview_view_stays_within_the_views(views: Result) -> None:
    assert views["preview_view_clamped"] == 3
    assert views["preview_op"] == ["FINISHED"]
    assert views["preview_op_5"] == ("Error: view = 5 is not allowed: a view from 1 to 3 (the "
                                     "settings have 3 views)")


def test_the_published_look_of_every_view(views: Result) -> None:
    assert views["published"] == [["m1", "MyMetal"], ["side", "Rubber"], ["top", "Rubber"]]
    assert views["published_look"]


def test_render_dataset_writes_every_view_and_lists_them(views: Result) -> None:
    assert views["folders"] == ["m1", "m2", "m3"]
    assert views["manifest_views"] == [
        {"name": "m1", "modality": "image", "material": "MyMetal"},
        {"name": "side", "modality": "image", "material": "Rubber"},
        {"name": "top", "modality": "image", "material": "Crystal"}]


# --- text_checks.py: a text view in the panel ---------------------------------------------------


@pytest.fixture(scope="module")
def text(tmp_path_factory: pytest.TempPathFactory) -> Result:
    """The Views sub-panel edits a text view's words and templates (a preset with one comes
    back unchanged), says what is wrong with a template, and the Preview sub-panel shows the
    previewed sample's sentence (text_checks.py)."""
    return _run("text_checks", tmp_path_factory)


def test_a_text_preset_fills_the_panel(text: Result) -> None:
    assert text["loaded"] == ["text", ["shape", "position", "ground_colour"],
                              ["{SHAPE} at the {YPOS}-{XPOS}, on {GROUND}.",
                               "On {GROUND}: a {SHAPE}, {YPOS}-{XPOS}."]]


def test_a_text_preset_round_trips(text: Result) -> None:
    assert text["round_trip"] and text["mine"]


def test_the_views_list_says_each_views_modality(text: Result) -> None:
    assert text["list_row"] == ["MyMetal", "Text"]


def test_a_text_view_shows_its_words_and_templates(text: Result) -> None:
    assert text["text_fields"] == ["name", "modality", "describe_shape", "describe_colour",
                                   "describe_position", "describe_ground_colour",
                                   "describe_spot_colour", "hue_mapping"]
    assert text["templates_list"] == [["IDENTBOX_UL_views", "views", "active_view"],
                                      ["IDENTBOX_UL_templates", "templates", "active_template"]]
    assert text["template_ops"] == ["identbox.template_add", "identbox.template_remove"]


def test_an_image_view_shows_its_material(text: Result) -> None:
    assert text["image_fields"] == ["name", "modality", "material", "hue_mapping"]


def test_a_template_with_a_placeholder_too_many_is_said(text: Result) -> None:
    where, message = text["error"]
    assert where == "views"
    assert message.startswith("View 2, Text, Template 1 '{SHAPE} at the {YPOS}-{XPOS}, on "
                              "{GROUND}.': needs a sentence with exactly the placeholders "
                              "{SHAPE}, {XPOS}, {YPOS}"), message
    assert "Template 1" in text["error_drawn"] and "{GROUND}" in text["error_drawn"]
    assert text["fixed"]


def test_edited_words_and_templates_reach_the_settings(text: Result) -> None:
    assert text["edited"] == [["position", "shape", "spot_colour"],  # the preset's order kept
                              ["A {SHAPE} at the {YPOS}-{XPOS} under a {SPOT} light.",
                               "Under {SPOT} light, {YPOS}-{XPOS}: a {SHAPE}."]]


def test_templates_are_added_and_removed_never_the_last(text: Result) -> None:
    assert text["added"][2] == text["added"][1]  # a copy of the selected template, to rephrase
    assert text["removed"] == text["added"][1:]
    assert text["remove_last"] == ("Error: Cannot remove the last template: a text view needs "
                                   "one")


def test_a_new_text_view_gets_multimodal3dident_words(text: Result) -> None:
    assert text["new_text_view"] == [["shape", "colour", "position"], True]


def test_a_text_view_says_which_objects_and_their_order(text: Result) -> None:
    assert text["objects_text"] == ["each", "left_to_right", True, ["text_objects", "text_order"]]


def test_the_preview_shows_the_sentence_of_a_text_view(text: Result) -> None:
    shown, sentence = text["preview_label"]
    assert sentence in shown and '"' in sentence
    assert text["preview_scene"] == "IdentBox"
    assert not any('"' in (t or "") for t in text["preview_image_labels"])


def test_render_dataset_writes_the_panels_sentences(text: Result) -> None:
    assert text["files"] == ["m1", "m1/000000.png", "m1/000001.png", "m1/000002.png", "m2",
                             "m2/sentences.txt", "m3", "m3/sentences.txt"]
    assert len(text["sentences"]) == 3 and all("light" in s for s in text["sentences"])


# --- sequence_checks.py: interventions and sequences in the panel ------------------------------


@pytest.fixture(scope="module")
def seq(tmp_path_factory: pytest.TempPathFactory) -> Result:
    """Pairs with an intervention and Sequence mode in the panel: presets and settings come
    back unchanged, problems are one line in their sub-panel, the preview steps through the
    frames showing each frame's latents and targets, and Render Dataset writes the manifest
    the command line writes for the same settings (sequence_checks.py)."""
    return _run("sequence_checks", tmp_path_factory)


def test_bundled_intervention_and_sequence_presets_round_trip(seq: Result) -> None:
    assert all(seq["bundled"].values()), seq["bundled"]


def test_pairs_with_an_intervention_round_trip(seq: Result) -> None:
    assert seq["pairs"] == ["PAIRS", True, "pos_x, pos_y; hue_object"]
    assert seq["pairs_fixed"] == ["PAIRS", True] and seq["pairs_off"] == ["PAIRS", True]


def test_sequence_settings_round_trip(seq: Result) -> None:
    assert seq["sequence"] == ["SEQUENCE", True, "file", "meshes/bunny.obj"]
    assert seq["single"] == ["SEQUENCE", True]


def test_sequence_mode_shows_its_sub_panels(seq: Result) -> None:
    assert seq["shown"] == ["IDENTBOX_PT_dataset", "IDENTBOX_PT_preview",
                            "IDENTBOX_PT_progress", "IDENTBOX_PT_render",
                            "IDENTBOX_PT_sequence"]
    assert seq["sequence_fields"] == [
        "model", "n_shapes", "n_frames", "n_episodes", "n_independent", "n_triplets", "seed",
        "single_target",
        "instantaneous", "shape_0", "hue_mapping"]  # single target: no probability


def test_too_many_frames_are_said_in_the_sequence_sub_panel(seq: Result) -> None:
    where, message, drawn = seq["frames_problem"]
    assert where == "sequence"
    assert message.startswith("Frames 5000000: needs at most 10,000,000 "), message
    assert "Frames 5000000: needs at most 10,000,000" in drawn


def test_a_bad_intervention_group_is_said_in_its_sub_panel(seq: Result) -> None:
    where, message = seq["groups_problem"]
    assert where == "intervention"
    assert message.startswith("Intervention, Group 1 ['pos_x', 'bogus']: needs names of "
                              "factors: pos_x"), message
    assert "Group 1" in seq["intervention_error_drawn"]


def test_the_preview_steps_through_each_frames_latents(seq: Result) -> None:
    stepped, expected = seq["stepped"], seq["expected"]
    assert [s["frame"] for s in stepped] == [0, 1, 2] and seq["after_last"] == 2
    lifts = {round(s["location"][2] - e[2], 4) for s, e in zip(stepped, expected, strict=True)}
    assert len(lifts) == 1  # z: pos_z lifted by half the one shape's size, in every frame
    for shown, values in zip(stepped, expected, strict=True):
        assert shown["location"][:2] == pytest.approx(values[:2], abs=1e-5)
        assert shown["rotation"] == pytest.approx(values[3:5], abs=1e-5)
    assert expected[0] != expected[1] != expected[2]


def test_the_preview_says_each_frames_targets(seq: Result) -> None:
    written = seq["written_targets"]
    assert written[0] == [] and any(written[1:]), written  # p = 0.6: some targets
    assert [s["targets"] for s in seq["stepped"]] == [
        [f"Targets: {', '.join(names) or 'none'}"] for names in written]


def test_the_preview_buttons_step_frames(seq: Result) -> None:
    assert [op for op, _ in seq["preview_ops"]] == ["identbox.step_frame", "identbox.step_frame",
                                                    "identbox.preview_sample"]


def test_the_panel_writes_what_the_command_line_writes(seq: Result) -> None:
    assert seq["cli_status"] == 0 and seq["manifests_equal"]
    assert seq["images"] == ["independent/000000.png", "samples/000000.png",
                             "samples/000001.png", "samples/000002.png", "triplets/000000.png"]
    assert seq["estimate"] == ["5 images, ~2 KB"]


def test_the_pictures_of_a_sequence(seq: Result) -> None:
    assert seq["sequence_sheet"] == ["FINISHED"]
    with_matplotlib = importlib.util.find_spec("matplotlib") is not None  # this Python's
    assert seq["sequence_plot"] == (["FINISHED"] if with_matplotlib else "no matplotlib here")
    assert seq["plot_without_matplotlib"] == "drawn"  # in Blender, with numpy alone
    assert seq["plot_left"]
