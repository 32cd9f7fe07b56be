"""The Temporal Causal3DIdent (CITRIS) causal model, as temporal-causal3dident.md gives it.

Ten latent columns (positions on [-2, 2], angles on [0, 2 pi), rot_gamma always 0) and the
shape. Each variable moves half way to its goal with N(0, 0.1^2) noise (positions, truncated
to [-2, 2]) or N(0, 0.15^2) (angles, on the shorter arc, wrapped); the shape is kept except
with probability 0.05 per step. Interventions target the paper's coarse causal variables: pos
(x, y, z together), rot (alpha, beta together), rot_spot, the three hues and, with more than
one shape, the shape.
"""

from __future__ import annotations

import math

from ..errors import SettingsError
from .goals import TWO_PI, Angle, ByCategory, CircularMean, Fixed, Goal, Heading, Trig
from .mechanisms import CausalModel, Constant, HalfwayToGoal, Mechanism, Persist, Variable

SHAPES = ("teapot", "armadillo", "bunny", "cow", "dragon", "head", "horse")
POSITION_NOISE = 0.1
ANGLE_NOISE = 0.15
SHAPE_CHANGE = 0.05
POSITION_LIMIT = 2.0
GOAL_AMPLITUDE = 1.5
LATENT_NAMES = ("pos_x", "pos_y", "pos_z", "rot_alpha", "rot_beta", "rot_gamma", "rot_spot",
                "hue_object", "hue_spot", "hue_back")


def _hue_goals() -> tuple[Goal, ...]:
    """hue_object's goal per shape, in SHAPES order."""
    between = ("hue_spot", "hue_back")
    return (Fixed(0.0), Fixed(TWO_PI / 5), CircularMean(between), Fixed(2 * TWO_PI / 5),
            CircularMean(between, math.pi), Fixed(3 * TWO_PI / 5), Fixed(4 * TWO_PI / 5))


def citris_model(n_shapes: int = 1) -> CausalModel:
    """The model with the first n_shapes shapes (1: hue_object heads to itself; more: to its
    shape's goal)."""
    if not 1 <= n_shapes <= len(SHAPES):
        raise SettingsError("n_shapes", n_shapes, f"a whole number in [1, {len(SHAPES)}]")

    def position(goal: Goal) -> HalfwayToGoal:
        return HalfwayToGoal(goal, POSITION_NOISE)

    def angle(goal: Goal) -> HalfwayToGoal:
        return HalfwayToGoal(goal, ANGLE_NOISE)

    hue_goal: Goal = Angle("hue_object") if n_shapes == 1 else \
        ByCategory("shape", _hue_goals()[:n_shapes])
    mechanisms: dict[str, Mechanism] = {
        "pos_x": position(Trig("sin", "rot_beta", GOAL_AMPLITUDE)),
        "pos_y": position(Trig("sin", "rot_alpha", GOAL_AMPLITUDE)),
        "pos_z": position(Trig("cos", "rot_alpha", GOAL_AMPLITUDE)),
        "rot_alpha": angle(Angle("hue_back")),
        "rot_beta": angle(Angle("hue_object")),
        "rot_gamma": Constant(0.0),
        "rot_spot": angle(Heading("pos_x", "pos_y")),
        "hue_object": angle(hue_goal),
        "hue_spot": angle(Angle("hue_back", -1.0, TWO_PI)),
        "hue_back": angle(Angle("hue_back")),
        "shape": Persist(SHAPE_CHANGE),
    }
    latents = [Variable(name, -POSITION_LIMIT, POSITION_LIMIT) if name.startswith("pos_")
               else Variable(name, 0.0, TWO_PI, "angle") for name in LATENT_NAMES]
    variables = (*latents, Variable("shape", kind="categorical", categories=n_shapes))
    groups = [("pos_x", "pos_y", "pos_z"), ("rot_alpha", "rot_beta"), ("rot_spot",),
              ("hue_object",), ("hue_spot",), ("hue_back",)]
    if n_shapes > 1:
        groups.append(("shape",))
    return CausalModel(variables, tuple(mechanisms[v.name] for v in variables), tuple(groups))
