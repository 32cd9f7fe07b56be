"""The one plain description of a dataset job, validated on construction.

Presets (presets/*.json), the command line, the Blender properties and the manifest all convert
to and from `DatasetSettings`; nothing about a job is defined anywhere else.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import SettingsError
from ..limits import Limit, reject_unknown_keys
from ..model.camera import CameraPoses
from ..model.constants import OBJECT_SIZE
from ..sampling.blocks import (
    BLOCK_TYPE,
    CONTENT,
    ROLE_CONSTANT,
    STYLE,
    VIEW1_LIVE_ROLES,
    VIEW_SPECIFIC,
    column_roles,
)
from ..sampling.causal import find_cycle
from ..sampling.distributions import Conditional, Marginal
from ..sampling.factors import (
    BLOCKS,
    FACTOR_NAMES,
    FACTOR_SCALES,
    FACTORS,
    PUBLISHED_VIEW_ROLES,
    factor_index,
)
from ..sampling.intervened_pairs import sample_intervened
from ..sampling.rig import RIG_BLOCKS, Lighting
from ..sampling.sampler import LatentViews, sample_latents
from .contract import PairKindDefaults
from .interventions import InterventionSettings, intervention_from_data
from .render import RenderSettings, SceneSettings
from .rig import (
    camera_poses_of,
    lighting_at,
    ordered_blocks,
    rig_blocks,
    rig_columns,
    rig_roles,
    sample_rig_raws,
    with_rig,
)
from .views import N_VIEWS, ViewSettings, normalised_views, views_from_data, views_of

N_PAIRS = Limit("n_pairs", "Pairs", "Number of image pairs (view 1, view 2) in the dataset",
                1000, 1, 10_000_000)
SEED = Limit("seed", "Seed", "Random seed: the same settings and seed give identical latents",
             0, 0, 2**31 - 1)
CHANGE_PROBABILITY = Limit(
    "change_probability", "Change Probability",
    "Probability that a style dimension is redrawn in view 2 (1 = every pair, as published)",
    1.0, 0.0, 1.0)
EDGE_STRENGTH = Limit("strength", "Strength",
                      "Std (raw units) of the child's normal around its parent; smaller: stronger",
                      1.0, 1e-6, 1e6)


INTERVENED = "intervened"  # a column's role where the intervention replaces the block rules


def _sub(prefix: str, make: Any, data: Any) -> Any:
    """Build a nested settings object, reporting errors with their full setting path."""
    if not isinstance(data, Mapping):
        raise SettingsError(prefix, data, "a table of settings")
    try:
        return make(data)
    except SettingsError as error:
        raise error.within(prefix) from None
    except TypeError as error:  # a wrongly typed value reached a dataclass
        raise SettingsError(prefix, dict(data), f"valid fields ({error})") from None


def _dataclass_from(cls: Any, data: Mapping[str, Any]) -> Any:
    reject_unknown_keys(data, tuple(f.name for f in dataclasses.fields(cls)))
    return cls(**data)


def dataclass_from_dict(cls: Any, data: Any, setting: str) -> Any:
    """A flat settings dataclass from plain data; errors carry the path below `setting`."""
    return _sub(setting, lambda d: _dataclass_from(cls, d), data)


def kind_values(cls: Any, data: Mapping[str, Any]) -> dict[str, Any]:
    """A kind's settings from plain data, before its own tables: `kind` dropped, unknown keys
    refused, scene and render settings and a views list read (a kind without views ignores
    that step)."""
    values = {k: v for k, v in data.items() if k != "kind"}
    reject_unknown_keys(values, sorted(f.name for f in dataclasses.fields(cls)))
    for name, kind in (("scene", SceneSettings), ("render", RenderSettings)):
        if name in values:
            values[name] = dataclass_from_dict(kind, values[name], name)
    view_values(values)
    return values


@dataclass(frozen=True)
class BlockSettings:
    """How one block of factors (positions, rotations or hues) behaves across the two views."""

    type: str = CONTENT
    marginal: Marginal = field(default_factory=Marginal)
    conditional: Conditional = field(default_factory=Conditional)
    change_probability: float = CHANGE_PROBABILITY.default
    view_roles: tuple[str, str, str] | None = None  # view-specific: names playing m1, m2, m3

    def __post_init__(self) -> None:
        BLOCK_TYPE.check(self.type)
        CHANGE_PROBABILITY.check(self.change_probability)
        if not isinstance(self.marginal, Marginal):
            raise SettingsError("marginal", self.marginal, "a marginal distribution")
        if not isinstance(self.conditional, Conditional):
            raise SettingsError("conditional", self.conditional, "a conditional distribution")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BlockSettings:
        """From plain data (a preset or manifest entry)."""
        reject_unknown_keys(data, tuple(f.name for f in dataclasses.fields(cls)))
        values = dict(data)
        if "marginal" in values:
            values["marginal"] = _sub("marginal", lambda d: _dataclass_from(Marginal, d),
                                      values["marginal"])
        if "conditional" in values:
            values["conditional"] = _sub("conditional", lambda d: _dataclass_from(Conditional, d),
                                         values["conditional"])
        if values.get("view_roles") is not None:
            values["view_roles"] = tuple(values["view_roles"])
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        """Plain data, every field written out."""
        data = dataclasses.asdict(self)
        if self.view_roles is not None:
            data["view_roles"] = list(self.view_roles)
        return data


@dataclass(frozen=True)
class CausalEdge:
    """parent -> child: the child's view-1 value is N_t(parent, strength)."""

    parent: str
    child: str
    strength: float = EDGE_STRENGTH.default

    def __post_init__(self) -> None:
        for attr in ("parent", "child"):
            name = getattr(self, attr)
            if name not in FACTOR_NAMES:
                raise SettingsError(attr, name, "a factor name: " + ", ".join(FACTOR_NAMES))
        if self.parent == self.child:
            raise SettingsError("child", self.child, "a factor other than the parent")
        EDGE_STRENGTH.check(self.strength)

    def __str__(self) -> str:
        return f"{self.parent} -> {self.child}"


