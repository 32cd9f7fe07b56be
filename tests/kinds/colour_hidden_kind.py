"""The colour-and-grey kind with a third factor its images never show (tests/test_evaluate.py
measures the data's ceiling on it): a supervised probe reads the colour and the grey from the
pixels, and the hidden factor not at all. No Blender needed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from colour_style_kind import HUE_SCALE, ColourStyleRenderer, ColourStyleSettings

from identbox.sampling.sampler import LatentPairs
from identbox.settings.kinds import PAIR_FORMAT, Kind, register


@dataclass(frozen=True)
class ColourHiddenSettings(ColourStyleSettings):
    """A colour over a grey, and a factor drawn in the latents alone."""

    name: str = "colour_hidden"

    def to_dict(self) -> dict[str, Any]:
        """What a preset or manifest holds."""
        return {**super().to_dict(), "kind": "colour_hidden"}

    def columns(self) -> list[dict[str, Any]]:
        """The shared hue, each view's own grey, and the unseen factor."""
        return [*super().columns(), {"index": 2, "name": "hidden", "block": "unseen",
                                     "blender_scale": 1.0, "role": "content"}]

    def sample(self) -> LatentPairs:
        """As the colour-and-grey kind, plus a shared uniform factor nothing draws."""
        shown = super().sample()
        hidden = np.random.default_rng(self.seed + 1).uniform(-1, 1, (self.n_pairs, 1))
        return LatentPairs(np.hstack([shown.raw1, hidden]), np.hstack([shown.raw2, hidden]),
                           np.array([HUE_SCALE, 1.0, 1.0]))


register(Kind(name="colour_hidden", label="Colour, Style and Hidden",
              settings=ColourHiddenSettings, format=PAIR_FORMAT, unit="pairs",
              write="dataset.writing.writer:write_latents", job="render.loop:RenderJob",
              renderer=ColourStyleRenderer, validate="dataset.checking.validate:validate_pairs"))
