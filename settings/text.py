"""The settings of a text view (which words its sentences describe, and their templates), and
what those words are for a view of a job's latents."""

from __future__ import annotations

import dataclasses
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import SettingsError
from ..limits import Choice, reject_unknown_keys
from ..model.camera import project_to_pixels
from ..sampling.text import (
    MULTIMODAL_TEMPLATES,
    ORDERS,
    TEXT_WORDS,
    SceneWords,
    placeholders,
    word_columns,
)
from .rig import moves_camera

DEFAULT_WORDS = ("shape", "colour", "position")
OBJECTS = Choice("objects", "Objects",
                 "Which objects of a multi-object scene the text says: the first, or each in "
                 "turn (one clause a template)", ("first", "each"))
ORDER = Choice("order", "Order", "The order objects are said in: their index, or left to right "
               "in the image", ORDERS)
TEMPLATE_CHARACTERS = 1000  # a sentence, not a document: the file holds one a sample
_PLACEHOLDER = re.compile("[A-Z]+")
PLACEHOLDER_FORM = ("placeholders written {NAME} only (no format spec such as {SHAPE:>9}, no "
                    "conversion such as {SHAPE!r}, no {} or {0})")


def _checked_placeholders(setting: str, template: str) -> set[str]:
    """The {NAMES} a template uses; SettingsError naming `setting` if it is longer than a
    sentence, breaks a line (sentences.txt holds one a line), or has a placeholder that is
    more than {NAME}: a format spec or conversion would run str.format's machinery on the
    user's say (widths of gigabytes, attribute lookups)."""
    if len(template) > TEMPLATE_CHARACTERS:
        raise SettingsError(setting, template, f"a sentence of at most {TEMPLATE_CHARACTERS} "
                            f"characters (this one has {len(template)})")
    if len(f"{template}.".splitlines()) > 1:
        raise SettingsError(setting, template, "a sentence on one line (no line break: \\n, "
                            "\\r, U+2028 or another)")
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as error:  # an unmatched { or }
        raise SettingsError(setting, template, f"a valid template ({error})") from None
    for _, name, spec, conversion in parsed:
        if name is not None and (spec or conversion is not None
                                 or not _PLACEHOLDER.fullmatch(name)):
            raise SettingsError(setting, template, "a sentence with " + PLACEHOLDER_FORM)
    return placeholders(template)


@dataclass(frozen=True)
class TextSettings:
    """describe: the words the sentences use (shape, colour, position, ground_colour,
    spot_colour); templates: sentences with a {PLACEHOLDER} for each described word (SHAPE,
    COLOR, YPOS and XPOS, GROUND, SPOT), one drawn per sample (the phrasing factor)."""

    describe: tuple[str, ...] = DEFAULT_WORDS
    templates: tuple[str, ...] = MULTIMODAL_TEMPLATES
    objects: str = OBJECTS.default  # multi-object scenes: the first object, or each in turn
    order: str = ORDER.default  # with objects "each": by object index, or left to right

    def __post_init__(self) -> None:
        OBJECTS.check(self.objects)
        ORDER.check(self.order)
        for name in ("describe", "templates"):
            value = getattr(self, name)
            if isinstance(value, str) or not isinstance(value, (list, tuple)) or not value:
                raise SettingsError(name, value, "a non-empty list")
            object.__setattr__(self, name, tuple(value))
        for word in self.describe:
            if not isinstance(word, str) or word not in TEXT_WORDS:
                raise SettingsError("describe", word, "words from " + ", ".join(TEXT_WORDS))
        if len(set(self.describe)) != len(self.describe):
            raise SettingsError("describe", list(self.describe), "each word at most once")
        wanted = {p for word in self.describe for p in TEXT_WORDS[word]}
        for k, template in enumerate(self.templates):
            if not isinstance(template, str):
                raise SettingsError(f"templates[{k}]", template, "a sentence")
            used = _checked_placeholders(f"templates[{k}]", template)
            if used != wanted:
                raise SettingsError(f"templates[{k}]", template,
                                    "a sentence with exactly the placeholders "
                                    + ", ".join("{" + p + "}" for p in sorted(wanted))
                                    + " (those of describe)")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TextSettings:
        """From plain data; what it leaves out takes the default."""
        reject_unknown_keys(data, tuple(f.name for f in dataclasses.fields(cls)))
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        """Plain data: describe and templates, and objects and order where not the default."""
        return {"describe": list(self.describe), "templates": list(self.templates),
                **({"objects": self.objects} if self.objects != OBJECTS.default else {}),
                **({"order": self.order} if self.order != ORDER.default else {})}


