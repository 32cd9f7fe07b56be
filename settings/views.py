"""The views of a sample: each has a name, a modality and its own settings (the object's
material for an image view; the words and templates of a text view, settings/text.py).

A dataset's settings hold a `views` list only where some view differs from its default (name
mK, an image, view 1's material in view 1 and view 2's in every later view), so two-view presets
and manifests keep the bytes they had before views were listed.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import SettingsError
from ..limits import Choice, Limit, reject_unknown_keys
from ..model.constants import MATERIALS
from .render import SceneSettings
from .text import TextSettings

N_VIEWS = Limit("n_views", "Views",
                "Views of each scene (2: pairs, as published); content is equal in every view, "
                "style redrawn around view 1 in each, view-specific drawn in each on its own",
                2, 2, 16)
IMAGE = "image"
TEXT = "text"
MODALITY = Choice("modality", "Modality",
                  "What the view is: an image rendered with Cycles, or one sentence per sample "
                  "describing the view's latents (no Blender needed)", (IMAGE, TEXT))
MATERIAL = Choice("material", "Material", "The object's material in this view", MATERIALS)
VIEW_NAME_CHARACTERS = "letters, digits, '_' and '-'"


def default_name(view: int) -> str:
    """A view's name unless settings give another: its folder's, 'm1', 'm2', ..."""
    return f"m{view}"


@dataclass(frozen=True)
class ViewSettings:
    """One view: its name (a label for the manifest, the loader and the panel; files stay under
    m1 ... mK), its modality, and the object's material when it is an image."""

    name: str
    modality: str = IMAGE
    material: str = MATERIAL.default
    text: TextSettings | None = None  # a text view's words and templates (its default if None)

    def __post_init__(self) -> None:
        if (not isinstance(self.name, str) or not self.name
                or not all(ch.isalnum() or ch in "_-" for ch in self.name)):
            raise SettingsError("name", self.name, f"a name of {VIEW_NAME_CHARACTERS}")
        MODALITY.check(self.modality)
        MATERIAL.check(self.material)
        if self.modality == TEXT and self.text is None:
            object.__setattr__(self, "text", TextSettings())
        if self.modality != TEXT and self.text is not None:
            raise SettingsError("text", self.text, "no text settings in an image view "
                                "(modality: text makes it a text view)")
        if self.text is not None and not isinstance(self.text, TextSettings):
            raise SettingsError("text", self.text, "text settings {describe, templates}")

    @property
    def is_text(self) -> bool:
        """Whether the view is a sentence (rather than an image)."""
        return self.modality == TEXT

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], default: ViewSettings) -> ViewSettings:
        """From plain data; what it leaves out is the view's default."""
        reject_unknown_keys(data, tuple(f.name for f in dataclasses.fields(cls)))
        values = dict(data)
        if values.get("text") is not None:
            text = values["text"]
            if not isinstance(text, Mapping):
                raise SettingsError("text", text, "a table {describe, templates}")
            try:
                values["text"] = TextSettings.from_dict(text)
            except SettingsError as error:
                raise error.within("text") from None
        return dataclasses.replace(default, **values)

    def to_dict(self) -> dict[str, Any]:
        """Plain data, every field written out (text settings only in a text view)."""
        data: dict[str, Any] = {"name": self.name, "modality": self.modality,
                                "material": self.material}
        if self.text is not None:
            data["text"] = self.text.to_dict()
        return data


def default_view(view: int, scene: SceneSettings) -> ViewSettings:
    """View `view` (from 1) as a dataset without a views list has it."""
    return ViewSettings(default_name(view), IMAGE, scene.material(view))


def normalised_views(views: Sequence[Any], n_views: int,
                     scene: SceneSettings) -> tuple[tuple[ViewSettings, ...], int]:
    """(views, n_views) as settings store them: an empty list when every view is its default.
    A views list sets n_views; a views list and an n_views that disagree are an error."""
    views = tuple(views)
    for number, view in enumerate(views, start=1):
        if not isinstance(view, ViewSettings):
            raise SettingsError(f"views[{number - 1}]", view, "view settings")
    if not views:
        return (), n_views
    if not N_VIEWS.allows(len(views)):  # the count a list sets: checked here, for every kind
        raise SettingsError(N_VIEWS.name, len(views), f"an integer in {N_VIEWS.interval()} "
                            f"(a views list sets it: this one has {len(views)} views)")
    if n_views not in (2, len(views)):
        raise SettingsError("views", [v.name for v in views],
                            f"{n_views} views, as n_views says (or leave n_views out)")
    names = [v.name for v in views]
    if len(set(names)) != len(names):
        raise SettingsError("views", names, "views with different names")
    if all(v == default_view(k, scene) for k, v in enumerate(views, start=1)):
        return (), len(views)
    return views, len(views)


def views_from_data(data: Any, scene: SceneSettings) -> tuple[ViewSettings, ...]:
    """The views list of a preset or manifest (what an entry leaves out is its view's default
    with this scene); errors name the entry."""
    if not isinstance(data, (list, tuple)):
        raise SettingsError("views", data, "a list of views ({name, modality, material})")
    views = []
    for k, entry in enumerate(data):
        if not isinstance(entry, Mapping):
            raise SettingsError(f"views[{k}]", entry, "a table {name, modality, material}")
        try:
            views.append(ViewSettings.from_dict(entry, default_view(k + 1, scene)))
        except SettingsError as error:
            raise error.within(f"views[{k}]") from None
        except TypeError as error:
            raise SettingsError(f"views[{k}]", dict(entry), f"valid fields ({error})") from None
    return tuple(views)


def views_of(settings: Any) -> tuple[ViewSettings, ...]:
    """Every view of a job, its defaults filled in."""
    return tuple(settings.views[k - 1] if settings.views else default_view(k, settings.scene)
                 for k in range(1, settings.n_views + 1))


VIEWS_TEXT = "a number of views (2 to 16), or NAME[:MATERIAL],... (e.g. m1:MyMetal,m2:Rubber,top)"


def views_from_text(text: str, scene: SceneSettings) -> tuple[ViewSettings, ...]:
    """The command line's --views: a count ('3': default views) or NAME[:MATERIAL],..."""
    text = text.strip()
    if re.fullmatch(r"[+-]?[0-9]+", text):  # a count: '-3' is a count out of range, not a name
        N_VIEWS.check(int(text))
        return tuple(default_view(k, scene) for k in range(1, int(text) + 1))
    if text.lstrip("+-").isdigit():  # other digits: a superscript two, a full-width three
        raise SettingsError("views", text, f"a count written with the digits 0-9 (from "
                            f"{int(N_VIEWS.minimum)} to {int(N_VIEWS.maximum)}), or "
                            "NAME[:MATERIAL],...")
    entries: list[dict[str, str]] = []
    for item in text.split(","):
        name, _, material = item.strip().partition(":")
        entries.append({"name": name, **({"material": material} if material else {})})
    return views_from_data(entries, scene)


def image_views(settings: Any) -> tuple[int, ...]:
    """The numbers (from 1) of a job's image views: every view of kinds without a views list."""
    return tuple(k for k, view in enumerate(views_of(settings), start=1) if not view.is_text)


def text_views(settings: Any) -> tuple[int, ...]:
    """The numbers (from 1) of a job's text views."""
    return tuple(k for k, view in enumerate(views_of(settings), start=1) if view.is_text)
