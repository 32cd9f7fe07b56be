"""Multi-object scenes: placement holds in both views, types follow their block type,
impossible settings fail fast, and the layout has one named column per factor per object."""

from __future__ import annotations

import time

import numpy as np
import pytest
from conftest import assert_close, se_corr
from stats_theory import truncated_normal_pair

from identbox.errors import SettingsError
from identbox.model.camera import project_to_pixels
from identbox.sampling.multi import (
    OBJECT_RADIUS,
    OBJECT_TYPES,
    MultiBlock,
    column_blocks,
    column_names,
    sample_scenes,
)

BLOCKS = {"objects": MultiBlock("content"), "positions": MultiBlock("style"),
          "rotations": MultiBlock("style"), "hues": MultiBlock("view_specific")}


def scenes(n_objects: int = 3, n_pairs: int = 200, **changes):
    blocks = {**BLOCKS, **changes}
    return sample_scenes(n_pairs, 5, n_objects, OBJECT_TYPES, blocks, 0.25, 50.0, 128)


@pytest.mark.parametrize("n_objects", [1, 2, 4, 6, 8])
def test_no_overlap_and_every_object_in_frame_in_both_views(n_objects: int) -> None:
    result = scenes(n_objects)
    for view in (1, 2):
        centres = result.centres(view)
        for i in range(n_objects):
            for j in range(i + 1, n_objects):
                gap = np.linalg.norm(centres[:, i] - centres[:, j], axis=1) - 2 * OBJECT_RADIUS
                assert gap.min() >= 0.25
        pixels = project_to_pixels(centres.reshape(-1, 3), 128)
        assert ((pixels > 4) & (pixels < 124)).all()  # centres well inside the 128-px frame


def test_types_follow_their_block_type() -> None:
    content = scenes(objects=MultiBlock("content"))
    assert np.array_equal(content.types(1), content.types(2))
    always = scenes(objects=MultiBlock("style", change_probability=1.0))
    assert (always.types(1) != always.types(2)).all()
    never = scenes(objects=MultiBlock("style", change_probability=0.0))
    assert np.array_equal(never.types(1), never.types(2))
    independent = scenes(n_pairs=3000, objects=MultiBlock("view_specific"))
    same = (independent.types(1) == independent.types(2)).mean()
    expected = 1 / len(OBJECT_TYPES)
    assert abs(same - expected) < 5 * np.sqrt(expected * (1 - expected) / (3000 * 3))
    counts = np.bincount(independent.types(1).ravel(), minlength=len(OBJECT_TYPES))
    assert counts.min() > 0.8 * counts.mean()  # every type drawn, about equally


def test_other_blocks_follow_their_types() -> None:
    """Every column, at N = 20,000: 5 standard errors of a correlation are 0.035, so a
    view-specific block drawn as style (corr 0.30) fails, as it passed `< 0.354` at n = 200."""
    n = 20_000
    result = scenes(n_pairs=n)
    names = column_names(3)
    blocks = column_blocks(3)
    assert len(names) == len(blocks) == 3 + 7 * 3
    positions = [k for k, b in enumerate(blocks) if b == "positions"]
    assert (result.raw1[:, positions] != result.raw2[:, positions]).all()  # style
    hues = [k for k, b in enumerate(blocks) if b == "hues"]
    assert len(hues) == 2 + 3
    for k in hues:  # view-specific: independent views
        corr = np.corrcoef(result.raw1[:, k], result.raw2[:, k])[0, 1]
        assert_close(corr, 0.0, se_corr(0.0, n), f"corr of {names[k]} across views")
    # style, the default conditional N(view 1, 1) truncated to [-1, 1] (placement does not
    # touch rotations): the style pair's law
    law = truncated_normal_pair(1.0).corr
    rotations = [k for k, b in enumerate(blocks) if b == "rotations"]
    assert len(rotations) == 1 + 2 * 3
    for k in rotations:
        corr = np.corrcoef(result.raw1[:, k], result.raw2[:, k])[0, 1]
        assert_close(corr, law, se_corr(law, n), f"corr of {names[k]} across views")


def test_same_seed_same_scenes() -> None:
    a, b = scenes(), scenes()
    assert np.array_equal(a.raw1, b.raw1) and np.array_equal(a.raw2, b.raw2)


def test_impossible_settings_fail_fast() -> None:
    start = time.perf_counter()
    with pytest.raises(SettingsError, match="could be placed"):
        sample_scenes(10, 0, 8, OBJECT_TYPES, BLOCKS, 3.0, 50.0, 128)
    assert time.perf_counter() - start < 5
    with pytest.raises(SettingsError, match="object_types"):
        sample_scenes(10, 0, 2, ("teapot", "dragon"), BLOCKS, 0.25, 100.0, 128)
    with pytest.raises(SettingsError, match="n_objects"):
        sample_scenes(10, 0, 9, OBJECT_TYPES, BLOCKS, 0.25, 100.0, 128)
