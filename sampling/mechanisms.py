"""Structural causal models as plain data: variables, mechanisms, and their exogenous noise.

Every variable is a deterministic function of its parents and one exogenous noise value, a
uniform u in [0, 1) per sample, turned into the variable's law through an inverse CDF. Sampling
stores u; re-computing with the same u under do(target := value) gives the counterfactual: the
targets take their values, every non-descendant of them is bit-identical, and descendants follow
their mechanisms. Mechanisms:

- Root: drawn from a marginal (uniform on the variable's range unless given) through u;
- GaussianEdges: today's causal edges (sampling/causal.py): N(centre, std) truncated to the
  range, centre and std the product of the edges' normals, through its inverse CDF;
- HalfwayToGoal: CITRIS: from the previous value, half way to a goal computed from the parents,
  plus N(0, std) noise; a continuous variable is truncated to its range (the reference's
  "redrawn while |z| > 2"), an angle turns along the shorter arc and wraps;
- Persist: CITRIS's shape: kept, except with probability p redrawn uniformly (u < p: the value
  floor(k u / p), so one u decides both);
- Constant: a fixed value (rot_gamma, kept out of CITRIS).

HalfwayToGoal and Persist need the previous value: they run through sampling/sequences.py.
Values are float64 arrays (samples x variables); a categorical variable holds 0, 1, ..., k - 1.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol

import numpy as np

from ..errors import SettingsError
from .causal import Parents, find_cycle, topological_order
from .distributions import Marginal
from .factors import RAW_HIGH, RAW_LOW
from .goals import Goal, shorter_arc
from .truncnorm import normal_quantile, truncated_normal_quantile

VARIABLE_KINDS = ("continuous", "angle", "categorical")


@dataclass(frozen=True)
class Variable:
    """A causal variable: its name, its range (an angle wraps on [low, high)) or k categories."""

    name: str
    low: float = RAW_LOW
    high: float = RAW_HIGH
    kind: str = "continuous"
    categories: int = 0

    def __post_init__(self) -> None:
        if self.kind not in VARIABLE_KINDS:
            raise SettingsError(f"{self.name}.kind", self.kind, f"one of {VARIABLE_KINDS}")
        if self.kind == "categorical" and self.categories < 1:
            raise SettingsError(f"{self.name}.categories", self.categories,
                                "a whole number >= 1 for a categorical variable")
        if self.kind != "categorical" and not self.low < self.high:
            raise SettingsError(f"{self.name}.low", self.low, f"a number below high ({self.high})")

    @property
    def span(self) -> tuple[float, float]:
        """[low, high] of the values, categorical ones included."""
        if self.kind == "categorical":
            return 0.0, float(self.categories - 1)
        return self.low, self.high

    def uniform(self, u: np.ndarray) -> np.ndarray:
        """A uniform draw over the range (or the categories) from u in [0, 1)."""
        if self.kind == "categorical":
            return np.minimum(np.floor(u * self.categories), self.categories - 1)
        value = self.low + u * (self.high - self.low)
        return np.minimum(value, np.nextafter(self.high, self.low)) if self.kind == "angle" \
            else value

    def wrap(self, x: np.ndarray) -> np.ndarray:
        """An angle brought back onto [low, high)."""
        out = self.low + np.mod(x - self.low, self.high - self.low)
        return np.where(out >= self.high, self.low, out)  # a tiny negative x - low rounds up

    def describe(self) -> dict[str, object]:
        """Plain description for a manifest."""
        if self.kind == "categorical":
            return {"name": self.name, "kind": self.kind, "categories": self.categories}
        return {"name": self.name, "kind": self.kind, "range": [self.low, self.high]}


class Mechanism(Protocol):
    """How a variable follows its parents (values by name) and its noise u."""

    @property
    def parents(self) -> tuple[str, ...]: ...

    @property
    def needs_previous(self) -> bool: ...

    def apply(self, variable: Variable, parents: Mapping[str, np.ndarray],
              previous: np.ndarray | None, noise: np.ndarray) -> np.ndarray: ...

    def describe(self) -> dict[str, object]: ...


@dataclass(frozen=True)
class Root:
    """No parents: the marginal (a Marginal lives on the raw box) or uniform on the range."""

    marginal: Marginal | None = None
    parents: tuple[str, ...] = ()
    needs_previous: bool = False

    def apply(self, variable: Variable, parents: Mapping[str, np.ndarray],
              previous: np.ndarray | None, noise: np.ndarray) -> np.ndarray:
        if self.marginal is None:
            return variable.uniform(noise)
        if self.marginal.kind == "uniform":
            return self.marginal.low + noise * (self.marginal.high - self.marginal.low)
        return truncated_normal_quantile(noise, np.zeros(noise.shape), self.marginal.std,
                                         RAW_LOW, RAW_HIGH)

    def describe(self) -> dict[str, object]:
        if self.marginal is None:
            return {"mechanism": "root", "marginal": "uniform on the range"}
        return {"mechanism": "root", "marginal": self.marginal.kind, "low": self.marginal.low,
                "high": self.marginal.high, "std": self.marginal.std}


@dataclass(frozen=True)
class Constant:
    """Always the same value (noise unused)."""

    value: float = 0.0
    parents: tuple[str, ...] = ()
    needs_previous: bool = False

    def apply(self, variable: Variable, parents: Mapping[str, np.ndarray],
              previous: np.ndarray | None, noise: np.ndarray) -> np.ndarray:
        return np.full(noise.shape, self.value)

    def describe(self) -> dict[str, object]:
        return {"mechanism": "constant", "value": self.value}


@dataclass(frozen=True)
class GaussianEdges:
    """Today's causal edges: N(centre, std) truncated to the range, from the product of the
    edges' normals N(parent, strength) (Parents.centre_and_std), through its inverse CDF."""

    parents: tuple[str, ...]
    strengths: tuple[float, ...]
    needs_previous: bool = False

    def __post_init__(self) -> None:
        if len(self.parents) != len(self.strengths) or not self.parents:
            raise SettingsError("strengths", self.strengths,
                                f"one strength per parent ({len(self.parents)} parents, >= 1)")
        for strength in self.strengths:
            if not strength > 0.0:
                raise SettingsError("strengths", self.strengths, "numbers above 0")

    def apply(self, variable: Variable, parents: Mapping[str, np.ndarray],
              previous: np.ndarray | None, noise: np.ndarray) -> np.ndarray:
        values = np.stack([parents[name] for name in self.parents], axis=-1)
        edges = Parents(tuple(range(len(self.parents))), self.strengths)
        centre, std = edges.centre_and_std(values.reshape(-1, len(self.parents)))
        low, high = variable.span
        return truncated_normal_quantile(noise, centre.reshape(noise.shape), std, low, high)

    def describe(self) -> dict[str, object]:
        return {"mechanism": "gaussian_edges", "parents": list(self.parents),
                "strengths": list(self.strengths)}


