"""Temporal sequences (reference temporal-causal3dident.md): episodes of frames in which a
causal model's variables move step to step, with interventions drawn per step and recorded.

One object, a spotlight and the ground, as Temporal Causal3DIdent draws them. `model` names the
causal model ("citris": the reference's, with `n_shapes` 1 or 7); `object_types` draws its
shapes: built-in stand-ins for the reference's scanned meshes (the log and the manifest say
so), or mesh files. The whole sequence's latents are sampled once, then rendered frame by frame.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import SettingsError
from ..limits import Limit
from ..sampling.citris import SHAPES, citris_model
from ..sampling.mechanisms import CausalModel
from ..sampling.multi import OBJECT_TYPES, check_object_types
from ..sampling.sequences import Trajectory, default_probability, sample_trajectory
from ..sampling.triplets import Triplets, draw_triplets, independent_frames
from .objects import check_shape_sha256
from .pairs import SEED, kind_values
from .render import RenderSettings, SceneSettings

KIND = "sequence"
MODELS = ("citris",)
SHAPE_COUNTS = (1, len(SHAPES))  # the reference's one-shape and seven-shape variants
# The built-in type drawn for each of the reference's shapes (citris.SHAPES order).
STAND_INS = ("teapot", "sphere", "torus", "cube", "cone", "monkey", "cylinder")
MAX_FRAMES = 10_000_000
N_FRAMES = Limit("n_frames", "Frames", "Frames per episode (the reference: one episode of "
                 "10,000)", 100, 1, MAX_FRAMES)
N_EPISODES = Limit("n_episodes", "Episodes", "Independent sequences, each starting afresh",
                   1, 1, MAX_FRAMES)
N_INDEPENDENT = Limit("n_independent", "Independent Frames", "Frames whose every variable is "
                      "drawn independently, uniform over its range (the reference's val_indep "
                      "and test_indep sets)", 0, 0, MAX_FRAMES)
N_TRIPLETS = Limit("n_triplets", "Triplets", "Triplets: two frames of the sequence and a third "
                   "that takes each causal group from one of them (the reference's triplet "
                   "sets)", 0, 0, MAX_FRAMES)


@dataclass(frozen=True)
class SequenceSettings:
    """A causal model's sequences: length and episodes, how interventions are drawn (each
    causal group with probability p, None: the reference's 1 / (groups + 1); or one group per
    step), the instantaneous variant, the shapes drawn, scene and render."""

    name: str = KIND
    description: str = ""
    model: str = "citris"
    n_shapes: int = 1
    n_frames: int = N_FRAMES.default
    n_episodes: int = N_EPISODES.default
    n_independent: int = N_INDEPENDENT.default
    n_triplets: int = N_TRIPLETS.default
    intervention_probability: float | None = None
    single_target: bool = False
    instantaneous: bool = False
    seed: int = SEED.default
    object_types: tuple[str, ...] = ()  # empty: the stand-ins of the n_shapes shapes
    shape_sha256: Mapping[str, str] = field(default_factory=dict)
    scene: SceneSettings = field(default_factory=SceneSettings)
    render: RenderSettings = field(default_factory=RenderSettings)

    def __post_init__(self) -> None:
        if not isinstance(self.scene, SceneSettings):
            raise SettingsError("scene", self.scene, "scene settings")
        if not isinstance(self.render, RenderSettings):
            raise SettingsError("render", self.render, "render settings")
        if not isinstance(self.name, str) or not self.name.strip():
            raise SettingsError("name", self.name, "a non-empty name")
        if self.model not in MODELS:
            raise SettingsError("model", self.model, "one of " + ", ".join(MODELS))
        if self.n_shapes not in SHAPE_COUNTS or isinstance(self.n_shapes, bool):
            raise SettingsError("n_shapes", self.n_shapes, f"one of {SHAPE_COUNTS}")
        for spec in (N_FRAMES, N_EPISODES, N_INDEPENDENT, N_TRIPLETS, SEED):
            spec.check(getattr(self, spec.name))
        if self.items > MAX_FRAMES:
            raise SettingsError("n_frames", self.n_frames, f"at most {MAX_FRAMES:,} images in "
                                f"all ({self.n_episodes} episodes, independent frames and "
                                "triplets)")
        if self.n_triplets and self.frames < 2:
            raise SettingsError("n_triplets", self.n_triplets,
                                "0: triplets need a sequence of at least 2 frames")
        p = self.intervention_probability
        if p is not None and (isinstance(p, bool) or not isinstance(p, (int, float))
                              or not 0.0 <= p <= 1.0):
            raise SettingsError("intervention_probability", p,
                                "a number in [0, 1], or null for the reference's default")
        for flag in ("single_target", "instantaneous"):
            if not isinstance(getattr(self, flag), bool):
                raise SettingsError(flag, getattr(self, flag), "true or false")
        if self.single_target and p is not None:
            raise SettingsError("intervention_probability", p,
                                "null with single_target (one group per step)")
        types = self.object_types or STAND_INS[:self.n_shapes]
        if isinstance(types, str) or not isinstance(types, (list, tuple)) \
                or len(types) != self.n_shapes:
            raise SettingsError("object_types", types, f"a list of {self.n_shapes} types, one "
                                "for each of " + ", ".join(SHAPES[:self.n_shapes]))
        object.__setattr__(self, "object_types", tuple(types))
        check_object_types(self.object_types, distinct=False)
        check_shape_sha256(self.shape_sha256, self.object_types)
        object.__setattr__(self, "shape_sha256", dict(sorted(self.shape_sha256.items())))

    @property
    def frames(self) -> int:
        """Frames in all episodes, numbered 0, 1, ... over the whole dataset."""
        return self.n_frames * self.n_episodes

    @property
    def items(self) -> int:
        """Images in all: the frames, then the independent frames, then the triplets' third
        frames (the render loop's indices run over them in that order)."""
        return self.frames + self.n_independent + self.n_triplets

    def causal_model(self) -> CausalModel:
        """The causal model the settings name."""
        return citris_model(self.n_shapes)

    def probability(self) -> float | None:
        """p each causal group is a target per step (None with single_target)."""
        if self.single_target:
            return None
        if self.intervention_probability is None:
            return default_probability(self.causal_model())
        return float(self.intervention_probability)

    def trajectory(self) -> Trajectory:
        """Every episode's values, noise and interventions, sampled once."""
        return sample_trajectory(self.causal_model(), self.n_frames, self.seed, self.n_episodes,
                                 self.probability(), self.single_target, self.instantaneous)

    def independent(self) -> np.ndarray:
        """The independent frames (n_independent x variables)."""
        return independent_frames(self.causal_model(), self.n_independent, self.seed)

    def triplets(self, frames: np.ndarray) -> Triplets:
        """The triplets over the sequence's frames (frames x variables, every episode)."""
        return draw_triplets(self.causal_model(), frames, self.n_triplets, self.seed)

    def stand_ins(self) -> dict[str, str]:
        """The reference's shapes drawn as another built-in type: {"armadillo": "sphere"}."""
        return {shape: drawn for shape, drawn in zip(SHAPES, self.object_types, strict=False)
                if shape != drawn and drawn in OBJECT_TYPES}

    def replace(self, **changes: Any) -> SequenceSettings:
        """A copy with some settings changed (validated again)."""
        return dataclasses.replace(self, **changes)

    def summary(self) -> str:
        """What the render log says about the job's images (and the shapes drawn instead)."""
        swapped = self.stand_ins()
        shapes = ("; " + ", ".join(f"{shape} drawn as {drawn}" for shape, drawn in swapped.items())
                  + " (built-in stand-ins for the reference's scanned shapes)") if swapped else ""
        extra = "".join(f", {n} {what}" for n, what in ((self.n_independent, "independent frames"),
                                                        (self.n_triplets, "triplets")) if n)
        return (f"{self.n_episodes} x {self.n_frames} frames{extra}, {self.render.resolution} px, "
                f"{self.render.samples} samples{shapes}")

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready), every setting written out."""
        return {"kind": KIND, "name": self.name, "description": self.description,
                "model": self.model, "n_shapes": self.n_shapes, "n_frames": self.n_frames,
                "n_episodes": self.n_episodes, "n_independent": self.n_independent,
                "n_triplets": self.n_triplets,
                "intervention_probability": self.intervention_probability,
                "single_target": self.single_target, "instantaneous": self.instantaneous,
                "seed": self.seed, "object_types": list(self.object_types),
                **({"shape_sha256": dict(self.shape_sha256)} if self.shape_sha256 else {}),
                "scene": dataclasses.asdict(self.scene),
                "render": dataclasses.asdict(self.render)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SequenceSettings:
        """From plain data; missing settings take their defaults, unknown ones are errors."""
        return cls(**kind_values(cls, data))
