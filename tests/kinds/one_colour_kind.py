"""A fourth kind of dataset, defined outside the package (tests/test_new_kind.py imports it in
a subprocess): settings, sampling, columns, a renderer (one colour per image, no Blender
needed), and the registration. Nothing in the package is edited for it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from identbox.dataset.sheets.raster import write_png
from identbox.errors import SettingsError
from identbox.model.colors import hue_to_rgb
from identbox.model.constants import GROUND_SATURATION
from identbox.sampling.sampler import LatentPairs
from identbox.settings.contract import PairKindDefaults
from identbox.settings.kinds import PAIR_FORMAT, Kind, register
from identbox.settings.render import RenderSettings, SceneSettings


@dataclass(frozen=True)
class OneColourSettings(PairKindDefaults):
    """Pairs of one colour each; the colour is content (the same in both views). What a pair
    kind has and this one does not (views, blocks, masks, an intervention) comes from
    PairKindDefaults: two image views, none of the rest."""

    name: str = "one_colour"
    description: str = ""
    n_pairs: int = 4
    seed: int = 0
    scene: SceneSettings = field(default_factory=SceneSettings)
    render: RenderSettings = field(default_factory=RenderSettings)

    def __post_init__(self) -> None:
        if not 1 <= self.n_pairs <= 1000:
            raise SettingsError("n_pairs", self.n_pairs, "an integer in [1, 1000]")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> OneColourSettings:
        """The settings of a preset or manifest."""
        values = dict(data)
        values["scene"] = SceneSettings(**values.get("scene", {}))
        values["render"] = RenderSettings(**values.get("render", {}))
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        """What a preset or manifest holds."""
        return {"kind": "one_colour", "name": self.name, "description": self.description,
                "n_pairs": self.n_pairs, "seed": self.seed, "scene": asdict(self.scene),
                "render": asdict(self.render)}

    def replace(self, **changes: Any) -> OneColourSettings:
        """A copy with some settings changed."""
        return replace(self, **changes)

    def columns(self) -> list[dict[str, Any]]:
        """The one latent column: the background's hue, shared by both views."""
        return [{"index": 0, "name": "hue_background", "block": "colour",
                 "blender_scale": float(np.pi), "role": "content"}]

    def sample(self) -> LatentPairs:
        """The same raw colour in both views of each pair."""
        raw = np.random.default_rng(self.seed).uniform(-1, 1, (self.n_pairs, 1))
        return LatentPairs(raw, raw.copy(), np.array([np.pi]))

    def object_centres(self, latents: np.ndarray) -> np.ndarray:
        """No object: one centre at the origin per sample."""
        return np.zeros((len(latents), 1, 3))

    def summary(self) -> str:
        """One line for the command line and the panel."""
        return f"{self.render.resolution} px of one colour"


class OneColourRenderer:
    """Fills the image with the ground colour its latents say."""

    render_seconds = 0.0
    scene = None

    def __init__(self, settings: OneColourSettings, device: object,
                 log: Callable[..., object] = print) -> None:
        self.size = settings.render.resolution

    def render_view(self, row: np.ndarray, view: int, path: Path) -> None:
        """One image of one colour."""
        rgb = hue_to_rgb(np.array([row[0]]), GROUND_SATURATION)[0]
        image = np.empty((self.size, self.size, 3), dtype=np.uint8)
        image[:] = np.round(255 * np.clip(rgb, 0, 1) ** (1 / 2.2)).astype(np.uint8)
        write_png(path, image)

    render_mask = render_depth = render_view


register(Kind(name="one_colour", label="One Colour", settings=OneColourSettings,
              format=PAIR_FORMAT, unit="pairs", write="dataset.writing.writer:write_latents",
              job="render.loop:RenderJob", renderer=OneColourRenderer,
              validate="dataset.checking.validate:validate_pairs"))
