"""A sequence's frames as the panel's preview shows them: the latents of the whole sequence
sampled once per settings (stepping from frame to frame then costs nothing), each frame's row
and the variables intervened on at it. No bpy here."""

from __future__ import annotations

import json

import numpy as np

from ..errors import SettingsError
from ..sampling.sequences import Trajectory
from .sequence import SequenceSettings

# Settings the sequence's frames do not depend on: their look, names, and the images drawn
# after the frames (independent frames, triplets).
NOT_IN_FRAMES = ("name", "description", "object_types", "shape_sha256", "scene", "render",
                 "n_independent", "n_triplets")
NO_TARGETS = "none"

_cache: dict[str, object] = {"key": None, "value": None}


def _sampling_key(settings: SequenceSettings) -> str:
    return json.dumps({k: v for k, v in settings.to_dict().items() if k not in NOT_IN_FRAMES},
                      sort_keys=True)


def cached_trajectory(settings: SequenceSettings) -> Trajectory:
    """The settings' trajectory, sampled again only when a setting that changes it changed."""
    key = _sampling_key(settings)
    if _cache["key"] != key:
        _cache["value"], _cache["key"] = settings.trajectory(), key
    trajectory: Trajectory = _cache["value"]  # type: ignore[assignment]
    return trajectory


def is_sampled(settings: SequenceSettings) -> bool:
    """Whether the trajectory is cached already (a panel's draw must not sample 10,000
    frames)."""
    return _cache["key"] == _sampling_key(settings)


def _checked(settings: SequenceSettings, frame: int) -> tuple[int, int]:
    """(episode, step) of a frame numbered over all episodes; SettingsError outside them."""
    if not 0 <= frame < settings.frames:
        raise SettingsError("frame", frame, f"a frame from 0 to {settings.frames - 1}")
    return divmod(frame, settings.n_frames)


def frame_row(settings: SequenceSettings, frame: int) -> np.ndarray:
    """The frame's latents (a row of factors/latents.npy)."""
    episode, step = _checked(settings, frame)
    row: np.ndarray = cached_trajectory(settings).values[episode, step]
    return row


def frame_targets(settings: SequenceSettings, frame: int) -> tuple[str, ...]:
    """The variables intervened on at the frame (an episode's first frame has none)."""
    episode, step = _checked(settings, frame)
    if step == 0:
        return ()
    mask = cached_trajectory(settings).interventions.mask[episode, step - 1]
    names = settings.causal_model().names
    return tuple(name for name, hit in zip(names, mask, strict=True) if hit)


def targets_text(targets: tuple[str, ...]) -> str:
    """Targets as the panel says them: 'pos_x, pos_y, pos_z', or 'none'."""
    return ", ".join(targets) or NO_TARGETS