def _column(names: list[str], *candidates: str) -> int:
    return next(names.index(n) for n in candidates if n in names)


def _grid(columns: list[dict[str, Any]],
          latents: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """The grid cells (rows, columns) where a kind's latents hold them: a column marked
    "grid": "row" or "column" holds the cell as raw -1, 0, 1 (top or left first); None when
    its positions are places in the world, whose cells come from the image."""
    marked = {str(c["grid"]): k for k, c in enumerate(columns) if c.get("grid")}
    if not {"row", "column"} <= set(marked):
        return None

    def cell(k: int) -> np.ndarray:
        return np.rint(latents[:, k] / float(columns[k]["blender_scale"])).astype(np.int64) + 1

    return cell(marked["row"]), cell(marked["column"])


def said_objects(settings: Any, text: TextSettings) -> int:
    """How many objects a text view says: all of a multi-object scene with objects "each"."""
    return settings.n_objects if text.objects == "each" else 1


def text_columns(settings: Any, text: TextSettings) -> tuple[str, ...]:
    """The columns of a text view's words.npy."""
    return word_columns(text.describe, said_objects(settings, text), text.order)


def objects_words(settings: Any, latents: np.ndarray,
                  text: TextSettings) -> SceneWords | list[SceneWords]:
    """What a text view says of each object: its first object's words, or (objects "each")
    every object's."""
    count = said_objects(settings, text)
    if count == 1:
        return scene_words(settings, latents)
    return [scene_words(settings, latents, k) for k in range(count)]


def scene_words(settings: Any, latents: np.ndarray, obj: int = 0) -> SceneWords:
    """What one view's latents (Blender units) show, for its sentences: the object's shape,
    the hues of object, ground and spotlight (value / 2pi mod 1) and the object's centre in
    the view's image (and its grid cell, where the latents name one). Multi-object scenes
    describe their first object. A type column's words are its "words" where the kind names
    them (Multimodal3DIdent's shapes), else the settings' object types."""
    columns = settings.columns()
    names = [str(c["name"]) for c in columns]
    latents = np.atleast_2d(latents)

    def hue(*candidates: str) -> np.ndarray:
        return np.mod(latents[:, _column(names, *candidates)] / (2 * np.pi), 1.0)

    typed = [k for k, name in enumerate(names) if name in (f"object{obj}_type", "object_type")]
    if typed:
        indices = latents[:, typed[0]].astype(np.int64)
        words = columns[typed[0]].get("words") or settings.object_types
        shapes = [words[k] for k in indices]
    else:
        indices, shapes = np.zeros(len(latents), dtype=np.int64), ["teapot"] * len(latents)
    centres = settings.object_centres(latents)[:, obj]
    poses = settings.camera_poses(latents) if moves_camera(settings) else None
    pixels = project_to_pixels(centres, settings.render.resolution, poses)
    return SceneWords(shapes, indices, {"colour": hue("hue_object", f"object{obj}_hue"),
                                        "ground_colour": hue("hue_background", "background_hue"),
                                        "spot_colour": hue("hue_spot", "spot_hue")},
                      pixels, settings.render.resolution, _grid(columns, latents))
