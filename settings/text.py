"""The settings of a text view (which words its sentences describe, and their templates), and
what those words are for a view of a job's latents."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import SettingsError
from ..limits import reject_unknown_keys
from ..model.camera import project_to_pixels
from ..sampling.text import MULTIMODAL_TEMPLATES, TEXT_WORDS, SceneWords, placeholders
from .rig import moves_camera

DEFAULT_WORDS = ("shape", "colour", "position")


@dataclass(frozen=True)
class TextSettings:
    """describe: the words the sentences use (shape, colour, position, ground_colour,
    spot_colour); templates: sentences with a {PLACEHOLDER} for each described word (SHAPE,
    COLOR, YPOS and XPOS, GROUND, SPOT), one drawn per sample (the phrasing factor)."""

    describe: tuple[str, ...] = DEFAULT_WORDS
    templates: tuple[str, ...] = MULTIMODAL_TEMPLATES

    def __post_init__(self) -> None:
        for name in ("describe", "templates"):
            value = getattr(self, name)
            if isinstance(value, str) or not isinstance(value, (list, tuple)) or not value:
                raise SettingsError(name, value, "a non-empty list")
            object.__setattr__(self, name, tuple(value))
        for word in self.describe:
            if word not in TEXT_WORDS:
                raise SettingsError("describe", word, "words from " + ", ".join(TEXT_WORDS))
        if len(set(self.describe)) != len(self.describe):
            raise SettingsError("describe", list(self.describe), "each word at most once")
        wanted = {p for word in self.describe for p in TEXT_WORDS[word]}
        for k, template in enumerate(self.templates):
            if not isinstance(template, str):
                raise SettingsError(f"templates[{k}]", template, "a sentence")
            try:
                used = placeholders(template)
            except ValueError as error:  # an unmatched { or }
                raise SettingsError(f"templates[{k}]", template, f"a valid template ({error})") \
                    from None
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
        """Plain data, every field written out."""
        return {"describe": list(self.describe), "templates": list(self.templates)}


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


def scene_words(settings: Any, latents: np.ndarray) -> SceneWords:
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

    typed = [k for k, name in enumerate(names) if name in ("object0_type", "object_type")]
    if typed:
        indices = latents[:, typed[0]].astype(np.int64)
        words = columns[typed[0]].get("words") or settings.object_types
        shapes = [words[k] for k in indices]
    else:
        indices, shapes = np.zeros(len(latents), dtype=np.int64), ["teapot"] * len(latents)
    centres = settings.object_centres(latents)[:, 0]
    poses = settings.camera_poses(latents) if moves_camera(settings) else None
    pixels = project_to_pixels(centres, settings.render.resolution, poses)
    return SceneWords(shapes, indices, {"colour": hue("hue_object", "object0_hue"),
                                        "ground_colour": hue("hue_background", "background_hue"),
                                        "spot_colour": hue("hue_spot", "spot_hue")},
                      pixels, settings.render.resolution, _grid(columns, latents))