@dataclass(frozen=True)
class HalfwayToGoal:
    """CITRIS: previous + (goal - previous) / 2 + N(0, std); continuous: truncated to the range;
    angle: the shorter arc, wrapped."""

    goal: Goal
    std: float
    needs_previous: bool = True

    @property
    def parents(self) -> tuple[str, ...]:
        return self.goal.parents

    def apply(self, variable: Variable, parents: Mapping[str, np.ndarray],
              previous: np.ndarray | None, noise: np.ndarray) -> np.ndarray:
        assert previous is not None
        goal = self.goal(parents)
        if variable.kind == "angle":
            turn = shorter_arc(previous, goal) / 2.0
            return variable.wrap(previous + turn + self.std * normal_quantile(noise))
        centre = previous + (goal - previous) / 2.0
        return truncated_normal_quantile(noise, centre, self.std, variable.low, variable.high)

    def describe(self) -> dict[str, object]:
        return {"mechanism": "halfway_to_goal", "goal": self.goal.describe(), "std": self.std}


@dataclass(frozen=True)
class Persist:
    """A categorical value kept, except with probability `change` redrawn uniformly (it may
    draw the same value): u < change redraws, to floor(k u / change)."""

    change: float = 0.05
    parents: tuple[str, ...] = ()
    needs_previous: bool = True

    def apply(self, variable: Variable, parents: Mapping[str, np.ndarray],
              previous: np.ndarray | None, noise: np.ndarray) -> np.ndarray:
        assert previous is not None
        redrawn = variable.uniform(np.minimum(noise / self.change, 1.0))
        return np.where(noise < self.change, redrawn, previous)

    def describe(self) -> dict[str, object]:
        return {"mechanism": "persist", "change_probability": self.change}


@dataclass(frozen=True)
class Interventions:
    """do(target := value) per sample: mask (samples x variables, 0/1) and the values (read
    where the mask is 1)."""

    mask: np.ndarray
    values: np.ndarray

    @classmethod
    def none(cls, shape: tuple[int, ...]) -> Interventions:
        """No targets anywhere."""
        return cls(np.zeros(shape, dtype=bool), np.zeros(shape))


