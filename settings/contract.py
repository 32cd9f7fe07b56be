"""What a kind's settings give the layers above, typed: every kind's (`KindSettings`), and a
kind with the pairs' layout's (`PairKindSettings`: Pairs, Objects, Multimodal3DIdent, or a kind
registered from outside). Code above the settings reads these attributes and never asks which
class it holds; `PairKindDefaults` gives a pair kind what it does not have (one view list
fewer to write for a new kind), so the attributes are always there to read."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import Field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

import numpy as np

from ..model.camera import CameraPoses
from ..sampling.rig import Lighting
from ..sampling.sampler import LatentViews
from .render import RenderSettings, SceneSettings
from .rig import camera_poses_of, lighting_at
from .views import ViewSettings

if TYPE_CHECKING:  # pairs.py's settings list PairKindDefaults as a base
    from .interventions import InterventionSettings
    from .pairs import BlockSettings


class KindSettings(Protocol):
    """Every kind's settings: a frozen dataclass with a name, a seed, and plain data both ways
    (from_dict is the class's)."""

    __dataclass_fields__: ClassVar[dict[str, Field[Any]]]

    @property
    def name(self) -> str: ...

    @property
    def seed(self) -> int: ...

    def to_dict(self) -> dict[str, Any]:
        """What a preset or manifest holds."""
        ...

    def summary(self) -> str:
        """One line for the log and the panel."""
        ...

    def replace(self, **changes: Any) -> KindSettings:
        """A copy with some settings changed (checked again)."""
        ...

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> KindSettings:
        """The settings a preset's or manifest's plain data give (SettingsError otherwise)."""
        ...


class PairKindSettings(KindSettings, Protocol):
    """Settings of a kind written in the pairs' layout (samples/mK, factors/mK)."""

    @property
    def description(self) -> str: ...

    @property
    def n_pairs(self) -> int: ...

    @property
    def n_views(self) -> int: ...

    @property
    def views(self) -> tuple[ViewSettings, ...]: ...  # () : n_views image views, no list

    @property
    def blocks(self) -> Mapping[str, BlockSettings]: ...

    @property
    def intervention(self) -> InterventionSettings | None: ...

    @property
    def masks(self) -> bool: ...

    @property
    def depth(self) -> bool: ...

    @property
    def n_objects(self) -> int: ...

    @property
    def scene(self) -> SceneSettings: ...

    @property
    def render(self) -> RenderSettings: ...

    def replace(self, **changes: Any) -> PairKindSettings:
        """A copy with some settings changed (checked again)."""
        ...

    def view_material(self, view: int) -> str:
        """The object's material in image view `view` (from 1)."""
        ...

    def columns(self) -> list[dict[str, Any]]:
        """The manifest's description of every latent column."""
        ...

    def sample(self) -> LatentViews:
        """The latents of every view."""
        ...

    def object_centres(self, latents: np.ndarray) -> np.ndarray:
        """(rows, objects, 3) world centres of the objects for rows of latents.npy."""
        ...

    def camera_poses(self, latents: np.ndarray) -> CameraPoses:
        """The camera of each row of one view's latents.npy."""
        ...

    def lighting(self, row: np.ndarray) -> Lighting:
        """The lights of one row of latents.npy."""
        ...


class PairKindDefaults:
    """What a pair kind has when it says nothing else: two image views of one object in the
    scene's materials, no blocks (so no camera or lighting factors), no intervention, no masks
    or depth maps. A settings class lists this as a base; its own fields win."""

    n_views: int = 2
    views: tuple[ViewSettings, ...] = ()
    blocks: Mapping[str, BlockSettings] = MappingProxyType({})
    intervention: InterventionSettings | None = None
    masks: bool = False
    depth: bool = False
    n_objects: int = 1
    scene: SceneSettings  # the subclass's field

    def view_material(self, view: int) -> str:
        """The scene's material for view `view`."""
        return self.scene.material(view)

    def camera_poses(self, latents: np.ndarray) -> CameraPoses:
        """The published camera in every row (there is no camera block)."""
        return camera_poses_of(self, latents, 0)

    def lighting(self, row: np.ndarray) -> Lighting:
        """The published lights (there is no lighting block)."""
        return lighting_at(self, row, 0)
