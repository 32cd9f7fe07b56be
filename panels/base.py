"""What the IdentBox sub-panels share: where they live, and the settings' validity."""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..dataset.files.layout import MANIFEST, held_format
from ..dataset.files.manifest import read_manifest
from ..dataset.writing.writer import check_output_folder, dataset_differences
from ..errors import DatasetError, SettingsError
from ..operators.job_properties import resolve_output_folder
from ..properties import settings_of
from ..settings.kinds import (
    CUBE_FORMAT,
    CUBE_MODE,
    OBJECTS_MODE,
    PAIR_FORMAT,
    PAIRS_MODE,
    SEQUENCE_FORMAT,
    SEQUENCE_MODE,
    kind_named,
    kind_of,
    kind_of_manifest,
    kind_of_mode,
)
from ..settings.panel import (
    cube_settings_from_props,
    job_settings_from_props,
    loads_into_panel,
    panel_message,
    run_options_from_props,
)
from ..settings.parts import as_check_placement


class IdentBoxPanel:
    """Mixin: View3D > Sidebar > IdentBox."""

    bl_space_type: Any = "VIEW_3D"
    bl_region_type: Any = "UI"
    bl_category = "IdentBox"


_placements: dict[str, str | None] = {}  # settings -> why they cannot place scenes


def _placement_error(settings: Any) -> str | None:
    """Why the settings cannot place scenes (the kind's placement check, from the kinds table,
    run once per distinct settings); None for kinds that place nothing."""
    placement = None if settings is None else kind_of(settings).placement
    if placement is None:
        return None
    key = json.dumps(settings.to_dict(), sort_keys=True)
    if key not in _placements:
        try:
            as_check_placement(placement)(settings)
            _placements[key] = None
        except SettingsError as error:
            _placements[key] = panel_message(error)
    return _placements[key]


HELD = {PAIR_FORMAT: "an image-pair dataset", CUBE_FORMAT: "a cube dataset",
        SEQUENCE_FORMAT: "a sequence dataset"}  # what a folder holds, by its manifest's format


@dataclass(frozen=True)
class Problem:
    """What stops a run, and the sub-panel whose field it is about ('dataset', 'blocks.hues',
    'causal', 'intervention', 'objects', 'views', 'render', 'cube', 'sequence'): the message
    is drawn there, under the field, so the field being edited never moves. `load_from`: a
    manifest whose settings a button under the message offers to load."""

    where: str
    message: str
    load_from: str = ""


def _article(label: str) -> str:
    return f"an {label}" if label[:1] in "AEIOU" else f"a {label}"


def _held_dataset(folder: Path, found: str, mode_kind: str, settings: Any) -> Problem | None:
    """Why a folder holding a dataset cannot take this run, in the panel's words (the whole
    difference is in the Load Its Settings button's tooltip): a dataset of another kind or of
    other settings; None when it is this run's own (the run resumes it)."""
    manifest_path = folder / MANIFEST
    try:
        manifest = read_manifest(manifest_path)
        held_kind = kind_of_manifest(manifest)
    except (DatasetError, SettingsError, KeyError):
        return Problem("dataset", f"This folder holds {HELD.get(found, 'a dataset')} that "
                       "IdentBox cannot read: choose another folder")
    label = held_kind.label
    # The panel shows the settings of every kind but the cube's (its labels are not settings).
    load_from = str(manifest_path) if loads_into_panel(held_kind) else ""
    choose = "choose another folder" + (", or load its settings" if load_from else "")
    if held_kind.name != mode_kind:
        return Problem("dataset", f"This folder holds {_article(label)} dataset: {choose}",
                       load_from)
    if settings is None:
        return None
    differences = dataset_differences(settings.to_dict(), manifest.get("settings") or {})
    if not differences:
        return None
    count = ("1 setting differs" if len(differences) == 1
             else f"{len(differences)} settings differ")
    return Problem("dataset", f"This folder holds {_article(label)} dataset of other settings "
                   f"({count}): choose another folder" + (" or load them" if load_from else ""),
                   load_from)


