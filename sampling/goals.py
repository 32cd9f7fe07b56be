"""Goals of the CITRIS mechanisms: where a variable heads next, computed from its parents.

A goal is plain data (its kind, parents and constants) and a function of the parents' values;
angles are in radians on [0, 2 pi). See temporal-causal3dident.md, "Dynamics of one step".
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import numpy as np

TWO_PI = 2.0 * math.pi
# Python's math, one number at a time: numpy's vectorised sin, cos and arctan2 can differ in the
# last bit with how an array lies in memory, and a sequence's latents must be the same bits in
# every process (validate samples them again; a resumed render reads them again).
_sin = np.vectorize(math.sin, otypes=[np.float64])
_cos = np.vectorize(math.cos, otypes=[np.float64])
_atan2 = np.vectorize(math.atan2, otypes=[np.float64])
TRIG_FUNCTIONS = {"sin": _sin, "cos": _cos}


def wrap_angle(x: np.ndarray) -> np.ndarray:
    """x on [0, 2 pi), never 2 pi itself (np.mod of a tiny negative number rounds up to it)."""
    out = np.mod(x, TWO_PI)
    return np.where(out >= TWO_PI, 0.0, out)


def shorter_arc(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """The signed turn from start to end along the shorter arc, in [-pi, pi)."""
    return np.mod(np.asarray(end) - start + math.pi, TWO_PI) - math.pi


class Goal(Protocol):
    """A value a variable moves towards, from the values of its parents (by name)."""

    @property
    def parents(self) -> tuple[str, ...]: ...

    def __call__(self, values: Mapping[str, np.ndarray]) -> np.ndarray: ...

    def describe(self) -> dict[str, object]: ...


@dataclass(frozen=True)
class Trig:
    """amplitude * sin(parent) or amplitude * cos(parent) (positions from rotations)."""

    function: str
    parent: str
    amplitude: float = 1.5

    @property
    def parents(self) -> tuple[str, ...]:
        return (self.parent,)

    def __call__(self, values: Mapping[str, np.ndarray]) -> np.ndarray:
        return self.amplitude * TRIG_FUNCTIONS[self.function](values[self.parent])

    def describe(self) -> dict[str, object]:
        return {"goal": self.function, "parent": self.parent, "amplitude": self.amplitude}


@dataclass(frozen=True)
class Angle:
    """offset + sign * parent, wrapped: the parent itself (sign 1) or its mirror (2 pi - it)."""

    parent: str
    sign: float = 1.0
    offset: float = 0.0

    @property
    def parents(self) -> tuple[str, ...]:
        return (self.parent,)

    def __call__(self, values: Mapping[str, np.ndarray]) -> np.ndarray:
        return wrap_angle(self.offset + self.sign * values[self.parent])

    def describe(self) -> dict[str, object]:
        return {"goal": "angle", "parent": self.parent, "sign": self.sign, "offset": self.offset}


@dataclass(frozen=True)
class Heading:
    """atan2(x, y) wrapped to [0, 2 pi): the spotlight turns towards the object."""

    x: str
    y: str

    @property
    def parents(self) -> tuple[str, ...]:
        return (self.x, self.y)

    def __call__(self, values: Mapping[str, np.ndarray]) -> np.ndarray:
        return wrap_angle(_atan2(values[self.x], values[self.y]))

    def describe(self) -> dict[str, object]:
        return {"goal": "atan2", "x": self.x, "y": self.y}


@dataclass(frozen=True)
class CircularMean:
    """The circular mean of angles, plus an offset, wrapped."""

    angles: tuple[str, ...]
    offset: float = 0.0

    @property
    def parents(self) -> tuple[str, ...]:
        return self.angles

    def __call__(self, values: Mapping[str, np.ndarray]) -> np.ndarray:
        sin = sum(_sin(values[name]) for name in self.angles)
        cos = sum(_cos(values[name]) for name in self.angles)
        return wrap_angle(_atan2(sin, cos) + self.offset)

    def describe(self) -> dict[str, object]:
        return {"goal": "circular_mean", "angles": list(self.angles), "offset": self.offset}


@dataclass(frozen=True)
class Fixed:
    """A constant goal."""

    value: float

    @property
    def parents(self) -> tuple[str, ...]:
        return ()

    def __call__(self, values: Mapping[str, np.ndarray]) -> np.ndarray:
        return np.array(self.value)  # broadcasts against the samples

    def describe(self) -> dict[str, object]:
        return {"goal": "fixed", "value": self.value}


@dataclass(frozen=True)
class ByCategory:
    """One goal per value of a categorical parent (hue_object's goal per shape)."""

    category: str
    goals: tuple[Goal, ...]

    @property
    def parents(self) -> tuple[str, ...]:
        names = [self.category]
        for goal in self.goals:
            names += [p for p in goal.parents if p not in names]
        return tuple(names)

    def __call__(self, values: Mapping[str, np.ndarray]) -> np.ndarray:
        category = np.asarray(values[self.category]).astype(np.int64)
        out = np.zeros(category.shape)
        for k, goal in enumerate(self.goals):
            out = np.where(category == k, goal(values), out)
        return out

    def describe(self) -> dict[str, object]:
        return {"goal": "by_category", "category": self.category,
                "goals": [g.describe() for g in self.goals]}
