"""The one-colour kind with a style factor (tests/test_evaluate.py trains the baseline on it in
a subprocess): the top half of each image shows a colour both views share (content), the
bottom half a grey each view draws for itself (style). No Blender needed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from one_colour_kind import OneColourRenderer, OneColourSettings

from identbox.dataset.sheets.raster import write_png
from identbox.errors import SettingsError
from identbox.model.colors import hue_to_rgb
from identbox.sampling.sampler import LatentPairs
from identbox.settings.kinds import PAIR_FORMAT, Kind, register

HUE_SCALE = np.pi / 2  # half the colour circle: no two hues share a colour
MOST_PAIRS = 5000


@dataclass(frozen=True)
class ColourStyleSettings(OneColourSettings):
    """Pairs of a shared colour (content) over a grey drawn anew in each view (style)."""

    name: str = "colour_style"

    def __post_init__(self) -> None:
        if not 1 <= self.n_pairs <= MOST_PAIRS:
            raise SettingsError("n_pairs", self.n_pairs, f"an integer in [1, {MOST_PAIRS}]")

    def to_dict(self) -> dict[str, Any]:
        """What a preset or manifest holds."""
        return {**super().to_dict(), "kind": "colour_style"}

    def columns(self) -> list[dict[str, Any]]:
        """The shared hue, then each view's own grey."""
        return [{"index": 0, "name": "hue_object", "block": "colour",
                 "blender_scale": float(HUE_SCALE), "role": "content"},
                {"index": 1, "name": "grey", "block": "light", "blender_scale": 1.0,
                 "role": "style"}]

    def sample(self) -> LatentPairs:
        """One hue per pair; a grey per view, drawn independently."""
        hue, grey1, grey2 = np.random.default_rng(self.seed).uniform(-1, 1, (3, self.n_pairs, 1))
        return LatentPairs(np.hstack([hue, grey1]), np.hstack([hue, grey2]),
                           np.array([HUE_SCALE, 1.0]))

    def summary(self) -> str:
        """One line for the command line and the panel."""
        return f"{self.render.resolution} px: a colour over a grey"


class ColourStyleRenderer(OneColourRenderer):
    """The hue's colour above, the grey below."""

    def render_view(self, row: np.ndarray, view: int, path: Path) -> None:
        """One image: two flat halves."""
        image = np.empty((self.size, self.size, 3))
        image[: self.size // 2] = hue_to_rgb(np.array([row[0]]), 1.0)[0]
        image[self.size // 2:] = (row[1] + 1) / 2
        write_png(path, np.round(255 * np.clip(image, 0, 1)).astype(np.uint8))

    render_mask = render_depth = render_view


register(Kind(name="colour_style", label="Colour and Style", settings=ColourStyleSettings,
              format=PAIR_FORMAT, unit="pairs", write="dataset.writing.writer:write_latents",
              job="render.loop:RenderJob", renderer=ColourStyleRenderer,
              validate="dataset.checking.validate:validate_pairs"))
