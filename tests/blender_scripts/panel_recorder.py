"""What a panel draws, recorded: draw(panel) -> [(function, args, kwargs), ...], so a script
can check what the UI shows without a window."""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

import bpy

Call = tuple[str, tuple[Any, ...], dict[str, Any]]
calls: list[Call] = []


class Layout:
    """Records every call; row(), column(), box(), split() and grid_flow() give another
    recorder."""

    def __getattr__(self, name: str) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            calls.append((name, args, kwargs))
            made = name in ("row", "column", "box", "split", "grid_flow")
            return Layout() if made else types.SimpleNamespace()
        return call

    def __setattr__(self, key: str, value: object) -> None:
        pass


def draw(panel: Any) -> list[Call]:
    """The calls of one panel's draw() in the current scene."""
    calls.clear()
    panel.draw(types.SimpleNamespace(layout=Layout()),
               types.SimpleNamespace(scene=bpy.context.scene))
    return list(calls)


def labels(drawn: list[Call]) -> list[str | None]:
    """The text of every label drawn."""
    return [c[2].get("text") for c in drawn if c[0] == "label"]
