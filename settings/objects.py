"""The plain description of a multi-object (CLEVR-like) dataset job, validated on construction.

A sibling of DatasetSettings: presets and manifests say which one they are with `kind`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import SettingsError
from ..model.camera import CameraPoses
from ..sampling.blocks import CONTENT, STYLE, VIEW_SPECIFIC
from ..sampling.multi import (
    MIN_GAP,
    MIN_PIXELS,
    MULTI_BLOCKS,
    N_OBJECTS,
    OBJECT_TYPES,
    POSITION_SCALE,
    MultiBlock,
    check_object_types,
    column_blocks,
    column_names,
    multi_layout,
    object_centres,
    sample_scenes,
)
from ..sampling.rig import RIG_BLOCKS, Lighting
from ..sampling.sampler import LatentViews
from .contract import PairKindDefaults, PairKindSettings
from .pairs import (
    N_PAIRS,
    N_VIEWS,
    SEED,
    BlockSettings,
    check_parts,
    check_views,
    kind_values,
    view_entries,
)
from .render import RenderSettings, SceneSettings
from .rig import (
    camera_poses_of,
    lighting_at,
    ordered_blocks,
    rig_columns,
    rig_poses,
    sample_rig_raws,
    with_rig,
)
from .views import ViewSettings, text_views, views_of

KIND = "multi"
ANGLE_FACTORS = ("spot_theta", "alpha", "beta")


def _default_blocks() -> dict[str, BlockSettings]:
    return {"objects": BlockSettings(type=CONTENT), "positions": BlockSettings(type=STYLE),
            "rotations": BlockSettings(type=STYLE), "hues": BlockSettings(type=VIEW_SPECIFIC)}


def column_scales(n_objects: int) -> np.ndarray:
    """Blender value = scale * raw, per column (types are indices, scale 1)."""
    scales = []
    for column, turn in zip(multi_layout(n_objects).columns, circular_columns(n_objects),
                            strict=True):
        factor = column.group
        if turn:  # a full turn over the raw range
            scales.append(np.pi)
        elif factor in ("x", "y", "z"):
            scales.append(POSITION_SCALE["xyz".index(factor)])
        else:
            scales.append(1.0)
    return np.array(scales)


def circular_columns(n_objects: int) -> list[bool]:
    """Which columns are hues or angles over a full turn (raw -1 and 1 are one value)."""
    return [column.group.endswith("hue") or column.group in ANGLE_FACTORS
            for column in multi_layout(n_objects).columns]


@dataclass(frozen=True)
class MultiObjectSettings(PairKindDefaults):
    """Scenes of 1 to 8 objects: types, blocks, placement guarantees, scene and render."""

    name: str = "multi_objects"
    description: str = ""
    n_pairs: int = N_PAIRS.default
    seed: int = SEED.default
    n_objects: int = N_OBJECTS.default
    object_types: tuple[str, ...] = OBJECT_TYPES
    blocks: Mapping[str, BlockSettings] = field(default_factory=_default_blocks)
    min_gap: float = MIN_GAP.default
    min_pixels: float = MIN_PIXELS.default
    masks: bool = False
    depth: bool = False
    scene: SceneSettings = field(default_factory=SceneSettings)
    render: RenderSettings = field(default_factory=RenderSettings)
    n_views: int = N_VIEWS.default
    views: tuple[ViewSettings, ...] = ()  # empty: every view its default (settings/views.py)
    # Each mesh-file type's SHA-256, recorded when a render is prepared (settings/shape_files.py)
    shape_sha256: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_parts(self)
        N_OBJECTS.check(self.n_objects)
        MIN_GAP.check(self.min_gap)
        MIN_PIXELS.check(self.min_pixels)
        object.__setattr__(self, "object_types", tuple(self.object_types))
        check_object_types(self.object_types)
        if text_views(self):  # a sentence says the type: sentences.txt holds one a line
            for index, name in enumerate(self.object_types):
                if len(f"{name}.".splitlines()) > 1:
                    raise SettingsError(f"object_types[{index}]", name, "a name on one line (a "
                                        "text view says it in a sentence): no line break")
        check_shape_sha256(self.shape_sha256, self.object_types)
        object.__setattr__(self, "shape_sha256", dict(sorted(self.shape_sha256.items())))
        object.__setattr__(self, "blocks", ordered_blocks(self.blocks, MULTI_BLOCKS))
        check_views(self.n_views, self.blocks)

    def replace(self, **changes: Any) -> MultiObjectSettings:
        """A copy with some settings changed (validated again)."""
        return dataclasses.replace(self, **changes)

    def view_material(self, view: int) -> str:
        """The objects' material in one view (from 1)."""
        return views_of(self)[view - 1].material

    def columns(self) -> list[dict[str, Any]]:
        """Name, block and Blender scale of every column, for the manifest."""
        scales = column_scales(self.n_objects)
        own = [{"index": k, "name": name, "block": block, "blender_scale": float(scales[k]),
                "role": self.blocks[block].type} | ({"circular": True} if turn else {})
               for k, (name, block, turn) in enumerate(zip(column_names(self.n_objects),
                                                           column_blocks(self.n_objects),
                                                           circular_columns(self.n_objects),
                                                           strict=True))]
        return own + rig_columns(self, len(own))

    def object_centres(self, latents: np.ndarray) -> np.ndarray:
        """(rows, N, 3) world centres of the objects for rows of latents.npy."""
        scales = column_scales(self.n_objects)
        return object_centres(latents[:, :len(scales)] / scales, self.n_objects)

    def camera_poses(self, latents: np.ndarray) -> CameraPoses:
        """The camera of each row of one view's latents.npy."""
        return camera_poses_of(self, latents, len(multi_layout(self.n_objects)))

    def lighting(self, row: np.ndarray) -> Lighting:
        """The lights of one row of latents.npy."""
        return lighting_at(self, row, len(multi_layout(self.n_objects)))

    def _scenes(self, n_pairs: int, rig_raws: list[np.ndarray]) -> Any:
        blocks = {name: MultiBlock(b.type, b.marginal, b.conditional, b.change_probability)
                  for name, b in self.blocks.items() if name in MULTI_BLOCKS}
        poses = rig_poses(self, [raw[:n_pairs] for raw in rig_raws])
        return sample_scenes(n_pairs, self.seed, self.n_objects, self.object_types,
                             blocks, self.min_gap, self.min_pixels, self.render.resolution,
                             self.n_views, poses)

    def sample(self) -> LatentViews:
        """The latents of every view (raw; Blender units through the column scales); the
        cameras are drawn first, so objects are placed to fit each view's camera."""
        rig_raws = sample_rig_raws(self)
        scenes = self._scenes(self.n_pairs, rig_raws)
        raws, scales = with_rig(self, scenes.raws, column_scales(self.n_objects), rig_raws)
        return LatentViews.of(raws, scales)

    def summary(self) -> str:
        """What the render log says about the job's images."""
        return f"{self.render.resolution} px, {self.render.samples} samples"

    def check_placement(self) -> None:
        """SettingsError now if these settings cannot place scenes (too many objects, too
        big a gap or too many pixels for the resolution), instead of when the run starts: the
        sampler's own probe of a few thousand candidate scenes."""
        self._scenes(1, sample_rig_raws(self.replace(n_pairs=1)))

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready), every setting written out."""
        return {"kind": KIND, "name": self.name, "description": self.description,
                "n_pairs": self.n_pairs, "seed": self.seed, **view_entries(self),
                "n_objects": self.n_objects,
                "object_types": list(self.object_types),
                "blocks": {b: s.to_dict() for b, s in self.blocks.items()},
                "min_gap": self.min_gap, "min_pixels": self.min_pixels, "masks": self.masks,
                "depth": self.depth,
                "scene": dataclasses.asdict(self.scene),
                "render": dataclasses.asdict(self.render),
                # only with mesh files: other datasets' manifests keep their bytes
                **({"shape_sha256": dict(self.shape_sha256)} if self.shape_sha256 else {})}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MultiObjectSettings:
        """From plain data; missing settings take their defaults, unknown ones are errors."""
        values = kind_values(cls, data)
        if "blocks" in values:
            blocks = _default_blocks()
            for name, block in dict(values["blocks"]).items():
                if name not in (*MULTI_BLOCKS, *RIG_BLOCKS):
                    raise SettingsError(f"blocks.{name}", block, "one of "
                                        + ", ".join((*MULTI_BLOCKS, *RIG_BLOCKS)))
                blocks[name] = _block(name, block)
            values["blocks"] = blocks
        return cls(**values)


def sample_pairs(settings: PairKindSettings) -> LatentViews:
    """The latents of a job of any pair kind (each kind samples its own way)."""
    return settings.sample()


def check_shape_sha256(record: Any, object_types: tuple[str, ...]) -> None:
    """SettingsError unless `record` maps mesh-file types of object_types to hex SHA-256s."""
    if not isinstance(record, Mapping):
        raise SettingsError("shape_sha256", record, "a table of object type: SHA-256")
    for name, digest in record.items():
        if name not in object_types or name in OBJECT_TYPES:
            raise SettingsError(f"shape_sha256.{name}", digest,
                                "an entry for a mesh file listed in object_types")
        if not (isinstance(digest, str) and re.fullmatch("[0-9a-f]{64}", digest)):
            raise SettingsError(f"shape_sha256.{name}", digest,
                                "a SHA-256 as 64 lower-case hex digits")


def _block(name: str, data: Any) -> BlockSettings:
    try:
        return BlockSettings.from_dict(data)
    except SettingsError as error:
        raise error.within(f"blocks.{name}") from None


def check_placement(settings: MultiObjectSettings) -> None:
    """The kinds table's placement part: SettingsError when the objects cannot be placed."""
    settings.check_placement()
