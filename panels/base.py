"""What the IdentBox sub-panels share: where they live, and the settings' validity."""

from typing import Any

from ..errors import SettingsError
from ..properties import settings_of
from ..ui_settings import cube_settings_from_props, job_settings_from_props, run_options_from_props


class IdentBoxPanel:
    """Mixin: View3D > Sidebar > IdentBox."""

    bl_space_type: Any = "VIEW_3D"
    bl_region_type: Any = "UI"
    bl_category = "IdentBox"


def settings_error(props: Any) -> str | None:
    """Why the panel's settings (of the current mode) are invalid, naming the setting; None
    when valid."""
    try:
        if props.mode == "CUBE":
            cube_settings_from_props(props.cube)
        else:
            job_settings_from_props(props)
        run_options_from_props(props)
    except SettingsError as error:
        return str(error)
    return None


class PairsModePanel(IdentBoxPanel):
    """Mixin: shown in Pairs mode only."""

    @classmethod
    def poll(cls, context: Any) -> bool:
        return bool(settings_of(context).mode == "PAIRS")


class ImageModePanel(IdentBoxPanel):
    """Mixin: shown in the two image-pair modes (Pairs, Objects), not for the cube."""

    @classmethod
    def poll(cls, context: Any) -> bool:
        return bool(settings_of(context).mode != "CUBE")


def draw_error(layout: Any, text: str) -> None:
    """A red, wrapped message."""
    box = layout.box()
    box.alert = True
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + len(word) > 38:
            lines.append(line)
            line = ""
        line = f"{line} {word}".strip()
    lines.append(line)
    for k, line in enumerate(lines):
        box.label(text=line, icon="ERROR" if k == 0 else "NONE")