def _folder_problem(props: Any, settings: Any = None) -> Problem | None:
    """Why the output folder cannot take this run: relative in an unsaved file, not a folder
    for datasets, or holding another dataset (of another kind, or a pair dataset of other
    settings; one of the same settings is resumed)."""
    try:
        folder = resolve_output_folder(props.directory)
    except SettingsError as error:
        if props.directory.startswith("//"):  # the default folder of a new, unsaved file
            return Problem("dataset", "Save the .blend file first, or choose an absolute "
                           "folder: '//' is beside the file")
        return Problem("dataset", panel_message(error))
    found = held_format(folder)
    mode_kind = kind_of_mode(props.mode).name
    if found is not None and found != kind_named(mode_kind).format:
        return _held_dataset(folder, found, mode_kind, None)
    try:
        check_output_folder(folder)  # the file system root, home, someone else's files
    except DatasetError as error:  # the folder is in the field above: 'This folder ...'
        said = str(error)
        return Problem("dataset", "This folder" + said[len(str(folder)):]
                       if said.startswith(str(folder)) else f"Output Folder: {said}")
    if found == PAIR_FORMAT:
        return _held_dataset(folder, found, mode_kind, settings)
    return None


# The settings of a mode with a sub-panel of its own that are said there, not under Dataset.
OWN_PANELS = {CUBE_MODE: "cube", SEQUENCE_MODE: "sequence"}


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
        if props.mode == CUBE_MODE:
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
    return _folder_problem(props, settings)


def settings_error(props: Any) -> str | None:
    """The message of settings_problem, or None."""
    problem = settings_problem(props)
    return problem.message if problem else None


def draw_problem(layout: Any, context: Any, where: str) -> None:
    """The problem's message, if it is about this sub-panel's fields."""
    problem = settings_problem(settings_of(context))
    if problem is not None and problem.where == where:
        draw_error(layout, problem.message, getattr(getattr(context, "region", None), "width", 0))
        draw_load_button(layout, problem)


class PairsModePanel(IdentBoxPanel):
    """Mixin: shown in Pairs mode only."""

    @classmethod
    def poll(cls, context: Any) -> bool:
        return bool(settings_of(context).mode == PAIRS_MODE)


class ImageModePanel(IdentBoxPanel):
    """Mixin: shown in the modes whose images the render settings draw (Pairs, Objects,
    Sequence), not for the cube."""

    @classmethod
    def poll(cls, context: Any) -> bool:
        return bool(settings_of(context).mode != CUBE_MODE)


class PairModesPanel(IdentBoxPanel):
    """Mixin: shown in the two image-pair modes (Pairs, Objects)."""

    @classmethod
    def poll(cls, context: Any) -> bool:
        return bool(settings_of(context).mode in (PAIRS_MODE, OBJECTS_MODE))


class SequenceModePanel(IdentBoxPanel):
    """Mixin: shown in Sequence mode only."""

    @classmethod
    def poll(cls, context: Any) -> bool:
        return bool(settings_of(context).mode == SEQUENCE_MODE)


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


def draw_load_button(layout: Any, problem: Problem) -> None:
    """Load Its Settings, under a message about a folder holding another dataset."""
    if problem.load_from:
        layout.operator("identbox.load_preset", text="Load Its Settings",
                        icon="IMPORT").name = problem.load_from


STATUS_LINES = 4  # the Dataset panel's status is always this tall: nothing below it moves


def status_lines(text: str, width: int, lines: int) -> list[str]:
    """`text` wrapped to the region's width in exactly `lines` lines: padded with empty ones,
    or cut with an ellipsis (the panel's messages are a sentence or two)."""
    found = wrapped(text, width)
    if len(found) > lines:
        found = [*found[:lines - 1], found[lines - 1] + " ..."]
    return found + [""] * (lines - len(found))


def draw_status(layout: Any, problem: Problem | None, width: int = 0) -> None:
    """The Dataset panel's status in a box of STATUS_LINES rows whatever it says: Ready to
    render, what stops the run (in red; with Load Its Settings in its last row when the
    folder holds a dataset whose settings can be loaded), or where to look for it. A message
    appearing or going never moves the fields below (a click meant for one hit another)."""
    box = layout.box()
    column = box.column(align=True)
    if problem is None:
        text, icon = "Ready to render", "CHECKMARK"
    elif problem.where == "dataset":
        text, icon = problem.message, "ERROR"
    else:  # what is wrong is said under its field below
        text, icon = f"Fix in {problem.where.split('.')[0].title()}, in red", "ERROR"
    column.alert = problem is not None
    button = problem if problem is not None and problem.load_from else None
    for k, line in enumerate(status_lines(text, width, STATUS_LINES - int(bool(button)))):
        column.label(text=line, icon=icon if k == 0 else "NONE")
    if button is not None:
        draw_load_button(column, button)
