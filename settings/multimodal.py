"""Multimodal3DIdent (reference multimodal3dident.md): each sample is one scene seen by an image
view and described by a text view, with the original's latent distributions and sentences.

A kind of its own: its positions are a 3 x 3 grid at height 0, its object has seven shapes and
turns about three axes, and its views are modalities of ONE scene (every view holds the same
latents; what each shows is its modality's business: rotations, spotlight and ground are
image-only). `object_types` draws the seven shapes: built-in stand-ins for the scanned ones
until mesh files can be named; the sentences always name the original's shape.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import SettingsError
from ..sampling.multi import OBJECT_TYPES, check_object_types
from ..sampling.multimodal import (
    COLUMNS,
    ORIGINAL_SHAPES,
    SCALES,
    STAND_INS,
    index,
    sample_multimodal,
)
from ..sampling.sampler import LatentViews
from .contract import PairKindDefaults
from .objects import check_shape_sha256
from .pairs import N_PAIRS, SEED, check_parts, kind_values
from .render import RenderSettings, SceneSettings
from .text import TextSettings
from .views import IMAGE, TEXT, ViewSettings, views_of

KIND = "multimodal3dident"
# The published splits (train/, val/, test/): `--splits` with these sizes.
PUBLISHED_SPLITS = "train=125000,val=10000,test=10000"
GRID_WORDS = {"pos_x": "row", "pos_y": "column"}  # which grid axis each place column gives


def default_views() -> tuple[ViewSettings, ...]:
    """The original's two: an image (Rubber) and a sentence with its five templates."""
    return (ViewSettings("image", IMAGE, "Rubber"), ViewSettings("text", TEXT, text=TextSettings()))


def default_scene() -> SceneSettings:
    """The original's colours: negative spotlight and ground hues go unwrapped to colorsys
    and are clamped, as its renderer's (the legacy hue mapping)."""
    return SceneSettings(hue_mapping="legacy")


def stand_ins(object_types: tuple[str, ...]) -> dict[str, str]:
    """The original's shapes drawn as another built-in type: {"hare": "sphere", ...}; a mesh
    file given for a shape (its scan) is no stand-in."""
    return {shape: drawn for shape, drawn in zip(ORIGINAL_SHAPES, object_types, strict=True)
            if shape != drawn and drawn in OBJECT_TYPES}


@dataclass(frozen=True)
class MultimodalSettings(PairKindDefaults):
    """Multimodal3DIdent's samples: the seven meshes drawn for its shapes, the
    position-dependent colour option, the views (an image and a text view), scene and render."""

    name: str = KIND
    description: str = ""
    n_pairs: int = N_PAIRS.default
    seed: int = SEED.default
    object_types: tuple[str, ...] = STAND_INS  # the mesh drawn for each of ORIGINAL_SHAPES
    shape_sha256: Mapping[str, str] = field(default_factory=dict)  # mesh files' (shape_files)
    position_dependent_colour: bool = False  # hue = (xpos + u) / 3, the original's option
    views: tuple[ViewSettings, ...] = field(default_factory=default_views)
    n_views: int = 2
    scene: SceneSettings = field(default_factory=default_scene)
    render: RenderSettings = field(default_factory=RenderSettings)

    def __post_init__(self) -> None:
        check_parts(self)
        if not isinstance(self.position_dependent_colour, bool):
            raise SettingsError("position_dependent_colour", self.position_dependent_colour,
                                "true or false")
        types = self.object_types
        if isinstance(types, str) or not isinstance(types, (list, tuple)) \
                or len(types) != len(ORIGINAL_SHAPES):
            raise SettingsError("object_types", types,
                                f"a list of {len(ORIGINAL_SHAPES)} types, one for each of "
                                + ", ".join(ORIGINAL_SHAPES))
        object.__setattr__(self, "object_types", tuple(types))
        # Built-in names or mesh files (their spelling); one may stand in for several shapes.
        check_object_types(self.object_types, distinct=False)
        check_shape_sha256(self.shape_sha256, self.object_types)
        object.__setattr__(self, "shape_sha256", dict(sorted(self.shape_sha256.items())))

    def replace(self, **changes: Any) -> MultimodalSettings:
        """A copy with some settings changed (validated again)."""
        return dataclasses.replace(self, **changes)

    def view_material(self, view: int) -> str:
        """The object's material in one view (from 1)."""
        return views_of(self)[view - 1].material

    def columns(self) -> list[dict[str, Any]]:
        """Every column for the manifest: IdentBox's name, block, raw range, Blender scale and
        role (shared when both modalities show it, modality_specific when the image alone does,
        constant for z; every view holds the same scene), which modalities show it, and the
        original's name and value (from raw) for an export."""
        found = []
        for k, column in enumerate(COLUMNS):
            entry: dict[str, Any] = {
                "index": k, "name": column.name, "block": column.block,
                "raw_range": list(column.raw_range), "blender_scale": column.blender_scale,
                "role": column.role,
                "meaning": column.meaning, "shown_in": list(column.shown_in),
                "multimodal3dident": {"name": column.original, "value": column.original_value}}
            if column.name == "object_type":
                entry |= {"words": list(ORIGINAL_SHAPES), "rendered_as": list(self.object_types),
                          "stand_ins": stand_ins(self.object_types)}
            if column.circular:
                entry["circular"] = True
            if column.name in GRID_WORDS:
                entry["grid"] = GRID_WORDS[column.name]
            found.append(entry)
        return found

    def object_centres(self, latents: np.ndarray) -> np.ndarray:
        """(rows, 1, 3) world centre of the object for rows of latents.npy (at height 0)."""
        return latents[:, [index("pos_x"), index("pos_y"), index("pos_z")]][:, None, :]

    def sample(self) -> LatentViews:
        """The latents of every view: one scene, the same in each."""
        raw = sample_multimodal(self.n_pairs, self.seed, self.position_dependent_colour)
        return LatentViews.of([raw] + [raw.copy() for _ in range(self.n_views - 1)], SCALES)

    def summary(self) -> str:
        """What the render log says about the job's images (and the shapes drawn instead)."""
        swapped = stand_ins(self.object_types)
        shapes = ("; " + ", ".join(f"{shape} drawn as {drawn}" for shape, drawn in swapped.items())
                  + " (built-in stand-ins for the original's scanned shapes)") if swapped else ""
        return f"{self.render.resolution} px, {self.render.samples} samples{shapes}"

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready), every setting written out."""
        return {"kind": KIND, "name": self.name, "description": self.description,
                "n_pairs": self.n_pairs, "seed": self.seed,
                "object_types": list(self.object_types),
                **({"shape_sha256": dict(self.shape_sha256)} if self.shape_sha256 else {}),
                "position_dependent_colour": self.position_dependent_colour,
                "n_views": self.n_views, "views": [v.to_dict() for v in views_of(self)],
                "scene": dataclasses.asdict(self.scene),
                "render": dataclasses.asdict(self.render)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MultimodalSettings:
        """From plain data; missing settings take their defaults, unknown ones are errors."""
        return cls(**kind_values(cls, data))