def check_parts(settings: Any) -> None:
    """Scene and render settings of their own types, the views list normalised (which may set
    n_views), a name, n_pairs and seed: the part of validation every pair kind shares, done
    first."""
    if not isinstance(settings.scene, SceneSettings):
        raise SettingsError("scene", settings.scene, "scene settings")
    if not isinstance(settings.render, RenderSettings):
        raise SettingsError("render", settings.render, "render settings")
    N_VIEWS.check(settings.n_views)
    views, n_views = normalised_views(settings.views, settings.n_views, settings.scene)
    object.__setattr__(settings, "views", views)
    object.__setattr__(settings, "n_views", n_views)
    if not isinstance(settings.name, str) or not settings.name.strip():
        raise SettingsError("name", settings.name, "a non-empty name")
    if not isinstance(settings.description, str):  # a manifest edited by hand, the Python API
        raise SettingsError("description", settings.description, "text (a JSON string)")
    N_PAIRS.check(settings.n_pairs)
    SEED.check(settings.seed)


def view_entries(settings: Any) -> dict[str, Any]:
    """n_views and views for to_dict, each only when it is not the default: two-view presets
    and manifests stay the bytes they were before there were k views."""
    entries: dict[str, Any] = views_entry(settings.n_views)
    if settings.views:
        entries["views"] = [view.to_dict() for view in settings.views]
    return entries


def view_values(values: dict[str, Any]) -> None:
    """Turn a views list of plain data (a preset's) into view settings, in place."""
    if "views" in values:
        values["views"] = views_from_data(values["views"], values.get("scene", SceneSettings()))


def check_views(n_views: object, blocks: Mapping[str, BlockSettings]) -> None:
    """SettingsError naming n_views if it is out of range, or if it is above 2 while a block
    asks for m1/m2/m3 roles (those exist in two views only)."""
    N_VIEWS.check(n_views)
    if n_views == 2:
        return
    for block, settings in blocks.items():
        if isinstance(settings, BlockSettings) and settings.view_roles is not None:
            raise SettingsError("n_views", n_views,
                                f"2 when blocks.{block}.view_roles chooses m1, m2, m3 (roles "
                                "that exist in two views only); for more views leave view_roles "
                                "out")


def _default_blocks() -> dict[str, BlockSettings]:
    return {
        "positions": BlockSettings(type=STYLE),
        "rotations": BlockSettings(type=VIEW_SPECIFIC),
        "hues": BlockSettings(type=CONTENT),
    }