@dataclass(frozen=True)
class CausalModel:
    """Variables with one mechanism each; `groups` are the causal variables that interventions
    target together (default: every variable that is not a constant, alone)."""

    variables: tuple[Variable, ...]
    mechanisms: tuple[Mechanism, ...]
    groups: tuple[tuple[str, ...], ...] = field(default=())

    def __post_init__(self) -> None:
        names = [v.name for v in self.variables]
        if len(set(names)) != len(names):
            raise SettingsError("variables", names, "names that differ")
        if len(self.mechanisms) != len(self.variables):
            raise SettingsError("mechanisms", len(self.mechanisms),
                                f"one mechanism per variable ({len(self.variables)})")
        for variable, mechanism in zip(self.variables, self.mechanisms, strict=True):
            for parent in mechanism.parents:
                if parent not in names:
                    raise SettingsError(f"{variable.name}.parents", parent,
                                        f"names of variables: {names}")
        if not self.groups:
            object.__setattr__(self, "groups", tuple(
                (v.name,) for v, m in zip(self.variables, self.mechanisms, strict=True)
                if not isinstance(m, Constant)))
        for group in self.groups:
            for name in group:
                if name not in names:
                    raise SettingsError("groups", group, f"names of variables: {names}")

    @cached_property
    def names(self) -> tuple[str, ...]:
        """Variable names, in column order."""
        return tuple(v.name for v in self.variables)

    @cached_property
    def _columns(self) -> dict[str, int]:
        return {name: column for column, name in enumerate(self.names)}

    def index(self, name: str) -> int:
        """The column of a variable."""
        return self._columns[name]

    @property
    def edges(self) -> list[tuple[int, int]]:
        """(parent, child) columns within one time step (a variable's own previous value is
        no edge)."""
        return [(self.index(p), child) for child, m in enumerate(self.mechanisms)
                for p in dict.fromkeys(m.parents) if self.index(p) != child]

    @cached_property
    def order(self) -> list[int]:
        """Columns with parents first."""
        cycle = find_cycle(len(self.variables), self.edges)
        if cycle is not None:
            raise SettingsError("mechanisms", " -> ".join(self.names[i] for i in cycle),
                                "parents that form no cycle")
        return topological_order(len(self.variables), self.edges)

    def descendants(self, targets: np.ndarray) -> np.ndarray:
        """Which variables are the targets or lie below them (per sample: masks x variables)."""
        out = np.array(targets, dtype=bool, copy=True)
        for column in self.order:
            for parent, child in self.edges:
                if child == column:
                    out[..., child] |= out[..., parent]
        return out

    def describe(self) -> dict[str, object]:
        """Plain description for a manifest."""
        return {"variables": [
            {**v.describe(), **m.describe()}
            for v, m in zip(self.variables, self.mechanisms, strict=True)],
            "groups": [list(g) for g in self.groups]}


@dataclass(frozen=True)
class Sample:
    """Values (samples x variables) and the exogenous noise that made them."""

    values: np.ndarray
    noise: np.ndarray


# A stream is keyed (seed, (_SCM, key, purpose)): three numbers, so it never meets the two-number
# keys of sampling/sampler.py. Never renumber: it would change every sample drawn here.
_SCM = 17
NOISE = 0
TARGETS = 1
VALUES = 2
SINGLE_TARGET = 3
SEQUENCE_NOISE = 4
INDEPENDENT = 5
TRIPLETS = 6


def stream(seed: int, key: int, purpose: int) -> np.random.Generator:
    """The random stream of one variable (or group) and purpose."""
    sequence = np.random.SeedSequence(seed, spawn_key=(_SCM, key, purpose))
    return np.random.Generator(np.random.PCG64(sequence))


def compute(model: CausalModel, noise: np.ndarray, interventions: Interventions | None = None,
            previous: np.ndarray | None = None, instantaneous: bool = True) -> np.ndarray:
    """Every variable from its mechanism and noise, parents first, targets replaced by their
    values before their children read them. With `previous` (a time step), a variable's own
    parent is its previous value, and other parents too unless `instantaneous`."""
    values = np.zeros(noise.shape)
    for column in model.order if instantaneous else range(len(model.variables)):
        variable, mechanism = model.variables[column], model.mechanisms[column]
        if previous is None and (mechanism.needs_previous or variable.name in mechanism.parents):
            raise SettingsError(f"{variable.name}.mechanism", type(mechanism).__name__,
                                "a mechanism without a previous value outside a sequence")
        parents = {}
        for name in mechanism.parents:
            source = values if instantaneous and name != variable.name else previous
            assert source is not None
            parents[name] = source[..., model.index(name)]
        value = mechanism.apply(variable, parents,
                                None if previous is None else previous[..., column],
                                noise[..., column])
        if interventions is not None:
            value = np.where(interventions.mask[..., column],
                             interventions.values[..., column], value)
        values[..., column] = value
    return values


def sample(model: CausalModel, n: int, seed: int) -> Sample:
    """n samples with their noise (one stream per variable, so adding a variable changes no
    other's values)."""
    noise = np.stack([stream(seed, column, NOISE).random(n)
                      for column in range(len(model.variables))], axis=-1)
    return Sample(compute(model, noise), noise)


def recompute(model: CausalModel, noise: np.ndarray,
              interventions: Interventions | None = None) -> np.ndarray:
    """The samples of this noise under do(target := value) (the counterfactual)."""
    return compute(model, noise, interventions)


def edge_model(names: Sequence[str], edges: Sequence[tuple[str, str, float]],
               marginals: Mapping[str, Marginal] | None = None) -> CausalModel:
    """Today's causal edges (parent, child, strength) over raw columns on [-1, 1] as a model:
    roots from their marginals (uniform on [-1, 1] unless given), children by GaussianEdges."""
    marginals = marginals or {}
    mechanisms: list[Mechanism] = []
    for name in names:
        incoming = [(p, s) for p, c, s in edges if c == name]
        if incoming:
            mechanisms.append(GaussianEdges(tuple(p for p, _ in incoming),
                                            tuple(s for _, s in incoming)))
        else:
            mechanisms.append(Root(marginals.get(name, Marginal())))
    return CausalModel(tuple(Variable(name) for name in names), tuple(mechanisms))
