"""What the IdentBox sub-panels share: where they live, and the settings' validity."""

import json
from dataclasses import dataclass
from typing import Any

from ..dataset.layout import held_format
from ..dataset.writer import check_output_folder, matching_manifest
from ..errors import DatasetError, SettingsError
from ..operators.job_properties import resolve_output_folder
from ..properties import settings_of
from ..settings.kinds import CUBE_FORMAT, PAIR_FORMAT, SEQUENCE_FORMAT, kind_named
from ..settings.objects import MultiObjectSettings
from ..settings.panel import (
    MODE_KINDS,
    cube_settings_from_props,
    job_settings_from_props,
    panel_message,
    run_options_from_props,
)


class IdentBoxPanel:
    """Mixin: View3D > Sidebar > IdentBox."""

    bl_space_type: Any = "VIEW_3D"
    bl_region_type: Any = "UI"
    bl_category = "IdentBox"


_placements: dict[str, str | None] = {}  # settings -> why they cannot place scenes


def _placement_error(settings: Any) -> str | None:
    """Why multi-object settings cannot place scenes (probed once per distinct settings)."""
    if not isinstance(settings, MultiObjectSettings):
        return None
    key = json.dumps(settings.to_dict(), sort_keys=True)
    if key not in _placements:
        try:
            settings.check_placement()
            _placements[key] = None
        except SettingsError as error:
            _placements[key] = panel_message(error)
    return _placements[key]


HELD = {PAIR_FORMAT: "an image-pair dataset", CUBE_FORMAT: "a cube dataset",
        SEQUENCE_FORMAT: "a sequence dataset"}  # what a folder holds, by its manifest's format


def _folder_error(props: Any, settings: Any = None) -> str | None:
    """Why the output folder cannot take this run: relative in an unsaved file, holding
    another kind of dataset (a cube run into a pairs folder, or the other way round), or a
    pair dataset of other settings (one of the same settings is resumed)."""
    try:
        folder = resolve_output_folder(props.directory)
    except SettingsError as error:
        return panel_message(error)
    found = held_format(folder)
    if found is not None and found != kind_named(MODE_KINDS[props.mode]).format:
        kind = HELD.get(found, "another kind of dataset")
        return (f"Output Folder {props.directory!r} holds {kind} ({found}): choose another "
                "folder for this mode")
    try:
        check_output_folder(folder)  # the file system root, home, someone else's files
        if found == PAIR_FORMAT and settings is not None:
            matching_manifest(folder, settings)
    except DatasetError as error:
        return f"Output Folder: {error}"
    return None


@dataclass(frozen=True)
class Problem:
    """What stops a run, and the sub-panel whose field it is about ('dataset', 'blocks.hues',
    'causal', 'intervention', 'objects', 'views', 'render', 'cube', 'sequence'): the message
    is drawn there, under the field, so the field being edited never moves."""

    where: str
    message: str


# The settings of a mode with a sub-panel of its own that are said there, not under Dataset.
OWN_PANELS = {"CUBE": "cube", "SEQUENCE": "sequence"}


def _where(setting: str) -> str:
    head, _, rest = setting.partition(".")
    head = head.split("[")[0]
    if head == "blocks":
        return f"blocks.{rest.split('.')[0]}"
    return {"causal_edges": "causal", "intervention": "intervention", "scene": "views",
            "render": "render", "cube": "cube",
            "n_objects": "objects", "min_gap": "objects", "min_pixels": "objects",
            "object_types": "objects", "n_views": "views", "views": "views"}.get(head, "dataset")


def settings_problem(props: Any) -> Problem | None:
    """What stops the panel's settings (of the current mode) from running, and where: invalid
    values, scenes that cannot be placed, an output folder that cannot take the run; None
    when the run can start."""
    try:
        if props.mode == "CUBE":
            cube_settings_from_props(props.cube)
            settings = None
        else:
            settings = job_settings_from_props(props)
        run_options_from_props(props)
    except SettingsError as error:
        where = _where(error.setting)
        if props.mode in OWN_PANELS and where in ("dataset", "objects") \
                and error.setting not in ("batch_index", "n_batches"):
            where = OWN_PANELS[props.mode]
        return Problem(where, panel_message(error))
    placement = _placement_error(settings)
    if placement:
        return Problem("objects", placement)
    folder = _folder_error(props, settings)
    return Problem("dataset", folder) if folder else None


def settings_error(props: Any) -> str | None:
    """The message of settings_problem, or None."""
    problem = settings_problem(props)
    return problem.message if problem else None


def draw_problem(layout: Any, context: Any, where: str) -> None:
    """The problem's message, if it is about this sub-panel's fields."""
    problem = settings_problem(settings_of(context))
    if problem is not None and problem.where == where:
        draw_error(layout, problem.message, getattr(getattr(context, "region", None), "width", 0))


class PairsModePanel(IdentBoxPanel):
    """Mixin: shown in Pairs mode only."""

    @classmethod
    def poll(cls, context: Any) -> bool:
        return bool(settings_of(context).mode == "PAIRS")


class ImageModePanel(IdentBoxPanel):
    """Mixin: shown in the modes whose images the render settings draw (Pairs, Objects,
    Sequence), not for the cube."""

    @classmethod
    def poll(cls, context: Any) -> bool:
        return bool(settings_of(context).mode != "CUBE")


class PairModesPanel(IdentBoxPanel):
    """Mixin: shown in the two image-pair modes (Pairs, Objects)."""

    @classmethod
    def poll(cls, context: Any) -> bool:
        return bool(settings_of(context).mode in ("PAIRS", "OBJECTS"))


class SequenceModePanel(IdentBoxPanel):
    """Mixin: shown in Sequence mode only."""

    @classmethod
    def poll(cls, context: Any) -> bool:
        return bool(settings_of(context).mode == "SEQUENCE")


def wrapped(text: str, width: int = 0) -> list[str]:
    """Text in lines that fit the region's width in pixels (38 characters when unknown)."""
    chars = max(16, int((width - 70) / 7.5)) if width else 38
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + len(word) > chars:
            lines.append(line)
            line = ""
        line = f"{line} {word}".strip()
    lines.append(line)
    return lines


def draw_wrapped(layout: Any, text: str, width: int = 0, icon: str = "NONE") -> None:
    """Text as labels wrapped to the region's width, the icon on the first line."""
    column = layout.column(align=True)
    for k, line in enumerate(wrapped(text, width)):
        column.label(text=line, icon=icon if k == 0 else "NONE")


def draw_error(layout: Any, text: str, width: int = 0) -> None:
    """A red message wrapped to the region's width in pixels (38 characters when unknown)."""
    box = layout.box()
    box.alert = True
    for k, line in enumerate(wrapped(text, width)):
        box.label(text=line, icon="ERROR" if k == 0 else "NONE")
