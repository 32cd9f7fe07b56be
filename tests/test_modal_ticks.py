"""How much the window's Render Dataset draws per timer tick: the redraw between ticks (every
item drawn tags the 3D viewport) decides it, so a slow display gets fewer, longer ticks."""

import itertools

import pytest

from identbox.operators.modal_job import (
    BUDGET_GROWTH,
    MAX_TICK_BUDGET,
    REDRAW_SHARE,
    TICK_BUDGET,
    tick_budget,
)

pytestmark = pytest.mark.blender  # operators/modal_job.py imports bpy


def test_a_fast_display_keeps_short_ticks() -> None:
    """Redraws of milliseconds (a GPU display): every tick stays TICK_BUDGET."""
    budget = TICK_BUDGET
    for _ in range(10):
        budget = tick_budget(budget, 0.02)
    assert budget == TICK_BUDGET


def test_a_slow_display_grows_ticks_step_by_step_to_the_cap() -> None:
    """A redraw of 0.55 s (the issue's software-GL window): ticks grow BUDGET_GROWTH times at
    a time (the first items still show soon), until the redraw is REDRAW_SHARE of a tick."""
    budgets = [TICK_BUDGET]
    for _ in range(6):
        budgets.append(tick_budget(budgets[-1], 0.55))
    assert budgets[1] == pytest.approx(BUDGET_GROWTH * TICK_BUDGET)
    assert all(b <= BUDGET_GROWTH * a + 1e-9 for a, b in itertools.pairwise(budgets))
    assert 0.55 / (0.55 + budgets[-1]) == pytest.approx(REDRAW_SHARE)


def test_ticks_never_pass_the_cap_and_shrink_when_redraws_get_cheap() -> None:
    """However slow a redraw (a busy machine), Esc answers within MAX_TICK_BUDGET; once
    redraws are cheap again, ticks are short again at once."""
    budget = TICK_BUDGET
    for _ in range(10):
        budget = tick_budget(budget, 5.0)
    assert budget == MAX_TICK_BUDGET
    assert tick_budget(budget, 0.01) == TICK_BUDGET