@dataclass(frozen=True)
class DatasetSettings(PairKindDefaults):
    """Everything that decides a dataset of one-object pairs: its latents and its images.
    Invalid values raise SettingsError."""

    name: str = "hues_positions_rotations"
    description: str = ""
    n_pairs: int = N_PAIRS.default
    seed: int = SEED.default
    blocks: Mapping[str, BlockSettings] = field(default_factory=_default_blocks)
    causal_edges: tuple[CausalEdge, ...] = ()
    n_views: int = N_VIEWS.default
    scene: SceneSettings = field(default_factory=SceneSettings)
    render: RenderSettings = field(default_factory=RenderSettings)
    masks: bool = False  # also render object-index masks (masks/m1, masks/m2)
    depth: bool = False  # also render 16-bit depth maps (depth/m1, depth/m2)
    views: tuple[ViewSettings, ...] = ()  # empty: every view its default (settings/views.py)
    intervention: InterventionSettings | None = None  # view 2 by do() (settings/interventions.py)

    def __post_init__(self) -> None:
        check_parts(self)
        for flag in ("masks", "depth"):
            if not isinstance(getattr(self, flag), bool):
                raise SettingsError(flag, getattr(self, flag), "true or false")
        object.__setattr__(self, "blocks", ordered_blocks(self.blocks, tuple(BLOCKS)))
        for block, settings in self.blocks.items():
            if not isinstance(settings, BlockSettings):
                raise SettingsError(f"blocks.{block}", settings, "block settings")
            self._check_view_roles(block, settings)
        check_views(self.n_views, self.blocks)
        object.__setattr__(self, "causal_edges", tuple(self.causal_edges))
        self._check_edges()
        self._check_intervention()

    def _check_intervention(self) -> None:
        """The intervention replaces the block rules: it needs every block content, two views
        and no camera or lighting block."""
        if self.intervention is None:
            return
        if not isinstance(self.intervention, InterventionSettings):
            raise SettingsError("intervention", self.intervention, "intervention settings")
        for block, settings in self.blocks.items():
            if block in BLOCKS and settings.type != CONTENT:
                raise SettingsError(f"blocks.{block}.type", settings.type,
                                    "content when intervention is set (the intervention "
                                    "replaces the block rules)")
            if block not in BLOCKS:
                raise SettingsError(f"blocks.{block}", block,
                                    "no camera or lighting block when intervention is set")
        if self.n_views != N_VIEWS.default:
            raise SettingsError("n_views", self.n_views, "2 when intervention is set")

    @staticmethod
    def _check_view_roles(block: str, settings: BlockSettings) -> None:
        if settings.view_roles is None:
            return
        names = sorted(FACTORS[c].name for c in BLOCKS[block])
        if sorted(settings.view_roles) != names:
            raise SettingsError(f"blocks.{block}.view_roles", list(settings.view_roles),
                                "the block's three factors in the order m1, m2, m3: "
                                + ", ".join(names))

    def _check_edges(self) -> None:
        roles = self.column_roles()
        for i, edge in enumerate(self.causal_edges):
            if not isinstance(edge, CausalEdge):
                raise SettingsError(f"causal_edges[{i}]", edge, "an edge {parent, child, strength}")
            for end in ("parent", "child"):
                column = factor_index(getattr(edge, end))
                if roles[column] not in VIEW1_LIVE_ROLES:
                    raise SettingsError(
                        f"causal_edges[{i}].{end}", getattr(edge, end),
                        "a factor drawn in view 1 (content, style, view-specific m1, or "
                        "view-specific in more than two views); "
                        f"this one is {roles[column]} (0 in view 1)")
        pairs = [(factor_index(e.parent), factor_index(e.child)) for e in self.causal_edges]
        if len(set(pairs)) != len(pairs):
            raise SettingsError("causal_edges", [str(e) for e in self.causal_edges],
                                "each parent -> child edge at most once")
        cycle = find_cycle(len(FACTORS), pairs)
        if cycle is not None:
            path = " -> ".join(FACTORS[c].name for c in cycle)
            raise SettingsError("causal_edges", path, "an acyclic graph (this is a cycle)")

    def view_material(self, view: int) -> str:
        """The object's material in one view (from 1)."""
        return views_of(self)[view - 1].material

    def view_roles(self, block: str) -> tuple[str, str, str]:
        """Factor names playing m1, m2, m3 when `block` is view-specific."""
        return self.blocks[block].view_roles or PUBLISHED_VIEW_ROLES[block]

    def column_roles(self) -> tuple[str, ...]:
        """Role of every latent column: content, style, m1, m2, m3 (view_specific in more
        than two views) or constant; then the camera and lighting columns' block types."""
        own = column_roles({b: s.type for b, s in self.blocks.items()},
                           {b: self.view_roles(b) for b in BLOCKS}, self.n_views)
        return own + rig_roles(self)

    def camera_poses(self, latents: np.ndarray) -> CameraPoses:
        """The camera of each row of one view's latents.npy."""
        return camera_poses_of(self, latents, len(FACTORS))

    def lighting(self, row: np.ndarray) -> Lighting:
        """The lights of one row of latents.npy."""
        return lighting_at(self, row, len(FACTORS))

    def object_centres(self, latents: np.ndarray) -> np.ndarray:
        """(rows, 1, 3) world centre of the object for rows of latents.npy."""
        height = OBJECT_SIZE / 2.0
        return (latents[:, :3] + np.array([0.0, 0.0, height]))[:, None, :]

    def columns(self) -> list[dict[str, Any]]:
        """Name, block, meaning, Blender scale and role of every column, for the manifest."""
        roles = self.column_roles()
        if self.intervention is not None:  # the block rules do not apply
            roles = tuple(r if r == ROLE_CONSTANT else INTERVENED for r in roles)
        own = [{**f.describe(), "role": role}
               for f, role in zip(FACTORS, roles, strict=False)]
        return own + rig_columns(self, len(FACTORS))

    def sample(self) -> LatentViews:
        """The latents of every view (raw, and Blender units through the column scales)."""
        if self.intervention is not None:
            pairs = sample_intervened(self)
            return LatentViews.of([pairs.raw1, pairs.raw2])
        views = sample_latents(self)
        if not rig_blocks(self):
            return views
        raws, scales = with_rig(self, views.raws, FACTOR_SCALES, sample_rig_raws(self))
        return LatentViews.of(raws, scales)

    def summary(self) -> str:
        """What the render log says about the job's images."""
        return f"{self.render.resolution} px, {self.render.samples} samples"

    def replace(self, **changes: Any) -> DatasetSettings:
        """A copy with some settings changed (validated again)."""
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DatasetSettings:
        """From plain data; missing settings take their defaults, unknown ones are errors."""
        if not isinstance(data, Mapping):
            raise SettingsError("settings", data, "a table of settings")
        reject_unknown_keys(data, tuple(f.name for f in dataclasses.fields(cls)))
        values = dict(data)
        if "blocks" in values:
            blocks_data = values["blocks"]
            if not isinstance(blocks_data, Mapping):
                raise SettingsError("blocks", blocks_data, "a table of blocks")
            reject_unknown_keys(blocks_data, (*BLOCKS, *RIG_BLOCKS))
            blocks = _default_blocks()
            for block, block_data in blocks_data.items():
                blocks[block] = _sub(f"blocks.{block}", BlockSettings.from_dict, block_data)
            values["blocks"] = blocks
        if "causal_edges" in values:
            edges = values["causal_edges"]
            if not isinstance(edges, (list, tuple)):
                raise SettingsError("causal_edges", edges, "a list of edges")
            values["causal_edges"] = tuple(
                _sub(f"causal_edges[{i}]", lambda d: _dataclass_from(CausalEdge, d), e)
                for i, e in enumerate(edges))
        for name, kind in (("scene", SceneSettings), ("render", RenderSettings)):
            if name in values:
                values[name] = dataclass_from_dict(kind, values[name], name)
        view_values(values)
        if values.get("intervention") is not None:
            values["intervention"] = intervention_from_data(values["intervention"])
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready), every setting written out."""
        return {
            "name": self.name,
            "description": self.description,
            "n_pairs": self.n_pairs,
            "seed": self.seed,
            **view_entries(self),
            "blocks": {b: s.to_dict() for b, s in self.blocks.items()},
            "causal_edges": [dataclasses.asdict(e) for e in self.causal_edges],
            "scene": dataclasses.asdict(self.scene),
            "render": dataclasses.asdict(self.render),
            "masks": self.masks,
            "depth": self.depth,
            # only when set: every other preset and manifest keeps its bytes
            **({} if self.intervention is None
               else {"intervention": self.intervention.to_dict()}),
        }


def views_entry(n_views: int) -> dict[str, int]:
    """n_views for to_dict, only when it is not 2: two-view presets and manifests stay the
    bytes they were before there were k views."""
    return {} if n_views == N_VIEWS.default else {"n_views": n_views}

