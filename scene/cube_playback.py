"""Play back cube labels in the viewport: IdentBox's labels.npy or an original cLPR .npy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import bpy
import numpy as np

from ..errors import SettingsError
from ..sampling.cube import visible_nodes
from .cube import CubeScene
from .preview import show_scene

_state: dict[str, Any] = {"path": None, "labels": None, "scene": None}


def load_labels(path: Path) -> np.ndarray:
    """A (frames, 8, 6) label array from a .npy file; SettingsError if it is not one."""
    try:
        labels = np.load(path, mmap_mode="r")
    except (OSError, ValueError) as error:
        raise SettingsError("cube.label_file", str(path), f"a readable .npy ({error})") from None
    if labels.ndim != 3 or labels.shape[1:] != (8, 6):
        raise SettingsError("cube.label_file", str(path),
                            f"cube labels of shape (frames, 8, 6), not {labels.shape}")
    return labels


def _cube_scene() -> CubeScene:
    cube = _state["scene"]
    try:
        if cube is not None and cube.mesh.name:
            return cube
    except ReferenceError:
        pass
    _state["scene"] = CubeScene()
    return _state["scene"]


def play_frame(context: Any, label_file: str, frame: int, source_props: Any) -> int:
    """Show label row `frame` of the file on the cube and the cube scene in the window;
    returns the number of frames in the file."""
    label_frames(label_file)
    labels = _state["labels"]
    if not 0 <= frame < len(labels):
        raise SettingsError("cube.frame", frame, f"an integer in [0, {len(labels) - 1}]")
    positions = np.asarray(labels[frame, :, :3], dtype=np.float64)
    cube = _cube_scene()
    cube.show(positions, visible_nodes(positions[None])[0])
    show_scene(context, cube.scene, source_props, rendered=True)  # its faces' colours
    return len(labels)


def label_frames(label_file: str) -> int:
    """How many label rows the file holds (SettingsError if it is not a label file)."""
    path = Path(bpy.path.abspath(label_file))
    if _state["path"] != path:
        _state["labels"], _state["path"] = load_labels(path), path
    return len(_state["labels"])


def play_from_ui(context: Any, props: Any) -> str | None:
    """The panel's Frame slider moved: show that row (an error text instead of raising)."""
    cube_props = props.cube
    if not cube_props.label_file:
        return None
    try:
        play_frame(context, cube_props.label_file, cube_props.frame, props)
    except SettingsError as error:
        return str(error)
    return None
