"""Named column layouts: names and slices agree, every column is in exactly one group and one
block, the layouts keep the published column order, and the multi-object scene reads a row
by name (a column moved in the layout moves in the scene too)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import run_blender

from identbox.model import constants as c
from identbox.model.colors import hue_to_rgb
from identbox.sampling.columns import Column, ColumnLayout
from identbox.sampling.factors import BLOCKS, FACTOR_NAMES, FACTORS, PAIR_LAYOUT
from identbox.sampling.multi import (
    HEIGHT_OFFSET,
    MULTI_BLOCKS,
    OBJECT_RADIUS,
    OBJECT_TYPES,
    column_blocks,
    column_names,
    multi_layout,
)


def assert_partitioned(layout: ColumnLayout) -> None:
    """Names and indices agree; every column is in exactly one group, and in exactly one block
    unless it is a constant column."""
    everything = list(range(len(layout)))
    assert [layout.index(name) for name in layout.names] == everything
    in_groups = sorted(k for g in layout.groups for k in layout.indices(group=g))
    assert in_groups == everything
    in_blocks = sorted(k for b in layout.block_names for k in layout.indices(block=b))
    assert in_blocks == [k for k in everything if layout.columns[k].block is not None]


@pytest.mark.parametrize("n_objects", range(1, 9))
def test_multi_layout_names_slices_and_groups_agree(n_objects: int) -> None:
    layout = multi_layout(n_objects)
    assert len(layout) == 3 + 7 * n_objects
    assert_partitioned(layout)
    assert set(layout.block_names) == set(MULTI_BLOCKS)
    for factor in ("hue", "alpha", "beta", "x", "y", "z", "type"):
        columns = layout.slice(factor)
        assert list(layout.names[columns]) == [f"object{i}_{factor}" for i in range(n_objects)]
        assert [c.object_index for c in layout.columns[columns]] == list(range(n_objects))
    assert layout.slice("spot_theta") == slice(2, 3)
    assert column_names(n_objects) == list(layout.names)
    assert column_blocks(n_objects) == list(layout.blocks)


def test_multi_layout_keeps_the_original_order() -> None:
    assert column_names(2) == [
        "spot_hue", "background_hue", "spot_theta", "object0_hue", "object1_hue",
        "object0_alpha", "object1_alpha", "object0_beta", "object1_beta", "object0_x",
        "object1_x", "object0_y", "object1_y", "object0_z", "object1_z", "object0_type",
        "object1_type"]
    layout = multi_layout(2)
    assert layout.indices(block="hues") == [0, 1, 3, 4]
    assert layout.indices(block="rotations") == [2, 5, 6, 7, 8]
    assert layout.indices(block="positions") == list(range(9, 15))
    assert layout.slice("type") == slice(15, 17)


def test_pair_layout_is_the_published_one() -> None:
    assert PAIR_LAYOUT.names == FACTOR_NAMES
    assert [f.index for f in FACTORS] == [PAIR_LAYOUT.index(f.name) for f in FACTORS]
    assert BLOCKS == {"positions": (0, 1, 2), "rotations": (3, 5, 6), "hues": (7, 8, 9)}
    assert PAIR_LAYOUT.index("hue_background") == 9
    assert_partitioned(PAIR_LAYOUT)
    assert PAIR_LAYOUT.blocks[PAIR_LAYOUT.index("rot_beta")] is None


def test_layout_mistakes_are_named() -> None:
    with pytest.raises(KeyError, match=r"'object9_x'.*known: spot_hue"):
        multi_layout(2).index("object9_x")
    with pytest.raises(KeyError, match="'colour'"):
        multi_layout(2).indices(group="colour")
    split = ColumnLayout([Column("a", "g", None), Column("b", "h", None), Column("c", "g", None)])
    with pytest.raises(ValueError, match="'g' are not adjacent"):
        split.slice("g")
    with pytest.raises(ValueError, match="repeat"):
        ColumnLayout([Column("a", "g", None), Column("a", "h", None)])


SHOW_ROW = """
import numpy as np
from identbox.settings.objects import MultiObjectSettings
from identbox.sampling.multi import multi_layout
from identbox.scene.multi import BlenderMultiRenderer

settings = MultiObjectSettings(n_objects=3)
layout = multi_layout(3)
row = np.zeros(len(layout))
for k, column in enumerate(layout.columns):  # a distinct value per column, set by name
    row[k] = 0.05 * (k + 1) if column.group != "type" else (column.object_index + 2) % 7
renderer = BlenderMultiRenderer(settings, device="cpu", log=lambda _: None)
renderer.show(row, view=1)
report({"objects": [{"location": list(o.location), "rotation": list(o.rotation_euler),
                     "shape": o.data.name, "colour": list(o.color)} for o in renderer.objects],
        "spots": [list(s.location) for s in renderer.spots],
        "spot_colour": list(renderer.spots[0].data.color),
        "ground": list(renderer.ground.color), "row": row.tolist()})
"""


@pytest.mark.blender
def test_multi_scene_reads_each_column_by_name(tmp_path: Path) -> None:
    r = run_blender(SHOW_ROW, tmp_path)
    layout = multi_layout(3)
    row = np.array(r["row"])

    def value(name: str) -> float:
        return float(row[layout.index(name)])

    theta = value("spot_theta")
    for i, obj in enumerate(r["objects"]):
        assert obj["location"] == pytest.approx(
            [value(f"object{i}_x"), value(f"object{i}_y"),
             value(f"object{i}_z") + OBJECT_RADIUS * HEIGHT_OFFSET], abs=1e-6)
        assert obj["rotation"] == pytest.approx(
            [value(f"object{i}_alpha"), value(f"object{i}_beta"), 0.0], abs=1e-6)
        assert obj["shape"].endswith(f"Shape {OBJECT_TYPES[int(value(f'object{i}_type'))]}")
        assert obj["colour"][:3] == pytest.approx(
            list(hue_to_rgb(value(f"object{i}_hue"), c.OBJECT_SATURATION)), abs=1e-6)
        assert r["spots"][i][:2] == pytest.approx(
            [value(f"object{i}_x") + c.SPOT_RADIUS * np.sin(theta),
             value(f"object{i}_y") + c.SPOT_RADIUS * np.cos(theta)], abs=1e-5)
    assert r["spot_colour"] == pytest.approx(
        list(hue_to_rgb(value("spot_hue"), c.SPOT_SATURATION)), abs=1e-6)
    assert r["ground"][:3] == pytest.approx(
        list(hue_to_rgb(value("background_hue"), c.GROUND_SATURATION)), abs=1e-6)
